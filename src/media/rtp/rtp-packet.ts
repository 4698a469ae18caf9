// RTP fixed header, RFC 3550 §5.1 (with the header extension of §5.3.1 and padding).
import { RtpError } from './errors.js';

export interface RtpHeaderExtension {
  /** The 16 "defined by profile" bits (0xBEDE for RFC 8285 one-byte extensions). */
  profile: number;
  data: Buffer;
}

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrc: number[];
  extension?: RtpHeaderExtension;
  /** Padding octets removed from the payload (0 when the P bit is clear). */
  paddingLength: number;
  /** A view into the parsed buffer, not a copy. */
  payload: Buffer;
}

/**
 * A packet parsed in place and reused (readRtpPacket's `into`): its payload is
 * payloadBuffer[payloadStart, payloadEnd), and `payload` makes a view of it only when read, so a
 * receiver that passes the range on (see RtpPayloadPacket) allocates nothing per packet.
 */
export class InPlaceRtpPacket implements RtpPacket {
  marker = false;
  payloadType = 0;
  sequenceNumber = 0;
  timestamp = 0;
  ssrc = 0;
  csrc: number[] = [];
  extension?: RtpHeaderExtension;
  paddingLength = 0;
  payloadBuffer: Buffer = Buffer.alloc(0);
  payloadStart = 0;
  payloadEnd = 0;

  get payload(): Buffer {
    return this.payloadBuffer.subarray(this.payloadStart, this.payloadEnd);
  }

  set payload(bytes: Buffer) {
    this.payloadBuffer = bytes;
    this.payloadStart = 0;
    this.payloadEnd = bytes.length;
  }
}

const FIXED_HEADER = 12;
const NO_CSRC: readonly number[] = Object.freeze([]);

export function parseRtpPacket(buf: Buffer): RtpPacket {
  return readRtpPacket(buf, 0, buf.length);
}

/**
 * Parses the packet buf[start, end) (no view of it is made first). With `into`, its fields are
 * overwritten and it is returned: a receiver that handles one packet at a time reuses one object
 * instead of allocating one per packet. Throws RtpError as parseRtpPacket does.
 */
export function readRtpPacket(buf: Buffer, start: number, end: number, into?: RtpPacket): RtpPacket {
  const length = end - start;
  if (length < FIXED_HEADER) throw new RtpError('RTP_MALFORMED', `RTP packet of ${length} bytes is shorter than its header`);
  const b0 = buf[start]!;
  const b1 = buf[start + 1]!;
  if (b0 >> 6 !== 2) throw new RtpError('RTP_MALFORMED', `RTP version ${b0 >> 6} is not 2`);
  const csrcCount = b0 & 0x0f;
  let offset = start + FIXED_HEADER + csrcCount * 4;
  if (end < offset) throw new RtpError('RTP_MALFORMED', 'RTP CSRC list runs past the packet');
  // Cameras send no CSRCs: those packets share one frozen empty list instead of a new one each.
  let csrc = NO_CSRC as number[];
  if (csrcCount > 0) {
    csrc = [];
    for (let i = 0; i < csrcCount; i++) csrc.push(buf.readUInt32BE(start + FIXED_HEADER + i * 4));
  }

  let extension: RtpHeaderExtension | undefined;
  if (b0 & 0x10) {
    if (end < offset + 4) throw new RtpError('RTP_MALFORMED', 'RTP header extension runs past the packet');
    const profile = buf.readUInt16BE(offset);
    const words = buf.readUInt16BE(offset + 2);
    const extEnd = offset + 4 + words * 4;
    if (end < extEnd) throw new RtpError('RTP_MALFORMED', 'RTP header extension runs past the packet');
    extension = { profile, data: buf.subarray(offset + 4, extEnd) };
    offset = extEnd;
  }

  let payloadEnd = end;
  let paddingLength = 0;
  if (b0 & 0x20) {
    paddingLength = buf[end - 1]!;
    // §5.1: the count includes itself, so zero is not a valid padding length.
    if (paddingLength === 0 || offset + paddingLength > end) {
      throw new RtpError('RTP_MALFORMED', `RTP padding of ${paddingLength} bytes does not fit`);
    }
    payloadEnd -= paddingLength;
  }

  const marker = (b1 & 0x80) !== 0;
  const payloadType = b1 & 0x7f;
  const sequenceNumber = buf.readUInt16BE(start + 2);
  const timestamp = buf.readUInt32BE(start + 4);
  const ssrc = buf.readUInt32BE(start + 8);
  if (into) {
    into.marker = marker;
    into.payloadType = payloadType;
    into.sequenceNumber = sequenceNumber;
    into.timestamp = timestamp;
    into.ssrc = ssrc;
    into.csrc = csrc;
    into.paddingLength = paddingLength;
    if (into instanceof InPlaceRtpPacket) {
      into.payloadBuffer = buf;
      into.payloadStart = offset;
      into.payloadEnd = payloadEnd;
    } else {
      into.payload = buf.subarray(offset, payloadEnd);
    }
    if (extension) into.extension = extension;
    else if (into.extension) delete into.extension;
    return into;
  }
  const payload = buf.subarray(offset, payloadEnd);
  const packet: RtpPacket = { marker, payloadType, sequenceNumber, timestamp, ssrc, csrc, paddingLength, payload };
  if (extension) packet.extension = extension;
  return packet;
}

/** A plain copy that owns its bytes (payload and extension copied), e.g. of a reused packet. */
export function copyRtpPacket(p: RtpPacket): RtpPacket {
  const copy: RtpPacket = {
    marker: p.marker,
    payloadType: p.payloadType,
    sequenceNumber: p.sequenceNumber,
    timestamp: p.timestamp,
    ssrc: p.ssrc,
    csrc: p.csrc.length ? [...p.csrc] : [],
    paddingLength: p.paddingLength,
    payload: Buffer.from(p.payload),
  };
  if (p.extension) copy.extension = { profile: p.extension.profile, data: Buffer.from(p.extension.data) };
  return copy;
}

export function serializeRtpPacket(p: RtpPacket): Buffer {
  if (p.csrc.length > 15) throw new RtpError('RTP_MALFORMED', 'RTP allows at most 15 CSRCs');
  if (p.extension && p.extension.data.length % 4 !== 0) {
    throw new RtpError('RTP_MALFORMED', 'RTP header extension length must be a multiple of 4');
  }
  const extLen = p.extension ? 4 + p.extension.data.length : 0;
  const pad = p.paddingLength;
  if (pad < 0 || pad > 255) throw new RtpError('RTP_MALFORMED', `RTP padding of ${pad} bytes does not fit`);
  const out = Buffer.alloc(FIXED_HEADER + p.csrc.length * 4 + extLen + p.payload.length + pad);
  out[0] = 0x80 | (pad > 0 ? 0x20 : 0) | (p.extension ? 0x10 : 0) | p.csrc.length;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequenceNumber & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  let offset = FIXED_HEADER;
  for (const c of p.csrc) {
    out.writeUInt32BE(c >>> 0, offset);
    offset += 4;
  }
  if (p.extension) {
    out.writeUInt16BE(p.extension.profile, offset);
    out.writeUInt16BE(p.extension.data.length / 4, offset + 2);
    p.extension.data.copy(out, offset + 4);
    offset += extLen;
  }
  p.payload.copy(out, offset);
  if (pad > 0) out[out.length - 1] = pad;
  return out;
}

/** Signed distance a→b in 16-bit sequence space (−32768..32767), so 65535→0 is +1. */
export function seqDelta(a: number, b: number): number {
  return (((b - a) & 0xffff) << 16) >> 16;
}

/** Signed distance a→b in 32-bit timestamp space. */
export function tsDelta(a: number, b: number): number {
  return (b - a) | 0;
}
