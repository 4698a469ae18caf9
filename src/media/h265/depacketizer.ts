// RTP payload format for H.265, RFC 7798 §4.4 with sprop-max-don-diff = 0 (no DONL/DOND
// fields, as every camera we target sends): single NAL unit packets (§4.4.1), aggregation
// packets (§4.4.2) and fragmentation units (§4.4.3). PACI (§4.4.4) is counted and skipped.
import { RtpVideoDepacketizer } from '../h264/access-unit.js';
import { H265Nal, isH265Irap } from './nal.js';

const EMPTY = Buffer.alloc(0);

export class H265Depacketizer extends RtpVideoDepacketizer {
  // The payload is p[s, e): read in place, no view made per packet.
  protected depacketize(p: Buffer, s: number, e: number): void {
    if (e - s < 3) return this.dropNalu();
    const type = (p[s]! >> 1) & 0x3f;
    if (type < H265Nal.AP) return this.addNalu(p, s, e);
    if (type === H265Nal.AP) return this.aggregation(p, s, e);
    if (type === H265Nal.FU) return this.fragment(p, s, e);
    return this.unsupported();
  }

  protected isKeyframe(nalus: readonly Buffer[]): boolean {
    return nalus.some((n) => isH265Irap((n[0]! >> 1) & 0x3f));
  }

  private aggregation(p: Buffer, s: number, e: number): void {
    let o = s + 2;
    while (o < e) {
      if (o + 2 > e) return this.dropNalu();
      const size = p.readUInt16BE(o);
      o += 2;
      if (size < 2 || o + size > e) return this.dropNalu();
      this.addNalu(p, o, o + size);
      o += size;
    }
  }

  private fragment(p: Buffer, s: number, e: number): void {
    const fu = p[s + 2]!;
    const start = (fu & 0x80) !== 0;
    const end = (fu & 0x40) !== 0;
    if (start) {
      // The NAL header is the payload header with FuType in place of 49.
      this.fragmentStart((p[s]! & 0x81) | ((fu & 0x3f) << 1), p[s + 1]!, p, s + 3, e);
      if (end) this.fragmentContinue(EMPTY, true);
    } else {
      this.fragmentContinue(p, end, s + 3, e);
    }
  }
}
