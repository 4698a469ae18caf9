// Turns an H.264 RTP track into recorder frames: depacketizes (RFC 6184), keeps the parameter
// sets (from SDP sprop-parameter-sets, replaced by in-band ones), and reports a new StreamInfo
// when they change. Parameter sets and delimiters are taken out of the samples: the MP4 sample
// entry carries them, and a change rolls the file.
import { H264Depacketizer } from '../media/h264/depacketizer.js';
import { H264Error } from '../media/h264/errors.js';
import { H264Nal } from '../media/h264/nal.js';
import { h264CodecString, parseH264Sps } from '../media/h264/sps.js';
import type { AccessUnit, DepacketizerStats, RtpPayloadPacket } from '../media/h264/access-unit.js';
import type { VideoTrackInfo } from './source.js';

export interface VideoTrackHandler {
  /** The current description, once parameter sets are known. */
  readonly info: VideoTrackInfo | undefined;
  readonly stats: DepacketizerStats;
  /** Access units completed by this packet; `changed` is set when the description changed. */
  push(packet: RtpPayloadPacket): { units: AccessUnit[]; changed: boolean };
}

export class H264TrackHandler implements VideoTrackHandler {
  info: VideoTrackInfo | undefined;
  private readonly depacketizer = new H264Depacketizer();
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;

  constructor(
    sprop: readonly Buffer[],
    private readonly sdpFps: number | undefined,
  ) {
    for (const n of sprop) this.take(n);
    this.describe();
  }

  get stats(): DepacketizerStats {
    return this.depacketizer.stats;
  }

  push(packet: RtpPayloadPacket): { units: AccessUnit[]; changed: boolean } {
    const units = this.depacketizer.push(packet);
    let changed = false;
    for (const au of units) {
      let strip = false;
      let touched = false;
      for (const nal of au.nalus) {
        const type = nal[0]! & 0x1f;
        if (type === H264Nal.SPS || type === H264Nal.PPS) {
          touched = this.take(nal) || touched;
          strip = true;
        } else if (type === H264Nal.AUD) {
          strip = true;
        }
      }
      if (strip) au.nalus = au.nalus.filter((n) => !isParameterOrDelimiter(n[0]! & 0x1f));
      if (touched && this.describe()) changed = true;
    }
    return { units: units.filter((u) => u.nalus.length > 0), changed };
  }

  /** Keeps a parameter set; true when it differs from the one held. */
  private take(nal: Buffer): boolean {
    const type = nal[0]! & 0x1f;
    if (type === H264Nal.SPS) {
      if (this.sps?.equals(nal)) return false;
      this.sps = Buffer.from(nal); // a copy: the packet buffer it views is reused by the network
      return true;
    }
    if (type === H264Nal.PPS) {
      if (this.pps?.equals(nal)) return false;
      this.pps = Buffer.from(nal);
      return true;
    }
    return false;
  }

  /** Rebuilds the description; true when it is new and usable. */
  private describe(): boolean {
    if (!this.sps || !this.pps) return false;
    let parsed;
    try {
      parsed = parseH264Sps(this.sps);
    } catch (e) {
      if (e instanceof H264Error) return false; // a bad SPS: wait for a good one
      throw e;
    }
    if (parsed.width <= 0 || parsed.height <= 0) return false;
    const info: VideoTrackInfo = {
      codec: 'h264',
      codecString: h264CodecString(this.sps),
      parameterSets: [this.sps, this.pps],
      width: parsed.width,
      height: parsed.height,
    };
    const fps = parsed.frameRate ?? this.sdpFps;
    if (fps !== undefined && fps > 0 && fps < 1000) info.fps = fps;
    this.info = info;
    return true;
  }
}

function isParameterOrDelimiter(type: number): boolean {
  return type === H264Nal.SPS || type === H264Nal.PPS || type === H264Nal.AUD;
}
