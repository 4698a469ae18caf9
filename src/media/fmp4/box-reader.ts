// ISO/IEC 14496-12 §4.2 box headers, bounds-checked: a hostile size can neither point outside
// its parent nor make us allocate or loop on it.
import { Fmp4Error } from './errors.js';

export interface BoxHeader {
  type: string;
  /** Offset of the box's first byte. */
  offset: number;
  headerSize: number;
  /** Whole box, header included. */
  size: number;
}

/** Printable four-character codes only (plus space, and © which QuickTime uses). */
function validType(b: Buffer, at: number): boolean {
  for (let i = 0; i < 4; i++) {
    const c = b[at + i]!;
    if (!((c >= 0x20 && c <= 0x7e) || c === 0xa9)) return false;
  }
  return true;
}

/**
 * Reads the header at `at` in `buf` (whose first byte is at file offset `base`).
 * Returns undefined when fewer than the header's bytes are present; 'invalid' when it cannot be
 * a box header (too small, unprintable type, size 0 "to end of file").
 */
export function readBoxHeader(buf: Buffer, at: number, base = 0): BoxHeader | undefined | 'invalid' {
  if (at + 8 > buf.length) return undefined;
  let size = buf.readUInt32BE(at);
  if (!validType(buf, at + 4)) return 'invalid';
  const type = buf.toString('latin1', at + 4, at + 8);
  let headerSize = 8;
  if (size === 1) {
    if (at + 16 > buf.length) return undefined;
    const large = buf.readBigUInt64BE(at + 8);
    if (large > BigInt(Number.MAX_SAFE_INTEGER)) return 'invalid';
    size = Number(large);
    headerSize = 16;
  }
  if (size < headerSize) return 'invalid';
  return { type, offset: base + at, headerSize, size };
}

/** Iterates the child boxes of a fully read container body; any child overrunning it is an error. */
export function* children(body: Buffer, what: string): Generator<{ type: string; body: Buffer }> {
  let o = 0;
  while (o < body.length) {
    const h = readBoxHeader(body, o);
    if (h === undefined || h === 'invalid' || o + h.size > body.length) {
      throw new Fmp4Error('FMP4_MALFORMED', `a box inside ${what} overruns it`);
    }
    yield { type: h.type, body: body.subarray(o + h.headerSize, o + h.size) };
    o += h.size;
  }
}

/** Checks that a full box body holds at least `n` bytes. */
export function need(body: Buffer, n: number, what: string): void {
  if (body.length < n) throw new Fmp4Error('FMP4_MALFORMED', `${what} is too short`);
}
