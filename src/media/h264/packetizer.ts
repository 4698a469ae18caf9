// H.264 → RTP payloads, RFC 6184 packetization-mode 1: NAL units that fit go alone or, when
// several small ones fit together (SPS+PPS+SEI), in one STAP-A (§5.7.1); larger ones are split
// into FU-A fragments (§5.8). The caller sets the marker bit on the last payload of an access unit.
import { H264Nal } from './nal.js';

export interface PacketizerOptions {
  /** Largest RTP payload in bytes (the MTU less IP/UDP/RTP headers). Default 1200. */
  maxPayload?: number;
}

export function packetizeH264(nalus: readonly Buffer[], options: PacketizerOptions = {}): Buffer[] {
  const max = Math.max(options.maxPayload ?? 1200, 16);
  const out: Buffer[] = [];
  let stap: Buffer[] = [];
  let stapBytes = 1;

  const closeStap = () => {
    if (stap.length === 1) out.push(stap[0]!);
    else if (stap.length > 1) {
      const nri = stap.reduce((m, n) => Math.max(m, n[0]! & 0x60), 0);
      const parts: Buffer[] = [Buffer.from([nri | H264Nal.STAP_A])];
      for (const n of stap) {
        const len = Buffer.allocUnsafe(2);
        len.writeUInt16BE(n.length);
        parts.push(len, n);
      }
      out.push(Buffer.concat(parts, stapBytes));
    }
    stap = [];
    stapBytes = 1;
  };

  for (const nal of nalus) {
    if (nal.length === 0) continue;
    if (nal.length + 3 <= max) {
      if (stapBytes + 2 + nal.length > max) closeStap();
      stap.push(nal);
      stapBytes += 2 + nal.length;
      continue;
    }
    closeStap();
    if (nal.length <= max) {
      out.push(nal);
      continue;
    }
    const indicator = (nal[0]! & 0xe0) | H264Nal.FU_A;
    const type = nal[0]! & 0x1f;
    const chunk = max - 2;
    for (let o = 1; o < nal.length; o += chunk) {
      const end = Math.min(o + chunk, nal.length);
      const header = Buffer.from([indicator, type | (o === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0)]);
      out.push(Buffer.concat([header, nal.subarray(o, end)]));
    }
  }
  closeStap();
  return out;
}
