// MSB-first bit reader for H.264/H.265 RBSP syntax (ITU-T H.264 §7.2, H.265 §7.2): u(n), ue(v)
// and se(v) as defined in H.264 §9.1 (Exp-Golomb).
import { BitstreamError } from './errors.js';

export class BitReader {
  private bitPos = 0;
  private readonly bitLen: number;

  constructor(private readonly buf: Buffer) {
    this.bitLen = buf.length * 8;
  }

  get bitsLeft(): number {
    return this.bitLen - this.bitPos;
  }

  get position(): number {
    return this.bitPos;
  }

  /** Reads up to 32 bits as an unsigned number. */
  u(n: number): number {
    if (n === 0) return 0;
    if (n > 32) throw new BitstreamError('BITSTREAM_MALFORMED', `cannot read ${n} bits at once`);
    if (this.bitPos + n > this.bitLen) throw new BitstreamError('BITSTREAM_OVERRUN', 'read past the end of the bitstream');
    let v = 0;
    for (let i = 0; i < n; i++) {
      const p = this.bitPos++;
      // Multiplication keeps values above 2^31 positive, which a << would not.
      v = v * 2 + ((this.buf[p >> 3]! >> (7 - (p & 7))) & 1);
    }
    return v;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  skip(n: number): void {
    if (n < 0 || this.bitPos + n > this.bitLen) throw new BitstreamError('BITSTREAM_OVERRUN', 'skip past the end of the bitstream');
    this.bitPos += n;
  }

  /** ue(v). Codes longer than 31 leading zeros cannot be a valid syntax element in either codec. */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new BitstreamError('BITSTREAM_MALFORMED', 'Exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** ue(v) that must not exceed `max`: bounds every loop count and array size taken from input. */
  ueMax(max: number, what: string): number {
    const v = this.ue();
    if (v > max) throw new BitstreamError('BITSTREAM_MALFORMED', `${what} ${v} exceeds ${max}`);
    return v;
  }
}

/**
 * NAL unit payload → RBSP: drops each emulation_prevention_three_byte (00 00 03 → 00 00),
 * H.264 §7.4.1 / H.265 §7.4.2. Returns the input itself when there is nothing to remove, so the
 * common case costs no copy.
 */
export function removeEmulationPrevention(nal: Buffer): Buffer {
  let first = -1;
  for (let i = 2; i < nal.length; i++) {
    if (nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) {
      first = i;
      break;
    }
  }
  if (first < 0) return nal;
  const out = Buffer.allocUnsafe(nal.length);
  nal.copy(out, 0, 0, first);
  let o = first;
  let zeros = 0;
  for (let i = first + 1; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}
