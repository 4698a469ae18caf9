// One access unit → the RTP payloads of one picture (RFC 6184 for H.264, RFC 7798 for H.265),
// with the stream's parameter sets put in front of every keyframe that lacks them: a browser that
// joins, or loses a packet, must find SPS/PPS at the next keyframe, and many cameras send them
// only out of band (SDP sprop) or once per connection.
import { packetizeH264 } from '../media/h264/packetizer.js';
import { h264NalType, H264Nal } from '../media/h264/nal.js';
import { packetizeH265 } from '../media/h265/packetizer.js';
import { h265NalType, H265Nal } from '../media/h265/nal.js';
import type { VideoCodec } from '../ingest/source.js';

/** Payload bytes per RTP packet: fits a 1280-byte path MTU after IP, UDP, SRTP and extensions. */
export const RTP_PAYLOAD_BYTES = 1100;

/**
 * What an RTP packet's payload may take of an IP packet of `pathMtu` bytes: the rest is IPv4 (20)
 * and UDP (8) headers, the RTP header (12), the SRTP tag (at most 16) and room for the header
 * extensions werift's own path adds (20).
 */
export function rtpPayloadBytesFor(pathMtu: number): number {
  return pathMtu - 20 - 8 - 12 - 16 - 20;
}

function isParameterSet(codec: VideoCodec, nal: Buffer): boolean {
  if (codec === 'h264') {
    const t = h264NalType(nal);
    return t === H264Nal.SPS || t === H264Nal.PPS;
  }
  const t = h265NalType(nal);
  return t === H265Nal.VPS || t === H265Nal.SPS || t === H265Nal.PPS;
}

function isDelimiter(codec: VideoCodec, nal: Buffer): boolean {
  return codec === 'h264' ? h264NalType(nal) === H264Nal.AUD : h265NalType(nal) === H265Nal.AUD;
}

/** The NAL units to send for one access unit: delimiters dropped, parameter sets ensured on keyframes. */
export function accessUnitNalus(codec: VideoCodec, nalus: readonly Buffer[], keyframe: boolean, parameterSets: readonly Buffer[]): Buffer[] {
  const body = nalus.filter((n) => n.length > 0 && !isDelimiter(codec, n));
  if (!keyframe || body.some((n) => isParameterSet(codec, n))) return body;
  return [...parameterSets, ...body];
}

/** RTP payloads of one access unit; the last one takes the marker bit. */
export function framePayloads(codec: VideoCodec, nalus: readonly Buffer[], keyframe: boolean, parameterSets: readonly Buffer[], maxPayload = RTP_PAYLOAD_BYTES): Buffer[] {
  const units = accessUnitNalus(codec, nalus, keyframe, parameterSets);
  const options = { maxPayload };
  return codec === 'h264' ? packetizeH264(units, options) : packetizeH265(units, options);
}

/** Each picture's payloads, made once for every viewer of its feed (see sharedFramePayloads). */
const made = new WeakMap<object, { codec: VideoCodec; parameterSets: readonly Buffer[]; maxPayload: number; payloads: Buffer[] }>();

/**
 * The RTP payloads of `frame`, packetized once however many viewers send it: the stream hub hands
 * the same frame object to every viewer of a camera, and only the RTP header and the SRTP
 * encryption differ between viewers (the payloads are never written to: werift serializes the
 * header and encrypts into a new buffer). Made again if a viewer asks with other parameter sets,
 * another codec (a transcoded feed has frame objects of its own anyway) or another payload size
 * (RTSP clients of the restream and WebRTC viewers of the same camera).
 */
export function sharedFramePayloads(codec: VideoCodec, frame: { nalus: readonly Buffer[]; keyframe: boolean }, parameterSets: readonly Buffer[], maxPayload = RTP_PAYLOAD_BYTES): Buffer[] {
  const hit = made.get(frame);
  if (hit && hit.codec === codec && hit.parameterSets === parameterSets && hit.maxPayload === maxPayload) return hit.payloads;
  const payloads = framePayloads(codec, frame.nalus, frame.keyframe, parameterSets, maxPayload);
  made.set(frame, { codec, parameterSets, maxPayload, payloads });
  return payloads;
}
