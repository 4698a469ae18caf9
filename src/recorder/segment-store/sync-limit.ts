// At most so many fdatasyncs (and the fsyncs of a new file and its directory) in flight for the
// whole recorder, the rest waiting their turn in order. Each sync holds one of libuv's threads
// until the disk answers, and a buffered write (a copy into the page cache, done in
// microseconds) needs one too: with every thread in a sync, the writes — and the pictures they
// would free — wait behind the disk. The cap keeps threads for the writes; the syncs still group
// in the filesystem's journal (ext4 commits one transaction for every fdatasync waiting on it).

/** Syncs in flight at once: a quarter of the 64 threads bin/vigil.cjs gives libuv's pool. */
export const DEFAULT_SYNCS_IN_FLIGHT = 16;

export class SyncLimit {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  /** Most syncs waiting for a turn at once (for a stalled caller's report). */
  peakWaiting = 0;

  constructor(readonly max: number = DEFAULT_SYNCS_IN_FLIGHT) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`syncs in flight must be a whole number ≥ 1, got ${max}`);
  }

  /** Runs `sync` once fewer than `max` others are running. */
  async run<T>(sync: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) {
      await new Promise<void>((resolve) => {
        this.queue.push(resolve);
        this.peakWaiting = Math.max(this.peakWaiting, this.queue.length);
      });
    } else this.active++;
    try {
      return await sync();
    } finally {
      // The turn passes straight to the next waiter, so `active` counts it already.
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    }
  }

  get inFlight(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }
}
