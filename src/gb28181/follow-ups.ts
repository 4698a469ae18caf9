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

/**
 * REGISTER exchanges under way (challenged, not yet answered 200 or refused), by Call-ID, and
 * whether registrations are still coming: `busy` is true while one is under way and for `quietMs`
 * after the last one ended. Devices that register in waves (a simulator's batches, a site's
 * devices behind one switch coming back) leave a few milliseconds between the last 200 of one
 * wave and the first REGISTER of the next: without the quiet period the follow-ups started in each
 * gap, and their queries, answers and catalog writes then ran between the next wave's 401s and
 * authorised REGISTERs. A challenge whose device never comes back lapses after `lapseMs`.
 */
export class RegistrationActivity {
  private readonly underWay = new Map<string, number>();
  private lastEnded = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: { quietMs: number; lapseMs: number; max?: number }) {}

  /** A REGISTER was challenged at `at` (a Call-ID already under way keeps its first time). */
  started(callId: string, at: number): void {
    if (this.underWay.size >= (this.options.max ?? 10_000)) this.underWay.clear();
    if (!this.underWay.has(callId)) this.underWay.set(callId, at);
  }

  /** The exchange ended (200 or refusal); true when it was the last one under way. */
  ended(callId: string, at: number): boolean {
    if (!this.underWay.delete(callId)) return false;
    this.lastEnded = at;
    return this.underWay.size === 0;
  }

  busy(now: number): boolean {
    const stale = now - this.options.lapseMs;
    for (const [callId, at] of this.underWay) {
      if (at > stale) return true;
      this.underWay.delete(callId);
    }
    return now - this.lastEnded < this.options.quietMs;
  }
}
