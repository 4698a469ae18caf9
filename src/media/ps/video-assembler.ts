// Turns the payloads of a video stream's PES packets into access units. PES packets need not
// align with pictures (ffmpeg cuts every 2 KiB; GB devices split PES over 64 KiB), so NAL units
// are found across packet boundaries and grouped into pictures by the codec's rules (AUD,
// parameter sets, first slice of a picture). A PTS belongs to the first access unit that begins
// in its PES (ISO/IEC 13818-1 §2.4.3.7); a unit with none is stamped one frame after the last.

export type PsVideoCodec = 'h264' | 'h265';

const START_CODE = Buffer.from([0, 0, 1]);

export interface PsAccessUnit {
  codec: PsVideoCodec;
  pts: number;
  dts: number;
  keyframe: boolean;
  /** NAL units without start codes. */
  nalus: Buffer[];
  /** True when no PES timestamp covered this unit and its time was extrapolated. */
  extrapolated: boolean;
}

interface Stamp {
  start: number;
  end: number;
  pts: number;
  dts: number;
}

export class VideoAssembler {
  // The NAL unit being read, as views of the pushed data; how many zeros ended the last push.
  private pieces: Buffer[] = [];
  private zeros = 0;
  private inNal = false;
  private nalStart = 0;
  /** ES bytes seen so far. */
  private offset = 0;
  private stamps: Stamp[] = [];
  private au: Buffer[] = [];
  private auStart = 0;
  private auHasVcl = false;
  private lastPts: number | undefined;
  private lastDts: number | undefined;
  private frameTicks = 3600;

  constructor(
    readonly codec: PsVideoCodec,
    private readonly onUnit: (u: PsAccessUnit) => void,
  ) {}

  /**
   * `data` must not change afterwards (the demuxer's PES payloads never do): NAL units are kept
   * as views of it and joined only when one spans several PES, so a picture's bytes are not
   * copied again here. A start code may span two pushes; the zeros it leaves at the end of the
   * NAL unit before it are trailing zeros, which are stripped anyway (H.264 §7.4.1.2.4).
   */
  push(data: Buffer, pts?: number, dts?: number): void {
    if (pts !== undefined) this.stamps.push({ start: this.offset, end: this.offset + data.length, pts, dts: dts ?? pts });
    if (this.stamps.length > 64) this.stamps.shift();
    const base = this.offset;
    this.offset += data.length;
    const n = data.length;
    let pos = 0;
    let i = 0;
    if (this.zeros >= 2 && n >= 1 && data[0] === 1) i = pos = this.beginNal(base - 2, 1);
    else if (this.zeros >= 1 && n >= 2 && data[0] === 0 && data[1] === 1) i = pos = this.beginNal(base - 1, 2);
    // The runtime's own search finds each 00 00 01 (a byte loop here was most of this push).
    for (let at = data.indexOf(START_CODE, i); at >= 0; at = data.indexOf(START_CODE, at + 3)) {
      if (this.inNal) this.pieces.push(data.subarray(pos, at));
      pos = this.beginNal(base + at, at + 3);
    }
    if (this.inNal && n > pos) this.pieces.push(data.subarray(pos));
    let z = 0;
    while (z < 2 && z < n && data[n - 1 - z] === 0) z++;
    this.zeros = z === n ? Math.min(2, this.zeros + z) : z;
  }

  /** A start code at `at` (ES offset): ends the NAL unit being read; returns where the next one's bytes begin. */
  private beginNal(at: number, payloadAt: number): number {
    if (this.inNal) this.endNal();
    this.inNal = true;
    this.nalStart = at;
    this.pieces = [];
    return payloadAt;
  }

  /** Ends the current picture (end of stream, or a sender's end-of-frame signal). */
  flush(): void {
    if (this.inNal) {
      this.endNal();
      this.inNal = false;
      this.zeros = 0;
    }
    this.emitUnit();
  }

  private endNal(): void {
    const parts = this.pieces;
    let nal = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    let end = nal.length;
    while (end > 0 && nal[end - 1] === 0) end--;
    nal = nal.subarray(0, end);
    this.pieces = [];
    if (nal.length) this.addNal(nal, this.nalStart);
  }

  private addNal(nal: Buffer, at: number): void {
    let vcl: boolean;
    let first = false;
    let leading: boolean;
    if (this.codec === 'h264') {
      const t = nal[0]! & 0x1f;
      vcl = t >= 1 && t <= 5;
      if (vcl) first = nal.length > 1 && (nal[1]! & 0x80) !== 0;
      leading = t === 9 || t === 7 || t === 8 || t === 6 || (t >= 14 && t <= 18);
    } else {
      const t = (nal[0]! >> 1) & 0x3f;
      vcl = t <= 31;
      if (vcl) first = nal.length > 2 && (nal[2]! & 0x80) !== 0;
      leading = t === 35 || (t >= 32 && t <= 34) || t === 39 || (t >= 41 && t <= 44) || (t >= 48 && t <= 55);
    }
    if (this.auHasVcl && (leading || (vcl && first))) this.emitUnit();
    if (!this.au.length) this.auStart = at;
    this.au.push(nal);
    if (vcl) this.auHasVcl = true;
  }

  private emitUnit(): void {
    if (!this.au.length || !this.auHasVcl) return;
    const nalus = this.au;
    const start = this.auStart;
    this.au = [];
    this.auHasVcl = false;
    // The stamp of the PES in which this unit begins, if not already used.
    while (this.stamps.length && this.stamps[0]!.end <= start) this.stamps.shift();
    const s = this.stamps[0];
    let pts: number;
    let dts: number;
    let extrapolated = false;
    if (s && s.start <= start) {
      this.stamps.shift();
      if (this.lastDts !== undefined && s.dts > this.lastDts) this.frameTicks = Math.min(s.dts - this.lastDts, 90_000);
      pts = s.pts;
      dts = s.dts;
    } else {
      extrapolated = true;
      dts = (this.lastDts ?? 0) + this.frameTicks;
      pts = (this.lastPts ?? 0) + this.frameTicks;
    }
    this.lastPts = pts;
    this.lastDts = dts;
    const keyframe = nalus.some((n) => (this.codec === 'h264' ? (n[0]! & 0x1f) === 5 : ((n[0]! >> 1) & 0x3f) >= 16 && ((n[0]! >> 1) & 0x3f) <= 23));
    this.onUnit({ codec: this.codec, pts, dts, keyframe, nalus, extrapolated });
  }
}

/** Guesses the codec of a video ES without a PSM from its first NAL headers. */
export function sniffVideoCodec(data: Buffer): PsVideoCodec | undefined {
  for (let i = 0; i + 4 < data.length; i++) {
    if (data[i] !== 0 || data[i + 1] !== 0 || data[i + 2] !== 1) continue;
    const b = data[i + 3]!;
    const b2 = data[i + 4]!;
    // H.265: forbidden 0, type 32–35 (VPS/SPS/PPS/AUD) or an IRAP, layer 0, temporal id + 1 = 1.
    const t5 = (b >> 1) & 0x3f;
    if ((b & 0x81) === 0 && b2 === 0x01 && ((t5 >= 32 && t5 <= 35) || (t5 >= 16 && t5 <= 21) || t5 === 39)) return 'h265';
    const t4 = b & 0x1f;
    if ((b & 0x80) === 0 && (t4 === 7 || t4 === 9 || t4 === 5 || t4 === 1)) return 'h264';
  }
  return undefined;
}
