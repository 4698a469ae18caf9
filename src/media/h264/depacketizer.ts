// RTP payload format for H.264, RFC 6184 §5.6–5.8, non-interleaved mode (packetization-mode 0
// and 1): single NAL unit packets, STAP-A and FU-A. STAP-B, MTAP and FU-B belong to the
// interleaved mode that no camera we target uses; they are counted and skipped.
import { RtpVideoDepacketizer } from './access-unit.js';
import { H264Nal } from './nal.js';

const EMPTY = Buffer.alloc(0);

export class H264Depacketizer extends RtpVideoDepacketizer {
  // The payload is p[s, e): read in place, no view made per packet.
  protected depacketize(p: Buffer, s: number, e: number): void {
    if (e - s < 1) return this.dropNalu();
    const type = p[s]! & 0x1f;
    if (type >= 1 && type <= 23) return this.addNalu(p, s, e);
    switch (type) {
      case H264Nal.STAP_A:
        return this.stapA(p, s, e);
      case H264Nal.FU_A:
        return this.fuA(p, s, e);
      default:
        return this.unsupported(); // 0, 25–27, 29–31
    }
  }

  protected isKeyframe(nalus: readonly Buffer[]): boolean {
    return nalus.some((n) => (n[0]! & 0x1f) === H264Nal.IDR);
  }

  // §5.7.1: 16-bit size + NAL unit, repeated.
  private stapA(p: Buffer, s: number, e: number): void {
    let o = s + 1;
    while (o < e) {
      if (o + 2 > e) return this.dropNalu();
      const size = p.readUInt16BE(o);
      o += 2;
      if (size === 0 || o + size > e) return this.dropNalu();
      this.addNalu(p, o, o + size);
      o += size;
    }
  }

  // §5.8: FU indicator (F, NRI, 28) + FU header (S, E, R, type) + fragment.
  private fuA(p: Buffer, s: number, e: number): void {
    if (e - s < 3) return this.dropNalu();
    const fuHeader = p[s + 1]!;
    const start = (fuHeader & 0x80) !== 0;
    const end = (fuHeader & 0x40) !== 0;
    // The fragment is p[s + 2, e), passed as offsets: no view is made per packet.
    if (start) {
      this.fragmentStart((p[s]! & 0xe0) | (fuHeader & 0x1f), -1, p, s + 2, e);
      if (end) this.fragmentContinue(EMPTY, true); // S and E together: tolerated
    } else {
      this.fragmentContinue(p, end, s + 2, e);
    }
  }
}
