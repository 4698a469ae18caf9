// Turns an H.264 (RFC 6184) or H.265 (RFC 7798) RTP track into recorder frames: depacketizes,
// keeps the parameter sets (from the SDP, replaced by in-band ones) and reports a new
// description when they change. Parameter sets and delimiters are taken out of the samples: the
// MP4 sample entry carries them, and a change rolls the file.
import type { AccessUnit, DepacketizerStats, RtpPayloadPacket, RtpVideoDepacketizer } from '../media/h264/access-unit.js';
import { H264Depacketizer } from '../media/h264/depacketizer.js';
import { H264Error } from '../media/h264/errors.js';
import { h264CodecString, parseH264Sps } from '../media/h264/sps.js';
import { H265Depacketizer } from '../media/h265/depacketizer.js';
import { H265Error } from '../media/h265/errors.js';
import { h265CodecString, parseH265Sps } from '../media/h265/sps.js';
import type { SdpTrack } from '../media/sdp/tracks.js';
import type { VideoCodec, VideoTrackInfo } from './source.js';

interface CodecSpec {
  codec: VideoCodec;
  nalType(n: Buffer): number;
  /** NAL types of the parameter sets, in sample-entry order (VPS, SPS, PPS / SPS, PPS). */
  parameterTypes: number[];
  delimiter: number;
  /** Size and codec string from the SPS; throws a codec error when it does not parse. */
  describe(sps: Buffer): { codecString: string; width: number; height: number; fps?: number };
}

const H264: CodecSpec = {
  codec: 'h264',
  nalType: (n) => n[0]! & 0x1f,
  parameterTypes: [7, 8],
  delimiter: 9,
  describe(sps) {
    const p = parseH264Sps(sps);
    const out: ReturnType<CodecSpec['describe']> = { codecString: h264CodecString(sps), width: p.width, height: p.height };
    if (p.frameRate !== undefined) out.fps = p.frameRate;
    return out;
  },
};

const H265: CodecSpec = {
  codec: 'h265',
  nalType: (n) => (n[0]! >> 1) & 0x3f,
  parameterTypes: [32, 33, 34],
  delimiter: 35,
  describe(sps) {
    const p = parseH265Sps(sps);
    return { codecString: h265CodecString(p), width: p.width, height: p.height };
  },
};

const NOTHING: { units: readonly AccessUnit[]; changed: boolean } = Object.freeze({ units: Object.freeze([]), changed: false });

export class VideoTrackHandler {
  info: VideoTrackInfo | undefined;
  private readonly sets: (Buffer | undefined)[];

  private constructor(
    private readonly spec: CodecSpec,
    private readonly depacketizer: RtpVideoDepacketizer,
    sdpSets: readonly Buffer[],
    private readonly sdpFps: number | undefined,
  ) {
    this.sets = spec.parameterTypes.map(() => undefined);
    for (const n of sdpSets) if (n.length >= 2) this.take(n);
    this.describe();
  }

  /** A handler for an SDP track we can record, or undefined. */
  static for(track: SdpTrack): VideoTrackHandler | undefined {
    if (track.codec === 'H264') return new VideoTrackHandler(H264, new H264Depacketizer(), track.h264?.parameterSets ?? [], track.framerate);
    if (track.codec === 'H265') {
      const h = track.h265;
      return new VideoTrackHandler(H265, new H265Depacketizer(), h ? [...h.vps, ...h.sps, ...h.pps] : [], track.framerate);
    }
    return undefined;
  }

  get stats(): DepacketizerStats {
    return this.depacketizer.stats;
  }

  /** Access units completed by this packet; `changed` when the description changed. */
  push(packet: RtpPayloadPacket): { units: readonly AccessUnit[]; changed: boolean } {
    const units = this.depacketizer.push(packet);
    if (units.length === 0) return NOTHING; // most packets: shared, nothing allocated
    let changed = false;
    for (const au of units) {
      let strip = false;
      let touched = false;
      for (const nal of au.nalus) {
        const type = this.spec.nalType(nal);
        if (type === this.spec.delimiter) strip = true;
        else if (this.spec.parameterTypes.includes(type)) {
          strip = true;
          touched = this.take(nal) || touched;
        }
      }
      if (strip) au.nalus = au.nalus.filter((n) => !this.isParameterOrDelimiter(this.spec.nalType(n)));
      if (touched && this.describe()) changed = true;
    }
    if (!units.some((u) => u.nalus.length === 0)) return { units, changed };
    for (const u of units) if (u.nalus.length === 0) u.release?.();
    return { units: units.filter((u) => u.nalus.length > 0), changed };
  }

  private isParameterOrDelimiter(type: number): boolean {
    return type === this.spec.delimiter || this.spec.parameterTypes.includes(type);
  }

  /** Keeps a parameter set; true when it differs from the one held. */
  private take(nal: Buffer): boolean {
    const i = this.spec.parameterTypes.indexOf(this.spec.nalType(nal));
    if (i < 0 || this.sets[i]?.equals(nal)) return false;
    this.sets[i] = Buffer.from(nal); // a copy: the packet buffer it views belongs to the network
    return true;
  }

  /** Rebuilds the description from the sets held; true when it is complete and usable. */
  private describe(): boolean {
    if (this.sets.some((s) => !s)) return false;
    const sets = this.sets as Buffer[];
    const sps = sets[sets.length - 2]!;
    let d: ReturnType<CodecSpec['describe']>;
    try {
      d = this.spec.describe(sps);
    } catch (e) {
      if (e instanceof H264Error || e instanceof H265Error) return false; // wait for a good SPS
      throw e;
    }
    if (d.width <= 0 || d.height <= 0) return false;
    const info: VideoTrackInfo = { codec: this.spec.codec, codecString: d.codecString, parameterSets: [...sets], width: d.width, height: d.height };
    const fps = d.fps ?? this.sdpFps;
    if (fps !== undefined && fps > 0 && fps < 1000) info.fps = fps;
    this.info = info;
    return true;
  }
}
