// H.265 → RTP payloads, RFC 7798 without DONL: small NAL units aggregated into APs (§4.4.2),
// large ones split into FUs (§4.4.3). The caller sets the marker bit on the last payload of an
// access unit.
import type { PacketizerOptions } from '../h264/packetizer.js';
import { H265Nal } from './nal.js';

export function packetizeH265(nalus: readonly Buffer[], options: PacketizerOptions = {}): Buffer[] {
  const max = Math.max(options.maxPayload ?? 1200, 16);
  const out: Buffer[] = [];
  let ap: Buffer[] = [];
  let apBytes = 2;

  const closeAp = () => {
    if (ap.length === 1) out.push(ap[0]!);
    else if (ap.length > 1) {
      // §4.4.2: F is the OR of the aggregated F bits; LayerId and TID the lowest of them.
      let f = 0;
      let layer = 63;
      let tid = 7;
      for (const n of ap) {
        f |= n[0]! & 0x80;
        layer = Math.min(layer, ((n[0]! & 1) << 5) | (n[1]! >> 3));
        tid = Math.min(tid, n[1]! & 7);
      }
      const parts: Buffer[] = [Buffer.from([f | (H265Nal.AP << 1) | (layer >> 5), ((layer & 0x1f) << 3) | tid])];
      for (const n of ap) {
        const len = Buffer.allocUnsafe(2);
        len.writeUInt16BE(n.length);
        parts.push(len, n);
      }
      out.push(Buffer.concat(parts, apBytes));
    }
    ap = [];
    apBytes = 2;
  };

  for (const nal of nalus) {
    if (nal.length < 2) continue;
    if (nal.length + 4 <= max) {
      if (apBytes + 2 + nal.length > max) closeAp();
      ap.push(nal);
      apBytes += 2 + nal.length;
      continue;
    }
    closeAp();
    if (nal.length <= max) {
      out.push(nal);
      continue;
    }
    const h0 = (nal[0]! & 0x81) | (H265Nal.FU << 1);
    const h1 = nal[1]!;
    const type = (nal[0]! >> 1) & 0x3f;
    const chunk = max - 3;
    for (let o = 2; o < nal.length; o += chunk) {
      const end = Math.min(o + chunk, nal.length);
      const fu = type | (o === 2 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0);
      out.push(Buffer.concat([Buffer.from([h0, h1, fu]), nal.subarray(o, end)]));
    }
  }
  closeAp();
  return out;
}
