// Lets this process's appenders send their chain statements one after another, each once the
// one before it has come back (and so holds the register's lock, with a known head), so that an
// entry chained on the previous one reaches the database after it instead of racing it.
// Waiting is bounded: correctness never rests on the order (the database checks the head under
// its lock), and a turn that waits for ever could hide a lock cycle from the database's
// deadlock detector (a transaction holding some row waits here while the holder of the turn
// waits for that row). After `maxWaitMs` a caller goes ahead and, at worst, is re-chained.

export class Turns {
  private last: Promise<void> | null = null;

  constructor(private readonly maxWaitMs = 100) {}

  /** Waits for the previous turn (bounded) and returns the function that ends this one. */
  async take(): Promise<() => void> {
    const previous = this.last;
    let end!: () => void;
    const mine = new Promise<void>((resolve) => (end = resolve));
    this.last = mine;
    if (previous) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([previous, new Promise<void>((resolve) => (timer = setTimeout(resolve, this.maxWaitMs)))]);
      clearTimeout(timer);
    }
    return () => {
      end();
      if (this.last === mine) this.last = null;
    };
  }
}
