// Work that follows a device's registration (the DeviceInfo and Catalog queries, the catalog into
// the registry), run a few devices at a time, each started from the event loop's check phase so
// the datagrams already waiting (more REGISTERs) are handled first. A thousand devices registering
// together used to start two thousand queries and a thousand catalogs beside the REGISTERs still
// coming, and every later REGISTER waited behind that work: the REGISTER is answered first, and
// what follows it waits its turn here.

export class FollowUps {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private running = 0;
  private closed = false;

  constructor(
    private readonly limit: number,
    private readonly run: (deviceId: string) => Promise<void>,
  ) {}

  get pending(): number {
    return this.waiting.length + this.running;
  }

  /** Queues a device (once: a device already waiting keeps its place). */
  add(deviceId: string): void {
    if (this.closed || this.queued.has(deviceId)) return;
    this.queued.add(deviceId);
    this.waiting.push(deviceId);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.running < this.limit && this.waiting.length) {
      const deviceId = this.waiting.shift()!;
      this.queued.delete(deviceId);
      this.running++;
      setImmediate(() => {
        const done = () => {
          this.running--;
          this.pump();
        };
        if (this.closed) return done();
        this.run(deviceId).then(done, done);
      });
    }
  }

  close(): void {
    this.closed = true;
    this.waiting.length = 0;
    this.queued.clear();
  }
}
