// RTP over a TCP stream (RFC 4571 §2): each packet behind a 16-bit big-endian length. GB/T 28181
// uses it for TCP media (a=setup:passive/active). A zero length is skipped; nothing else can be
// wrong with the framing itself, so no error is possible — a bad packet fails later, counted.

export class Rfc4571Decoder {
  /** The length field when a chunk ended inside it. */
  private readonly head = Buffer.alloc(2);
  private headFill = 0;
  /** A packet that runs past the chunks so far, filled as they come. */
  private packet: Buffer | undefined;
  private packetFill = 0;

  constructor(private readonly onPacket: (pkt: Buffer) => void) {}

  /** Bytes held of a packet not yet whole (its length field included). */
  get bufferedBytes(): number {
    return this.headFill + (this.packet ? 2 + this.packetFill : 0);
  }

  /**
   * Packets wholly inside `chunk` are handed out as views of it; only one that a chunk boundary
   * cuts is copied, into a buffer of its own size. (Joining the held bytes with every chunk
   * copied the whole TCP stream once more, 64 KiB at a time.)
   */
  push(chunk: Buffer): void {
    const n = chunk.length;
    let at = 0;
    while (at < n) {
      if (this.packet) {
        const take = Math.min(this.packet.length - this.packetFill, n - at);
        this.packet.set(chunk.subarray(at, at + take), this.packetFill);
        this.packetFill += take;
        at += take;
        if (this.packetFill < this.packet.length) return;
        const whole = this.packet;
        this.packet = undefined;
        this.onPacket(whole);
        continue;
      }
      let len: number;
      if (this.headFill > 0 || at + 2 > n) {
        while (this.headFill < 2 && at < n) this.head[this.headFill++] = chunk[at++]!;
        if (this.headFill < 2) return;
        this.headFill = 0;
        len = this.head.readUInt16BE(0);
      } else {
        len = chunk.readUInt16BE(at);
        at += 2;
        if (at + len <= n) {
          if (len > 0) this.onPacket(chunk.subarray(at, at + len));
          at += len;
          continue;
        }
      }
      if (len === 0) continue;
      this.packet = Buffer.allocUnsafe(len);
      this.packetFill = 0;
    }
  }
}

export function frameRfc4571(pkt: Buffer): Buffer {
  const head = Buffer.allocUnsafe(2);
  head.writeUInt16BE(pkt.length);
  return Buffer.concat([head, pkt]);
}
