// A bounded queue between the network and one slow consumer: when full, the oldest item is
// dropped and counted, so a stalled consumer costs a fixed amount of memory, never more.

export class PacketQueue<T> {
  dropped = 0;
  private items: (T | undefined)[];
  private head = 0;
  private count = 0;
  private ended = false;
  // Nothing is kept until someone iterates: event listeners alone cost no memory.
  private active = false;
  private waiter: ((r: IteratorResult<T>) => void) | undefined;

  constructor(private readonly capacity: number) {
    this.items = new Array(Math.max(1, capacity));
  }

  get size(): number {
    return this.count;
  }

  push(item: T): void {
    if (this.ended || !this.active) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: item, done: false });
      return;
    }
    if (this.count === this.items.length) {
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.items.length;
      this.count--;
      this.dropped++;
    }
    this.items[(this.head + this.count) % this.items.length] = item;
    this.count++;
  }

  end(): void {
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  private shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.items.length;
    this.count--;
    return item;
  }

  iterate(): AsyncIterableIterator<T> {
    const self = this;
    this.active = true;
    return {
      [Symbol.asyncIterator]() {
        return this;
      },
      next(): Promise<IteratorResult<T>> {
        if (self.count > 0) return Promise.resolve({ value: self.shift() as T, done: false });
        if (self.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => {
          self.waiter = resolve;
        });
      },
      return(): Promise<IteratorResult<T>> {
        self.end();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
