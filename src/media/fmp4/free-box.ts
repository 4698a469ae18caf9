// The `free` box (ISO/IEC 14496-12 §8.1.2): bytes a reader skips. Recording files use it as the
// padding that keeps each piece written with direct I/O on a block boundary.

/** Smallest box: a 32-bit size and a type. */
export const FREE_BOX_MIN = 8;

/** Writes one `free` box of `size` bytes (≥ 8) at `at`: its header, then zeros. */
export function writeFreeBox(buf: Buffer, at: number, size: number): void {
  if (size < FREE_BOX_MIN) throw new RangeError(`a free box needs at least ${FREE_BOX_MIN} bytes, not ${size}`);
  buf.writeUInt32BE(size, at);
  buf.write('free', at + 4, 'latin1');
  buf.fill(0, at + FREE_BOX_MIN, at + size);
}

/** True when `bytes` is nothing but whole `free` boxes (or empty). */
export function isFreePadding(bytes: Buffer): boolean {
  for (let at = 0; at < bytes.length; ) {
    if (bytes.length - at < FREE_BOX_MIN) return false;
    const size = bytes.readUInt32BE(at);
    if (size < FREE_BOX_MIN || at + size > bytes.length || bytes.toString('latin1', at + 4, at + 8) !== 'free') return false;
    at += size;
  }
  return true;
}
