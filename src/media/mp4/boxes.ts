// ISO/IEC 14496-12 §4.2 boxes inside a buffer that is already in memory, and a bounds-checked
// field reader: every overrun is an Mp4Error, never a RangeError.
import { Mp4Error } from './errors.js';

export interface ChildBox {
  type: string;
  body: Buffer;
  /** Offset of the box's first byte in the parent body. */
  at: number;
}

/** Iterates the boxes of a container body; a box that overruns it is malformed. */
export function* childBoxes(body: Buffer, what: string): Generator<ChildBox> {
  let o = 0;
  while (o + 8 <= body.length) {
    let size = body.readUInt32BE(o);
    const type = body.toString('latin1', o + 4, o + 8);
    let header = 8;
    if (size === 1) {
      if (o + 16 > body.length) throw new Mp4Error('MP4_MALFORMED', `a box in ${what} is cut short`);
      const large = body.readBigUInt64BE(o + 8);
      size = large > BigInt(body.length) ? body.length + 1 : Number(large);
      header = 16;
    } else if (size === 0) {
      size = body.length - o; // "to the end of the enclosing box"
    }
    if (size < header || o + size > body.length) throw new Mp4Error('MP4_MALFORMED', `a ${printable(type)} box overruns ${what}`);
    yield { type, body: body.subarray(o + header, o + size), at: o };
    o += size;
  }
  // Up to 7 trailing bytes (some writers pad containers) are ignored.
}

export function child(body: Buffer, type: string, what: string): Buffer | undefined {
  for (const b of childBoxes(body, what)) if (b.type === type) return b.body;
  return undefined;
}

export function requireChild(body: Buffer, type: string, what: string): Buffer {
  const b = child(body, type, what);
  if (!b) throw new Mp4Error('MP4_MALFORMED', `${what} has no ${type}`);
  return b;
}

export function printable(type: string): string {
  return /^[\x20-\x7e]{4}$/.test(type) ? type : 'unprintable';
}

export class Fields {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly what: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) throw new Mp4Error('MP4_MALFORMED', `${this.what} is too short`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** 64-bit unsigned; values past 2^53 are malformed for our purposes (offsets, times). */
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Mp4Error('MP4_MALFORMED', `${this.what}: 64-bit value too large`);
    return Number(v);
  }

  i64(): number {
    this.need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) throw new Mp4Error('MP4_MALFORMED', `${this.what}: 64-bit value too large`);
    return Number(v);
  }

  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** FullBox version and flags (§4.2.2). */
  fullBox(): { version: number; flags: number } {
    const v = this.u32();
    return { version: v >>> 24, flags: v & 0xffffff };
  }

  /** An entry count that must fit in the rest of the box at `entryBytes` each. */
  count(entryBytes: number, limit: number): number {
    const n = this.u32();
    if (n > limit) throw new Mp4Error('MP4_LIMIT', `${this.what}: ${n} entries is over the limit of ${limit}`);
    if (n * entryBytes > this.remaining) throw new Mp4Error('MP4_MALFORMED', `${this.what}: ${n} entries do not fit in the box`);
    return n;
  }
}
