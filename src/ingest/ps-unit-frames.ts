// Access units of a PS stream (GB/T 28181) as the recorder's frames: parameter sets go into the
// stream description (a change gives a new one) and out of the samples, AUDs are dropped, the
// 33-bit PES time is unwrapped from 0 at the first picture, and wall-clock time is that time on
// from an anchor the caller chooses: arrival for live video, the asked range's start for a
// download of the device's recording (which comes faster than real time).
import { h264CodecString, parseH264Sps } from '../media/h264/sps.js';
import { h265CodecString, parseH265Sps } from '../media/h265/sps.js';
import type { PsAccessUnit } from '../media/ps/video-assembler.js';
import type { VideoFrame, VideoTrackInfo } from './source.js';

const PTS_WRAP = 2 ** 33;

export type PsUnitResult =
  | { kind: 'frame'; frame: VideoFrame; bytes: number; info?: VideoTrackInfo }
  /** A picture before its parameter sets: nothing can describe it. */
  | { kind: 'lost'; bytes: number }
  /** Parameter sets only (or an AUD): nothing to record. */
  | { kind: 'none'; bytes: number; info?: VideoTrackInfo };

export class PsUnitFrames {
  info: VideoTrackInfo | undefined;
  private readonly sets = new Map<number, Buffer>();
  private basePts: number | undefined;
  private lastRaw: number | undefined;
  private wraps = 0;
  private baseWall = 0;

  /** `anchor` gives the wall-clock time of the first picture (called once). */
  constructor(private readonly anchor: () => number) {}

  /** Throws when a new SPS cannot be read. */
  push(u: PsAccessUnit): PsUnitResult {
    const h264 = u.codec === 'h264';
    const setTypes = h264 ? [7, 8] : [32, 33, 34];
    const aud = h264 ? 9 : 35;
    const samples: Buffer[] = [];
    let changed = false;
    let bytes = 0;
    for (const n of u.nalus) {
      const t = h264 ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f;
      bytes += n.length;
      if (t === setTypes[0] || t === setTypes[1] || t === setTypes[2]) {
        const old = this.sets.get(t);
        if (!old || !old.equals(n)) {
          this.sets.set(t, Buffer.from(n));
          changed = true;
        }
      } else if (t !== aud) samples.push(n);
    }
    let info: VideoTrackInfo | undefined;
    if (changed || !this.info) {
      const sets = setTypes.map((t) => this.sets.get(t));
      if (sets.some((s) => !s)) return { kind: 'lost', bytes };
      const sps = this.sets.get(h264 ? 7 : 33)!;
      const d = h264 ? { ...parseH264Sps(sps), codecString: h264CodecString(sps) } : (() => { const p = parseH265Sps(sps); return { width: p.width, height: p.height, codecString: h265CodecString(p) }; })();
      info = this.info = { codec: u.codec, codecString: d.codecString, parameterSets: sets as Buffer[], width: d.width, height: d.height };
    }
    if (!samples.length) return { kind: 'none', bytes, ...(info ? { info } : {}) };
    if (this.lastRaw !== undefined && u.dts < this.lastRaw - PTS_WRAP / 2) this.wraps++;
    this.lastRaw = u.dts;
    const dts = u.dts + this.wraps * PTS_WRAP;
    const pts = u.pts + this.wraps * PTS_WRAP + (u.pts < u.dts - PTS_WRAP / 2 ? PTS_WRAP : 0);
    if (this.basePts === undefined) {
      this.basePts = dts;
      this.baseWall = this.anchor();
    }
    const frame: VideoFrame = {
      kind: 'video',
      wallClockMs: this.baseWall + (pts - this.basePts) / 90,
      pts90k: pts - this.basePts,
      ...(dts !== pts ? { dts90k: dts - this.basePts } : {}),
      keyframe: u.keyframe,
      nalus: samples,
    };
    return { kind: 'frame', frame, bytes, ...(info ? { info } : {}) };
  }
}
