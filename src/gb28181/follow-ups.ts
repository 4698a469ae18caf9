// Work that follows a device's registration (the DeviceInfo and Catalog queries, the catalog into
// the registry), run a few devices at a time, each started from the event loop's check phase so
// the datagrams already waiting (more REGISTERs) are handled first. A thousand devices registering
// together used to start two thousand queries and a thousand catalogs beside the REGISTERs still
// coming, and every later REGISTER waited behind that work: the REGISTER is answered first, and
// what follows it waits its turn here.
// While other devices are still registering (a REGISTER challenged and not yet answered 200, as in a
// thousand devices coming back after a restart), nothing new starts: each query and catalog would
// sit in the event loop between a device's 401 and its authorised REGISTER. A device waiting longer
// than `holdMs` starts anyway, one at a time, so a storm that never ends does not starve them.

export interface FollowUpHold {
  /** True while registrations are under way (follow-ups then wait). */
  busy: () => boolean;
  /** Longest a follow-up waits for them before it starts, one at a time. */
  holdMs: number;
  /** Milliseconds on a monotonic clock. */
  now: () => number;
}

/** While held, how often busy() is asked again (registrations that end also wake the queue). */
const RECHECK_MS = 100;

export class FollowUps {
  private readonly waiting: { deviceId: string; at: number }[] = [];
  private readonly queued = new Set<string>();
  private running = 0;
  private closed = false;
  private recheck: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly run: (deviceId: string) => Promise<void>,
    private readonly hold?: FollowUpHold,
  ) {}

  get pending(): number {
    return this.waiting.length + this.running;
  }

  /** Queued and not started. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Queues a device (once: a device already waiting keeps its place). */
  add(deviceId: string): void {
    if (this.closed || this.queued.has(deviceId)) return;
    this.queued.add(deviceId);
    this.waiting.push({ deviceId, at: this.hold?.now() ?? 0 });
    this.pump();
  }

  /** Starts what may start now: called when registrations end (and by itself as follow-ups end). */
  pump(): void {
    while (!this.closed && this.running < this.allowed() && this.waiting.length) {
      const { deviceId } = this.waiting.shift()!;
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
    if (!this.closed && this.waiting.length && this.running < this.limit && !this.recheck) {
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        this.pump();
      }, RECHECK_MS);
      this.recheck.unref();
    }
  }

  /** How many may run now: all `limit` when no registration is under way, else none (one for a device held too long). */
  private allowed(): number {
    if (!this.hold?.busy()) return this.limit;
    const oldest = this.waiting[0];
    return oldest && this.hold.now() - oldest.at >= this.hold.holdMs ? 1 : 0;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.recheck);
    this.waiting.length = 0;
    this.queued.clear();
  }
}
