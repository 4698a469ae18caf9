// Puts UDP-delivered RTP back in sequence order (RFC 3550 §A.1 sequence arithmetic) with a small
// window, so a late packet costs at most `maxDelayMs` of latency and memory stays bounded.
import { seqDelta, type RtpPacket } from './rtp-packet.js';

export interface ReorderStats {
  received: number;
  emitted: number;
  /** Packets never seen by the time the window moved past them. */
  lost: number;
  /** Packets that arrived after the window had already moved past them. */
  late: number;
  duplicate: number;
  /** Large jumps taken as a new stream (sender restart, SSRC change). */
  resyncs: number;
}

export interface ReorderOptions {
  /** Window in packets (default 64). */
  capacity?: number;
  /** A gap is given up on after the packet behind it has waited this long (default 50 ms). */
  maxDelayMs?: number;
}

// Further than this from the expected number, a packet means the sender restarted its sequence.
const RESYNC_DISTANCE = 3000;

export class ReorderBuffer {
  readonly stats: ReorderStats = { received: 0, emitted: 0, lost: 0, late: 0, duplicate: 0, resyncs: 0 };
  private readonly capacity: number;
  private readonly maxDelayMs: number;
  private readonly slots: (RtpPacket | undefined)[];
  private readonly arrivals: Float64Array;
  private readonly recent: Int32Array;
  private expected = -1;
  private ssrc = -1;
  private buffered = 0;

  constructor(options: ReorderOptions = {}) {
    // A power of two divides 65536, so slots stay distinct across the sequence wrap.
    const wanted = Math.max(1, Math.min(4096, options.capacity ?? 64));
    this.capacity = 2 ** Math.ceil(Math.log2(wanted));
    this.maxDelayMs = options.maxDelayMs ?? 50;
    this.slots = new Array(this.capacity).fill(undefined);
    this.arrivals = new Float64Array(this.capacity);
    this.recent = new Int32Array(this.capacity).fill(-1);
  }

  /** Number of packets held back waiting for a gap to fill. */
  get size(): number {
    return this.buffered;
  }

  /** Adds a packet; returns the packets that are now ready, in order. */
  push(packet: RtpPacket, nowMs: number): RtpPacket[] {
    this.stats.received++;
    const out: RtpPacket[] = [];
    const seq = packet.sequenceNumber;
    if (this.expected < 0 || packet.ssrc >>> 0 !== this.ssrc) {
      if (this.expected >= 0) this.resync(out);
      this.ssrc = packet.ssrc >>> 0;
      this.expected = seq;
    }
    let d = seqDelta(this.expected, seq);
    if (d < -RESYNC_DISTANCE || d >= RESYNC_DISTANCE) {
      this.resync(out);
      this.expected = seq;
      d = 0;
    }
    if (d < 0) {
      if (this.recent[seq % this.capacity] === seq) this.stats.duplicate++;
      else this.stats.late++;
      return out;
    }
    // Too far ahead for the window: give up on the oldest gaps to make room.
    while (d >= this.capacity) {
      this.advance(out);
      d = seqDelta(this.expected, seq);
    }
    const slot = seq % this.capacity;
    if (this.slots[slot] !== undefined) {
      this.stats.duplicate++;
      return out;
    }
    this.slots[slot] = packet;
    this.arrivals[slot] = nowMs;
    this.buffered++;
    this.drainReady(out);
    this.expire(nowMs, out);
    return out;
  }

  /** Releases packets whose gap has waited longer than maxDelayMs; call on a timer too. */
  poll(nowMs: number): RtpPacket[] {
    const out: RtpPacket[] = [];
    this.expire(nowMs, out);
    return out;
  }

  /** Releases everything held, counting remaining gaps as lost. */
  flush(): RtpPacket[] {
    const out: RtpPacket[] = [];
    while (this.buffered > 0) this.advance(out);
    return out;
  }

  private expire(nowMs: number, out: RtpPacket[]): void {
    while (this.buffered > 0 && this.oldestArrival() + this.maxDelayMs <= nowMs) this.advance(out);
  }

  private oldestArrival(): number {
    let oldest = Infinity;
    for (let i = 0; i < this.capacity; i++) {
      if (this.slots[i] !== undefined && this.arrivals[i]! < oldest) oldest = this.arrivals[i]!;
    }
    return oldest;
  }

  /** Skips the expected packet (lost if absent), then emits whatever is contiguous after it. */
  private advance(out: RtpPacket[]): void {
    const slot = this.expected % this.capacity;
    const p = this.slots[slot];
    if (p === undefined) {
      this.stats.lost++;
      this.expected = (this.expected + 1) & 0xffff;
    } else {
      this.emit(slot, p, out);
    }
    this.drainReady(out);
  }

  private drainReady(out: RtpPacket[]): void {
    for (;;) {
      const slot = this.expected % this.capacity;
      const p = this.slots[slot];
      if (p === undefined || p.sequenceNumber !== this.expected) return;
      this.emit(slot, p, out);
    }
  }

  private emit(slot: number, p: RtpPacket, out: RtpPacket[]): void {
    this.slots[slot] = undefined;
    this.buffered--;
    this.recent[slot] = p.sequenceNumber;
    this.stats.emitted++;
    out.push(p);
    this.expected = (p.sequenceNumber + 1) & 0xffff;
  }

  private resync(out: RtpPacket[]): void {
    this.stats.resyncs++;
    // Emit what we hold in sequence order without counting the old stream's gaps as loss.
    const held = this.slots.filter((p): p is RtpPacket => p !== undefined);
    held.sort((a, b) => seqDelta(b.sequenceNumber, a.sequenceNumber));
    for (const p of held) {
      this.slots[p.sequenceNumber % this.capacity] = undefined;
      this.buffered--;
      this.stats.emitted++;
      out.push(p);
    }
    this.recent.fill(-1);
  }
}
