// RTP over a TCP stream (RFC 4571 §2): each packet behind a 16-bit big-endian length. GB/T 28181
// uses it for TCP media (a=setup:passive/active). A zero length is skipped; nothing else can be
// wrong with the framing itself, so no error is possible — a bad packet fails later, counted.

export class Rfc4571Decoder {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly onPacket: (pkt: Buffer) => void) {}

  get bufferedBytes(): number {
    return this.buf.length;
  }

  push(chunk: Buffer): void {
    let buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let at = 0;
    while (at + 2 <= buf.length) {
      const len = buf.readUInt16BE(at);
      if (at + 2 + len > buf.length) break;
      if (len > 0) this.onPacket(buf.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    }
    buf = buf.subarray(at);
    this.buf = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }
}

export function frameRfc4571(pkt: Buffer): Buffer {
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(pkt.length);
  return Buffer.concat([head, pkt]);
}
