// A lane for the platform's less urgent requests: devices' MESSAGE and NOTIFY (keepalives, query
// answers, catalogs, alarms) are handled from the event loop's check phase, a slice at a time,
// while a REGISTER is handled as soon as its datagram is read. The socket is first come, first
// served: in a burst of devices registering, a REGISTER read in the same poll as thirty catalog
// and DeviceInfo answers (each a parse, a 200 sent, a row written) used to wait for all of them.
// Now the REGISTERs of a poll are answered first, then at most `sliceMs` of the lane runs, then
// the next poll reads what came meanwhile. The lane keeps its own order (first in, first out) and
// always makes progress: at least one entry runs each turn, whatever the REGISTERs.

export class MessageLane {
  private readonly queue: (() => void)[] = [];
  private scheduled = false;
  private closed = false;

  /**
   * `sliceMs`: how long one turn of the lane may run before it lets the event loop poll again
   * (at least one entry runs each turn). `now`: a monotonic clock in ms.
   */
  constructor(
    private readonly sliceMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Entries waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Runs `fn` in a later turn of the lane, after what is already queued. */
  push(fn: () => void): void {
    if (this.closed) return;
    this.queue.push(fn);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.turn);
    }
  }

  /**
   * One turn: entries until the slice is used. A setImmediate made inside the check phase runs in
   * the next loop iteration, after its poll, so the next turn comes after the datagrams that wait.
   */
  private readonly turn = (): void => {
    if (this.closed) return;
    const start = this.now();
    try {
      do this.queue.shift()!();
      while (this.queue.length && this.now() - start < this.sliceMs);
    } finally {
      // An entry that threw (the platform's never do: theirs are promises) does not stop the lane.
      if (this.queue.length && !this.closed) setImmediate(this.turn);
      else this.scheduled = false;
    }
  };

  /** Drops what waits; nothing more runs. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
  }
}
