// Program stream demultiplexer: bytes in (from a file, or RTP payloads concatenated), PES payloads
// out with their stream id, stream type and timestamps. Copes with what devices and muxers send:
// no PSM (ffmpeg `-f vob`/`-f mpeg`: the codec is then sniffed), unbounded video PES (length 0),
// MPEG-1 packs, and damage: bytes that start no unit are skipped to the next start code and
// counted, a unit whose header does not fit is dropped and counted — never an exception.
import { PsError } from './errors.js';
import { END, PACK, PADDING, packHeaderLength, parsePesHeader, parsePsm, PSM, SYSTEM_HEADER } from './pes.js';

export interface PesPayload {
  streamId: number;
  /** From the PSM when one was seen; undefined otherwise. */
  streamType: number | undefined;
  pts?: number;
  dts?: number;
  data: Buffer;
}

export interface PsDemuxStats {
  packs: number;
  pes: number;
  /** Bytes skipped while looking for a start code (damage or a mid-stream join). */
  skippedBytes: number;
  /** Units dropped because their header did not parse. */
  damaged: number;
}

export interface PsDemuxerOptions {
  /** Longest unbounded PES kept before it is cut (default 4 MiB). */
  maxUnboundedBytes?: number;
}

const STORE_MIN = 256 << 10;
const NOTHING = Buffer.alloc(0);

export class PsDemuxer {
  /** The bytes not yet parsed: store[head, tail). */
  private buf: Buffer = Buffer.alloc(0);
  private store: Buffer = Buffer.alloc(0);
  private head = 0;
  private tail = 0;
  readonly streamTypes = new Map<number, number>();
  readonly stats: PsDemuxStats = { packs: 0, pes: 0, skippedBytes: 0, damaged: 0 };
  private readonly maxUnbounded: number;
  /** Bytes from `head` the unit waiting there needs before parsing can go on (0: parse each push). */
  private need = 0;
  /** A bounded PES being gathered (see parseInPlace), and how much of it has come. */
  private unit: Buffer | undefined;
  private unitFill = 0;

  constructor(
    private readonly onPes: (p: PesPayload) => void,
    options: PsDemuxerOptions = {},
  ) {
    this.maxUnbounded = options.maxUnboundedBytes ?? 4 << 20;
  }

  push(chunk: Buffer): void {
    if (this.unit) {
      chunk = this.fill(chunk);
      if (!chunk.length) return;
    }
    if (this.tail === this.head) return this.parseInPlace(chunk);
    this.append(chunk);
    // A PES is cut into dozens of RTP packets: until its last byte is here, nothing can change.
    if (this.tail - this.head < this.need) return;
    this.need = 0;
    let at = 0;
    for (;;) {
      const next = this.step(at, false);
      if (next === undefined) break;
      at = next;
    }
    this.consume(at);
  }

  /**
   * Nothing waits: the chunk is parsed where it lies (no copy), and only what it leaves over is
   * kept. A bounded PES it begins but does not end is copied, as it comes, into a buffer of its
   * own exact size (its length is in its header), which becomes the PES when full: each byte is
   * copied once, nothing is allocated beyond the PES itself, and a picture kept downstream holds
   * its own PES alive, not a shared store of hundreds of kilobytes.
   */
  private parseInPlace(chunk: Buffer): void {
    this.buf = chunk;
    this.need = 0;
    const at = this.stepAll(false);
    this.buf = this.store.subarray(this.head, this.tail);
    if (at >= chunk.length) return;
    if (this.need > 0) {
      const unit = Buffer.allocUnsafe(this.need);
      this.need = 0;
      this.unit = unit;
      this.unitFill = 0;
      this.fill(chunk.subarray(at));
      return;
    }
    this.append(chunk.subarray(at));
  }

  /** Copies into the PES being gathered; when it is whole, parses it. Returns what is left of the chunk. */
  private fill(chunk: Buffer): Buffer {
    const unit = this.unit!;
    const take = Math.min(chunk.length, unit.length - this.unitFill);
    unit.set(take === chunk.length ? chunk : chunk.subarray(0, take), this.unitFill);
    this.unitFill += take;
    if (this.unitFill < unit.length) return NOTHING;
    this.unit = undefined;
    this.buf = unit;
    this.step(0, false);
    this.buf = this.store.subarray(this.head, this.tail);
    return chunk.subarray(take);
  }

  /** Parses `buf` from its start for as long as whole packs and PES are there; returns where it stopped. */
  private stepAll(final: boolean): number {
    let at = 0;
    for (;;) {
      const next = this.step(at, final);
      if (next === undefined) return at;
      at = next;
    }
  }

  /** Hands out a trailing unbounded PES (end of file or stream). */
  flush(): void {
    // A PES cut off before its end is dropped, as one waiting in the store is.
    this.unit = undefined;
    this.need = 0;
    this.stepAll(true);
    this.store = Buffer.alloc(0);
    this.head = this.tail = 0;
    this.buf = this.store;
  }

  /**
   * Bytes are copied once into a store that grows by doubling. A PES of a keyframe arrives in
   * dozens of RTP packets; joining the waiting bytes with each packet (Buffer.concat) copied the
   * whole PES again per packet, megabytes a second per camera of garbage. Bytes handed out in
   * a PES payload are never written again: a full store is replaced, not compacted in place.
   */
  private append(chunk: Buffer): void {
    if (this.tail + chunk.length > this.store.length) {
      const live = this.tail - this.head;
      const next = Buffer.allocUnsafe(Math.max(STORE_MIN, (live + chunk.length) * 2));
      next.set(this.store.subarray(this.head, this.tail), 0);
      this.store = next;
      this.head = 0;
      this.tail = live;
    }
    // TypedArray set: a plain copy, without Buffer.copy's argument handling (most of its cost
    // for a packet's kilobyte and a half).
    this.store.set(chunk, this.tail);
    this.tail += chunk.length;
    this.buf = this.store.subarray(this.head, this.tail);
  }

  private consume(n: number): void {
    this.head = Math.min(this.tail, this.head + n);
    this.buf = this.store.subarray(this.head, this.tail);
  }

  /** Parses one unit at `at`; returns where the next begins, or undefined when more bytes are needed. */
  private step(at: number, final: boolean): number | undefined {
    const buf = this.buf;
    const start = findStartCode(buf, at);
    if (start < 0) {
      // Keep up to 3 bytes that may begin a start code.
      const keep = Math.max(at, buf.length - 3);
      this.stats.skippedBytes += keep - at;
      if (final) this.stats.skippedBytes += buf.length - keep;
      return final ? undefined : keep === at ? undefined : keep;
    }
    if (start > at) this.stats.skippedBytes += start - at;
    if (buf.length < start + 6) return final ? undefined : start === at ? undefined : start;
    const id = buf[start + 3]!;
    try {
      if (id === PACK) {
        const len = packHeaderLength(buf, start);
        if (len === undefined || buf.length < start + len) return start === at && !final ? undefined : final ? undefined : start;
        this.stats.packs++;
        return start + len;
      }
      if (id === END) return start + 4;
      const length = buf.readUInt16BE(start + 4);
      if (length === 0 && id >= 0xe0 && id <= 0xef) return this.unbounded(start, at, final);
      const total = 6 + length;
      if (buf.length < start + total) {
        if (final) return undefined;
        if (start !== at) return start;
        this.need = total; // the loop stops here, so `at` becomes `head`
        return undefined;
      }
      const pkt = buf.subarray(start, start + total);
      if (id === SYSTEM_HEADER || id === PADDING || id === 0xbf) return start + total;
      if (id === PSM) {
        for (const [esId, type] of parsePsm(pkt)) this.streamTypes.set(esId, type);
        return start + total;
      }
      if ((id >= 0xc0 && id <= 0xef) || id === 0xbd) this.emit(id, pkt);
      return start + total;
    } catch (e) {
      if (!(e instanceof PsError)) throw e;
      this.stats.damaged++;
      return start + 4;
    }
  }

  private unbounded(start: number, at: number, final: boolean): number | undefined {
    const end = findSystemStartCode(this.buf, start + 9);
    if (end < 0) {
      if (!final && this.buf.length - start <= this.maxUnbounded) return start === at ? undefined : start;
      // A PES that never ends (or the stream ended): hand out what we have.
      this.emit(this.buf[start + 3]!, this.buf.subarray(start));
      return this.buf.length;
    }
    this.emit(this.buf[start + 3]!, this.buf.subarray(start, end));
    return end;
  }

  private emit(id: number, pkt: Buffer): void {
    const h = parsePesHeader(pkt);
    this.stats.pes++;
    const p: PesPayload = { streamId: id, streamType: this.streamTypes.get(id), data: pkt.subarray(h.payloadAt) };
    if (h.pts !== undefined) p.pts = h.pts;
    if (h.dts !== undefined) p.dts = h.dts;
    if (p.data.length) this.onPes(p);
  }
}

const START_CODE = Buffer.from([0, 0, 1]);

/** Next `00 00 01 xx` with xx a system or stream id (≥ 0xB9), found by the runtime's own search. */
function findStartCode(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(START_CODE, from); i >= 0 && i + 3 < buf.length; i = buf.indexOf(START_CODE, i + 1)) {
    if (buf[i + 3]! >= 0xb9) return i;
  }
  return -1;
}

/**
 * Where an unbounded video PES ends: the next start code of a pack, system header, PSM, or PES.
 * Inside H.264/H.265 data a start code is followed by a NAL header whose forbidden bit is 0, so
 * `00 00 01` then a byte ≥ 0xB9 cannot be video payload.
 */
function findSystemStartCode(buf: Buffer, from: number): number {
  return findStartCode(buf, from);
}
