// Payload bytes copied out of network buffers into large reusable slabs. Every ArrayBuffer V8
// allocates counts as external memory, and a few tens of MB of it trigger a full garbage
// collection: a buffer per packet or per NAL unit meant several mark-compacts a second with a
// few hundred cameras. Here NAL units are packed into 128 KiB slabs that go back to a shared
// free list once every access unit in them has been released (written to disk). A unit nobody
// releases simply keeps its slab until the garbage collector frees it, so a consumer that never
// calls release is slower, never wrong.

export interface Slab {
  readonly bytes: Buffer;
  /** Claims (access units) not yet released. */
  refs: number;
  /** The arena has moved on: the slab returns to the pool when refs reaches 0. */
  retired: boolean;
}

export interface SlabPoolStats {
  allocated: number;
  reused: number;
  free: number;
  /** Free slabs let go because a whole trim period passed without their being needed. */
  trimmed: number;
  /** Slabs taken and not given back (held by arenas and unreleased units), now and at most. */
  lent: number;
  peakLent: number;
}

/**
 * Slabs given back wait in a free list for the next taker. Cameras fed by one encoder (or
 * synchronised by their owner) end their GOPs together, so slabs come back and are taken again
 * in bursts of hundreds: a free list capped below the burst drops slabs only to allocate them
 * again a moment later — hundreds of megabytes a minute of ArrayBuffers, each counted as
 * external memory, each adding to the full garbage collections that it triggers. So the list is
 * bounded by what is actually needed: every `trimEveryMs`, the slabs that stayed free through the
 * whole period (the fewest free seen) are let go, and `maxFree` is only a ceiling for safety.
 */
export class SlabPool {
  readonly stats: SlabPoolStats = { allocated: 0, reused: 0, free: 0, trimmed: 0, lent: 0, peakLent: 0 };
  private readonly free: Slab[] = [];
  /** The fewest slabs free at any moment since the last trim. */
  private lowWater = 0;
  private trimAt: number;

  constructor(
    readonly slabBytes = 128 * 1024,
    /** Free slabs kept at most; more are left to the garbage collector. */
    private readonly maxFree = 8192,
    private readonly trimEveryMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.trimAt = this.now() + trimEveryMs;
  }

  take(): Slab {
    this.trimIfDue();
    const slab = this.free.pop();
    if (this.free.length < this.lowWater) this.lowWater = this.free.length;
    if (++this.stats.lent > this.stats.peakLent) this.stats.peakLent = this.stats.lent;
    if (slab) {
      this.stats.reused++;
      this.stats.free = this.free.length;
      slab.refs = 0;
      slab.retired = false;
      return slab;
    }
    this.stats.allocated++;
    return { bytes: Buffer.allocUnsafeSlow(this.slabBytes), refs: 0, retired: false };
  }

  give(slab: Slab): void {
    this.stats.lent--;
    if (this.free.length < this.maxFree) this.free.push(slab);
    this.stats.free = this.free.length;
  }

  private trimIfDue(): void {
    const now = this.now();
    if (now < this.trimAt) return;
    this.trimAt = now + this.trimEveryMs;
    // The oldest free slabs (bottom of the stack) are the ones that sat unused.
    const idle = Math.min(this.lowWater, this.free.length);
    if (idle > 0) this.free.splice(0, idle);
    this.stats.trimmed += idle;
    this.stats.free = this.free.length;
    this.lowWater = this.free.length;
  }
}

/** One pool for the process: cameras come and go, their slabs stay in use. */
export const sharedSlabPool = new SlabPool();

export interface SlabArenaOptions {
  /**
   * Write each unit's length as 4 big-endian bytes just before it (its view starts after them):
   * NAL units then lie in memory exactly as the samples of an MP4 file (ISO/IEC 14496-15 with a
   * 4-byte length), so a muxer can write a run of adjacent units as one buffer.
   */
  lengthPrefix?: boolean;
}

/**
 * Packs units (NAL units) written piecewise into slabs taken from a pool. A unit is contiguous:
 * one that outgrows the rest of its slab moves to a fresh slab, one larger than a slab gets a
 * buffer of its own. `claim()` ties the units closed since the last claim to one release.
 * Copies go straight from the source's bytes to the slab (Buffer#copy with offsets): no view is
 * made per piece, which at a few hundred packets a second per camera is measurable.
 */
export class SlabArena {
  /** Each closed unit is preceded in memory by its length (4 bytes, big-endian). */
  readonly lengthPrefixed: boolean;
  private readonly prefix: number;
  private slab: Slab | undefined;
  private used = 0;
  /** Start of the open unit in the slab, or -1 when none is open (or it is in `big`). */
  private start = -1;
  private big: Buffer | undefined;
  private bigLength = 0;
  private touched: Slab[] = [];

  constructor(
    private readonly pool: SlabPool = sharedSlabPool,
    options: SlabArenaOptions = {},
  ) {
    this.lengthPrefixed = options.lengthPrefix === true;
    this.prefix = this.lengthPrefixed ? 4 : 0;
  }

  /** Bytes of the open unit so far. */
  get openBytes(): number {
    if (this.big) return this.bigLength - this.prefix;
    return this.start < 0 ? 0 : this.used - this.start - this.prefix;
  }

  /** Opens a unit (dropping one still open). */
  open(): void {
    this.abort();
    if (!this.slab || this.used + this.prefix >= this.pool.slabBytes) this.nextSlab();
    this.start = this.used;
    this.used += this.prefix; // room for the length, written on close
  }

  appendByte(value: number): void {
    this.reserve(1);
    if (this.big) this.big[this.bigLength++] = value;
    else this.slab!.bytes[this.used++] = value;
  }

  append(bytes: Buffer): void {
    this.appendRange(bytes, 0, bytes.length);
  }

  /** Appends bytes[from, to) without making a view of them. */
  appendRange(bytes: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.reserve(n);
    if (this.big) {
      bytes.copy(this.big, this.bigLength, from, to);
      this.bigLength += n;
    } else {
      bytes.copy(this.slab!.bytes, this.used, from, to);
      this.used += n;
    }
  }

  /** Closes the open unit and returns it (a view that stays valid until its claim is released). */
  close(): Buffer {
    if (this.big) {
      const big = this.big;
      if (this.prefix) big.writeUInt32BE(this.bigLength - 4, 0);
      const out = big.subarray(this.prefix, this.bigLength);
      this.big = undefined;
      this.bigLength = 0;
      this.start = -1;
      return out;
    }
    if (this.start < 0) return Buffer.alloc(0);
    const slab = this.slab!;
    if (this.prefix) slab.bytes.writeUInt32BE(this.used - this.start - 4, this.start);
    const out = slab.bytes.subarray(this.start + this.prefix, this.used);
    this.start = -1;
    if (this.touched[this.touched.length - 1] !== slab) this.touched.push(slab);
    return out;
  }

  /** Forgets the open unit; its bytes are reused. */
  abort(): void {
    if (this.start >= 0) this.used = this.start;
    this.start = -1;
    this.big = undefined;
    this.bigLength = 0;
  }

  /**
   * Ties every unit closed since the last claim to the returned release. Call release once no
   * view of those units is used any more; calling it again does nothing.
   */
  claim(): (() => void) | undefined {
    return this.claimShared()?.release;
  }

  /**
   * `claim`, with `retain` for further holders of the same units (a stream hub keeping them past
   * their delivery while the recorder writes them): each retain is a claim of its own, let go by
   * the function it returns, and the slabs go back only when every claim is.
   */
  claimShared(): { release: () => void; retain: () => () => void } | undefined {
    const slabs = this.touched;
    if (slabs.length === 0) return undefined;
    const pool = this.pool;
    if (slabs.length === 1) {
      // Most access units lie in one slab: claims that hold it alone, and the touched list is
      // kept for the next claim (one object less held per picture until it is written).
      const slab = slabs[0]!;
      slabs.length = 0;
      const hold = () => {
        slab.refs++;
        let done = false;
        return () => {
          if (done) return;
          done = true;
          if (--slab.refs === 0 && slab.retired) pool.give(slab);
        };
      };
      return { release: hold(), retain: hold };
    }
    this.touched = [];
    const hold = () => {
      for (const s of slabs) s.refs++;
      let done = false;
      return () => {
        if (done) return;
        done = true;
        for (const s of slabs) {
          if (--s.refs === 0 && s.retired) pool.give(s);
        }
      };
    };
    return { release: hold(), retain: hold };
  }

  /** The current slab is given up (the arena is done with its source). */
  dispose(): void {
    this.abort();
    // Closed but unclaimed units are not referenced by anyone who will release them.
    for (const s of this.touched) if (s !== this.slab && s.refs === 0 && s.retired) this.pool.give(s);
    this.touched = [];
    this.retire();
  }

  /**
   * Makes room for `n` more bytes of the open unit: afterwards they go to `big` at `bigLength`
   * when a big buffer is in use, else to the current slab at `used`.
   */
  private reserve(n: number): void {
    if (this.start < 0 && !this.big) this.open();
    if (this.big) {
      const need = this.bigLength + n;
      if (need > this.big.length) {
        const grown = Buffer.allocUnsafeSlow(Math.max(need, this.big.length * 2));
        this.big.copy(grown, 0, 0, this.bigLength);
        this.big = grown;
      }
      return;
    }
    const size = this.pool.slabBytes;
    if (this.used + n <= size) return;
    const have = this.used - this.start; // the length prefix's room included
    if (have + n <= size) {
      // Move the unit so far to a fresh slab (copied before the old one can go back to the pool).
      const fresh = this.pool.take();
      this.slab!.bytes.copy(fresh.bytes, 0, this.start, this.used);
      this.used = this.start;
      this.retire();
      this.slab = fresh;
      this.start = 0;
      this.used = have;
      return;
    }
    // Larger than a slab: a buffer of its own, the slab's space given back.
    const big = Buffer.allocUnsafeSlow(Math.max(have + n, 2 * size));
    this.slab!.bytes.copy(big, 0, this.start, this.used);
    this.used = this.start;
    this.start = -1;
    this.big = big;
    this.bigLength = have;
  }

  private nextSlab(): void {
    this.retire();
    this.slab = this.pool.take();
    this.used = 0;
  }

  private retire(): void {
    const old = this.slab;
    if (!old) return;
    this.slab = undefined;
    old.retired = true;
    if (old.refs === 0 && !this.touched.includes(old)) this.pool.give(old);
  }
}
