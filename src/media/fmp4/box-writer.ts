// ISO/IEC 14496-12 §4.2 box serialization: a growable buffer whose open boxes get their 32-bit
// size patched when closed.

export class BoxWriter {
  private buf: Buffer;
  private pos = 0;
  private readonly open: number[] = [];

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Opens a box; `version`/`flags` given → a FullBox (§4.2.2). */
  start(type: string, version?: number, flags = 0): this {
    this.open.push(this.pos);
    this.u32(0);
    this.fourcc(type);
    if (version !== undefined) this.u32(((version & 0xff) << 24 | (flags & 0xffffff)) >>> 0);
    return this;
  }

  end(): this {
    const at = this.open.pop()!;
    this.buf.writeUInt32BE(this.pos - at, at);
    return this;
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.buf.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.room(3);
    this.buf.writeUIntBE(v & 0xffffff, this.pos, 3);
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.room(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
    return this;
  }

  u64(v: number): this {
    this.room(8);
    this.buf.writeBigUInt64BE(BigInt(Math.max(0, Math.trunc(v))), this.pos);
    this.pos += 8;
    return this;
  }

  fourcc(s: string): this {
    this.room(4);
    this.buf.write(s.padEnd(4, ' ').slice(0, 4), this.pos, 'latin1');
    this.pos += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  get length(): number {
    return this.pos;
  }

  /** Patches a u32 already written at `offset`. */
  patchU32(offset: number, v: number): void {
    this.buf.writeUInt32BE(v >>> 0, offset);
  }

  /** The bytes written so far (a copy-free view; the writer should not be used afterwards). */
  finish(): Buffer {
    if (this.open.length) throw new Error(`unclosed box at ${this.open.at(-1)}`);
    return this.buf.subarray(0, this.pos);
  }
}
