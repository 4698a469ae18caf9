// Cuts a live H.264 Annex-B byte stream (ITU-T H.264 Annex B) into access units as it arrives.
// Our encoders (the simulator's, the live transcoder's) write an access unit delimiter (AUD, §7.4.1.2.3) before every picture,
// so an access unit is complete when the next delimiter shows up: one frame of latency, no parsing
// of slice headers.
import { splitAnnexB } from './annexb.js';
import { H264Nal } from './nal.js';

export interface SplitterOptions {
  /** Bytes without a delimiter after which the pending data is dropped (default 4 MiB). */
  maxAccessUnitBytes?: number;
}

export class AccessUnitSplitter {
  /** Access units dropped because they passed the size cap. */
  dropped = 0;
  private pending: Buffer = Buffer.alloc(0);
  /** Offset in `pending` of the delimiter that opens the access unit being collected, or -1. */
  private auStart = -1;
  private scanFrom = 0;
  private readonly max: number;

  constructor(options: SplitterOptions = {}) {
    this.max = options.maxAccessUnitBytes ?? 4 << 20;
  }

  /** Feeds bytes; returns the NAL units (AUD removed) of every access unit they completed. */
  push(chunk: Buffer): Buffer[][] {
    const out: Buffer[][] = [];
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const buf = this.pending;
    let i = this.scanFrom;
    while (i + 3 < buf.length) {
      if (buf[i + 2]! > 1) {
        i += 3;
        continue;
      }
      if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1 && (buf[i + 3]! & 0x1f) === H264Nal.AUD) {
        if (this.auStart >= 0) out.push(this.nalus(buf.subarray(this.auStart, i)));
        this.auStart = i;
        i += 4;
        continue;
      }
      i++;
    }
    // Keep from the open access unit on; a start code may straddle the chunk boundary.
    const keepFrom = this.auStart >= 0 ? this.auStart : Math.max(0, buf.length - 3);
    this.pending = buf.subarray(keepFrom);
    this.scanFrom = Math.max(0, i - keepFrom);
    if (this.auStart >= 0) this.auStart = 0;
    if (this.pending.length > this.max) {
      this.dropped++;
      this.pending = Buffer.alloc(0);
      this.auStart = -1;
      this.scanFrom = 0;
    }
    return out;
  }

  private nalus(au: Buffer): Buffer[] {
    // Copy out of the shared pending buffer so it can be released, then drop the delimiter.
    return splitAnnexB(Buffer.from(au)).filter((n) => (n[0]! & 0x1f) !== H264Nal.AUD);
  }
}
