// A recorder node's leases (issue 22). Every round (a third of the lease time): renew its own
// lease row, which is its heartbeat and the lease of every camera it holds (one row updated a
// round, whatever the number of cameras), then read the live nodes, the recordable cameras and the leases,
// compute the placement every node computes alike, take the cameras placed here whose lease is
// free or expired (epoch + 1), and hand over, a few a round, those placed on another live node.
// Renewal and takeover use the database's clock; this process's monotonic clock only decides,
// conservatively, when it must stop writing under a lease it could not renew in time.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { HeldLease, LeaseRepository, RecorderNode } from '../db/lease.repository.js';
import type { RecordableCamera } from '../db/recording.repository.js';
import type { CameraLeases } from '../recorder/leases.js';
import { place, planRound } from './placement.js';

export interface LeaseKeeperOptions {
  nodeId: string;
  url: string | null;
  capacity: number;
  leaseMs: number;
  handOversPerRound: number;
  /**
   * Every this many quiet rounds, cameras or leases changed elsewhere are looked for by the
   * database's digest of them; the full look (reading every camera and lease) only when it differs
   * (default 10).
   */
  fullLookEveryRounds?: number;
  /** Monotonic milliseconds (default performance.now). */
  monotonic?: () => number;
  /** Told after every round that reached the database (for logs, metrics and tests). */
  onRound?: (report: RoundReport) => void;
  /**
   * Wake-ups between nodes (PostgreSQL LISTEN/NOTIFY): a node that gives cameras up wakes the
   * others, so the node placement chose takes them now rather than at its next round. A lost
   * wake-up costs one round at most.
   */
  wakeups?: { notify(): void; listen(cb: () => void): () => void };
}

interface Held {
  epoch: number;
  /** Monotonic time until which writing is safe: the renewal's start plus the lease, less a margin. */
  validUntil: number;
}

export interface RoundReport {
  renewed: number;
  lost: number[];
  acquired: HeldLease[];
  released: number[];
  /** Why the round read every camera and lease (the costly part); absent in a quiet round. */
  look?: string;
}

export class LeaseKeeper implements CameraLeases {
  readonly nodeId: string;
  private readonly heldMap = new Map<number, Held>();
  private readonly events = new EventEmitter();
  private stopper: (ids: number[]) => Promise<void> = async () => undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RoundReport | undefined> | undefined;
  private closed = false;
  private readonly mono: () => number;
  private failures = 0;
  /** Rounds left that read which leases are still this node's (after its lease ran out). */
  private checkHeldRounds = 0;
  /** Monotonic time of the last round that could not reach the database (-Infinity: none yet). */
  private lastFailureAt = -Infinity;
  private unlisten: (() => void) | undefined;
  /** The live nodes at the last full look, and rounds since. */
  private lastAlive = '';
  private quietRounds = 0;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** The database's digest of cameras and leases at the last full look. */
  private lastFingerprint: string | undefined;
  /** The last full look wanted to take or give cameras: look again next round. */
  private unsettled: string | false = 'start';
  /** Make-before-break, as the successor: cameras being handed to this node. */
  private readonly incomingSet = new Set<number>();
  /** …and the standby sessions waiting for their leases. */
  private readonly waiters = new Map<number, { promise: Promise<number>; resolve(epoch: number): void; reject(e: Error): void }>();
  /** As the holder: cameras named to a successor, and when (monotonic), to fall back if it never gets ready. */
  private readonly nominated = new Map<number, { successor: string; since: number }>();

  constructor(
    private readonly repo: LeaseRepository,
    private readonly cameras: () => Promise<RecordableCamera[]>,
    private readonly options: LeaseKeeperOptions,
    private readonly logger: Logger,
  ) {
    this.nodeId = options.nodeId;
    this.mono = options.monotonic ?? (() => performance.now());
  }

  get renewMs(): number {
    return Math.max(500, Math.floor(this.options.leaseMs / 3));
  }

  /**
   * The database could not be reached (a lease round or an index commit failed): nobody can take a
   * camera over while it is away, so the leases held stay writable; see the round's catch.
   */
  databaseUnreachable(): void {
    if (this.closed) return;
    this.lastFailureAt = this.mono();
    const validUntil = this.mono() + this.options.leaseMs - this.marginMs;
    for (const h of this.heldMap.values()) h.validUntil = Math.max(h.validUntil, validUntil);
  }

  /** Writing stops this long before the lease could have run out by the database's clock. */
  private get marginMs(): number {
    return Math.min(1000, this.options.leaseMs / 6);
  }

  /** How many cameras this node holds (without copying them, as held() does). */
  get heldCount(): number {
    return this.heldMap.size;
  }

  held(): ReadonlyMap<number, number> {
    return new Map([...this.heldMap].map(([id, h]) => [id, h.epoch]));
  }

  valid(cameraId: number, epoch: number): boolean {
    const h = this.heldMap.get(cameraId);
    return !!h && h.epoch === epoch && this.mono() < h.validUntil;
  }

  fenced(cameraId: number, epoch: number): void {
    const h = this.heldMap.get(cameraId);
    if (!h || h.epoch !== epoch) return;
    this.heldMap.delete(cameraId);
    this.logger.warn({ cameraId, epoch }, 'lease lost: the index refused this epoch; the camera is recorded elsewhere');
    this.events.emit('change');
  }

  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  attach(stopper: (cameraIds: number[]) => Promise<void>): void {
    this.stopper = stopper;
  }

  incoming(): ReadonlySet<number> {
    return new Set(this.incomingSet);
  }

  ready(cameraId: number): void {
    if (!this.incomingSet.has(cameraId) || this.closed) return;
    this.repo.successorReady(this.nodeId, [cameraId]).then(
      () => this.options.wakeups?.notify(),
      (e: unknown) => this.logger.warn({ err: e, cameraId }, 'could not tell the holder this node is ready to take the camera over'),
    );
  }

  whenHeld(cameraId: number): Promise<number> {
    const h = this.heldMap.get(cameraId);
    if (h) return Promise.resolve(h.epoch);
    if (!this.incomingSet.has(cameraId) || this.closed) return Promise.reject(new Error(`camera ${cameraId} is not being handed to this node`));
    let w = this.waiters.get(cameraId);
    if (!w) {
      let resolve!: (epoch: number) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<number>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => undefined);
      w = { promise, resolve, reject };
      this.waiters.set(cameraId, w);
    }
    return w.promise;
  }

  private settleWaiter(cameraId: number, epoch: number | Error): void {
    const w = this.waiters.get(cameraId);
    if (!w) return;
    this.waiters.delete(cameraId);
    if (typeof epoch === 'number') w.resolve(epoch);
    else w.reject(epoch);
  }

  /** The first round runs now (the recorder starts with what it holds), then every renewMs. */
  async start(): Promise<void> {
    await this.round();
    this.timer = setInterval(() => void this.round(), this.renewMs);
    this.timer.unref();
    this.unlisten = this.options.wakeups?.listen(() => {
      this.unsettled = 'wake-up';
      void this.round();
    });
  }

  /** The camera list changed in this process: look at placement in a round now, not in a few. */
  lookNow(): void {
    this.unsettled = 'camera change';
    void this.round().then(() => {
      // A change during a round already under way is seen by the next one.
      if (this.unsettled) void this.round();
    });
  }

  /** One round; concurrent calls share it. Undefined when the database could not be reached. */
  round(): Promise<RoundReport | undefined> {
    this.running ??= this.once().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * The soonest another live node's lease can run out: a round is set for that moment, so a dead
   * node's cameras are taken when its lease runs out rather than at this node's next round (up
   * to a third of the lease later). A node that renews moves the moment on; the timer is re-set
   * each round.
   */
  private watchExpiry(nodes: readonly RecorderNode[]): void {
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    const left = nodes.filter((n) => n.id !== this.nodeId && n.alive && n.leaseLeftMs > 0).map((n) => n.leaseLeftMs);
    if (!left.length || this.closed) return;
    const wait = Math.min(...left) + EXPIRY_SLACK_MS;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.unsettled = 'node lease expiry';
      void this.round();
    }, wait);
    this.expiryTimer.unref();
  }

  /** Stops renewing; gives every lease up so other nodes take the cameras at once, and leaves. */
  async close(): Promise<void> {
    this.closed = true;
    this.unlisten?.();
    if (this.timer) clearInterval(this.timer);
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    await this.running?.catch(() => undefined);
    for (const id of [...this.waiters.keys()]) this.settleWaiter(id, new Error('the node is stopping'));
    this.incomingSet.clear();
    const held = [...this.heldMap].map(([cameraId, h]) => ({ cameraId, epoch: h.epoch }));
    this.heldMap.clear();
    await this.repo.release(this.nodeId, held).catch((e: unknown) => this.logger.warn({ err: e }, 'leases could not be given up; they expire on their own'));
    await this.repo.leave(this.nodeId).catch(() => undefined);
    if (held.length) this.options.wakeups?.notify();
  }

  private async once(): Promise<RoundReport | undefined> {
    if (this.closed) return undefined;
    const { nodeId, leaseMs } = this.options;
    const started = this.mono();
    const report: RoundReport = { renewed: 0, lost: [], acquired: [], released: [] };
    let changed = false;
    try {
      // One statement renews the heartbeat and every lease held (the node's own lease row). Only
      // when that lease had run out (a pause, an outage) can another node have taken a camera:
      // then, and the round after (a takeover committing late), the leases still ours are read.
      // Nothing is copied or allocated per camera in a round that renews (most rounds): at
      // 10,000 cameras that garbage was most of what a quiet node spent. Cameras are only added
      // to heldMap by rounds, which do not overlap, so what it holds after the renewal is what
      // the renewal covered (less any fenced meanwhile).
      const { continuous } = await this.repo.renewNode({ id: nodeId, url: this.options.url, capacity: this.options.capacity }, leaseMs);
      if (!continuous) this.checkHeldRounds = 2;
      if (this.checkHeldRounds > 0 && this.heldMap.size) {
        this.checkHeldRounds--;
        const still = new Map((await this.repo.heldBy(nodeId)).map((l) => [l.cameraId, l.epoch]));
        for (const [cameraId, h] of this.heldMap) {
          if (still.get(cameraId) === h.epoch) continue;
          this.heldMap.delete(cameraId);
          this.nominated.delete(cameraId);
          report.lost.push(cameraId);
          changed = true;
        }
      }
      report.renewed = this.heldMap.size;
      const validUntil = started + leaseMs - this.marginMs;
      for (const h of this.heldMap.values()) h.validUntil = validUntil;
      if (report.lost.length) this.logger.warn({ cameras: report.lost }, 'leases lost: another node took these cameras over');
      if (this.closed) return report;

      // The whole picture (cameras, leases, placement) is read when it may have changed: the live
      // nodes differ, the last look left something to take, a hand-over is under way, or the
      // database's digest of cameras and leases (asked every tenth quiet round) changed. Between,
      // a round is the renewal and the small node list: at 10,000 cameras that is most of the
      // lease cost saved.
      const nodes = await this.repo.nodes();
      this.watchExpiry(nodes);
      const aliveKey = nodes.filter((n) => n.alive || n.id === nodeId).map((n) => `${n.id}:${n.capacity}`).join(',');
      let quiet = aliveKey === this.lastAlive && !this.unsettled;
      let fingerprint: string | undefined;
      if (quiet && ++this.quietRounds >= (this.options.fullLookEveryRounds ?? 10)) {
        fingerprint = await this.repo.placementFingerprint();
        this.quietRounds = 0;
        quiet = fingerprint === this.lastFingerprint;
      }
      if (quiet) {
        this.failures = 0;
        this.options.onRound?.(report);
        return report;
      }
      report.look = aliveKey !== this.lastAlive ? 'nodes' : this.unsettled ? this.unsettled : 'digest';
      this.lastAlive = aliveKey;
      this.quietRounds = 0;
      // The digest before the full look: a change made while it reads is seen at the next check.
      this.lastFingerprint = fingerprint ?? (await this.repo.placementFingerprint());
      const [cameras, leases] = await Promise.all([this.cameras(), this.repo.leases()]);
      const alive = nodes.filter((n) => n.alive || n.id === nodeId).map((n) => ({ id: n.id, capacity: n.id === nodeId ? this.options.capacity : n.capacity }));
      if (!alive.some((n) => n.id === nodeId)) alive.push({ id: nodeId, capacity: this.options.capacity });
      const placement = place(cameras.map((c) => ({ id: c.id, priority: c.priority ?? 0 })), alive);
      const leaseMap = new Map(leases.map((l) => [l.cameraId, l]));
      const plan = planRound({
        self: nodeId,
        placement,
        held: this.heldMap.keys(),
        leases: leaseMap,
        recordable: new Set(cameras.map((c) => c.id)),
        maxHandOvers: this.options.handOversPerRound,
      });
      // Make-before-break, as the successor: leases handed to this node are adopted first (so they
      // are not taken for a previous life's), and the standby sessions waiting for them promoted.
      if (this.incomingSet.size) {
        for (const a of await this.repo.adoptHandedOver(nodeId)) {
          this.heldMap.set(a.cameraId, { epoch: a.epoch, validUntil });
          this.incomingSet.delete(a.cameraId);
          this.settleWaiter(a.cameraId, a.epoch);
          report.acquired.push(a);
          changed = true;
        }
      }
      const handedHere = new Set(leases.filter((l) => l.nodeId === nodeId && l.successor === nodeId).map((l) => l.cameraId));
      const incoming = new Set(leases.filter((l) => l.successor === nodeId && l.nodeId !== nodeId && !l.expired).map((l) => l.cameraId));
      for (const id of this.incomingSet) {
        if (incoming.has(id) || this.heldMap.has(id)) continue;
        this.incomingSet.delete(id);
        changed = true;
      }
      for (const id of incoming) if (!this.incomingSet.has(id)) (this.incomingSet.add(id), (changed = true));
      for (const id of [...this.waiters.keys()]) if (!this.incomingSet.has(id) && !this.heldMap.has(id) && !handedHere.has(id) && !plan.acquire.includes(id)) this.settleWaiter(id, new Error('the hand-over was called off'));

      // A lease under this node's name that this process does not know of is a previous life's
      // (a restart within the lease time): give it up so it is taken again with a new epoch.
      const orphaned = leases.filter((l) => l.nodeId === nodeId && !l.expired && !this.heldMap.has(l.cameraId) && !handedHere.has(l.cameraId));
      if (orphaned.length) await this.repo.release(nodeId, orphaned);
      const orphanIds = new Set(orphaned.map((l) => l.cameraId));
      // Back from a database outage, every lease has expired by the database's clock: the holders
      // renew theirs first. A camera another node held is taken only once that node had a lease
      // time to renew, so an outage moves no camera.
      const backFromOutage = this.mono() - this.lastFailureAt < leaseMs;
      const acquire = [...plan.acquire, ...[...orphanIds].filter((id) => placement.get(id) === nodeId && !plan.acquire.includes(id))]
        .filter((id) => !backFromOutage || !leaseMap.has(id) || leaseMap.get(id)!.nodeId === nodeId);

      // Cameras no longer to be recorded are given up at once; cameras placement moves to another
      // live node are handed over make-before-break (docs/DEPLOY.md): named, then passed on once
      // the successor records them, or given up after three lease times if it never gets ready.
      const recordable = new Set(cameras.map((c) => c.id));
      const drop = plan.release.filter((id) => !recordable.has(id) || placement.get(id) === undefined);
      const moves = plan.release.filter((id) => !drop.includes(id));
      const toNominate: { cameraId: number; epoch: number; successor: string }[] = [];
      const toHandOver: number[] = [];
      for (const id of moves) {
        const target = placement.get(id)!;
        const lease = leaseMap.get(id);
        const n = this.nominated.get(id);
        if (lease?.successor === target && lease.successorReady) toHandOver.push(id);
        else if (!n || n.successor !== target || lease?.successor !== target) {
          this.nominated.set(id, { successor: target, since: n?.successor === target ? n.since : this.mono() });
          toNominate.push({ cameraId: id, epoch: this.heldMap.get(id)!.epoch, successor: target });
        } else if (this.mono() - n.since > 3 * leaseMs) {
          this.logger.warn({ cameraId: id, successor: target }, 'the successor never got ready: handing the camera over break-before-make');
          drop.push(id);
        }
      }
      if (toNominate.length) {
        await this.repo.nominate(nodeId, toNominate);
        this.options.wakeups?.notify();
      }
      if (toHandOver.length) {
        // After this node's last row: its files closed and indexed, then the lease passes on.
        await this.stopper(toHandOver);
        const passed = await this.repo.handOver(nodeId, toHandOver.map((id) => ({ cameraId: id, epoch: this.heldMap.get(id)!.epoch })));
        for (const p of passed) {
          this.heldMap.delete(p.cameraId);
          this.nominated.delete(p.cameraId);
          report.released.push(p.cameraId);
        }
        // A camera stopped but not passed on (the successor gave up meanwhile): let it go, so the
        // lease expires into whoever placement chooses rather than stay held and unrecorded.
        const stuck = toHandOver.filter((id) => !passed.some((p) => p.cameraId === id));
        if (stuck.length) drop.push(...stuck.filter((id) => !drop.includes(id)));
        this.options.wakeups?.notify();
        changed = true;
        if (passed.length) this.logger.info({ cameras: passed }, 'cameras handed over make-before-break to the nodes placement chose');
      }
      if (drop.length) {
        // Break before the other node makes: the file is closed and indexed under this epoch, then the lease is freed.
        await this.stopper(drop);
        const giving = drop.flatMap((id) => {
          const h = this.heldMap.get(id);
          this.heldMap.delete(id);
          this.nominated.delete(id);
          return h ? [{ cameraId: id, epoch: h.epoch }] : [];
        });
        await this.repo.release(nodeId, giving);
        this.options.wakeups?.notify();
        report.released.push(...giving.map((g) => g.cameraId));
        changed = true;
        this.logger.info({ cameras: giving.map((g) => g.cameraId) }, 'cameras given up');
      }
      if (acquire.length && !this.closed) {
        // Held under this node's lease, renewed this round after `started`.
        const got = await this.repo.acquire(nodeId, acquire);
        for (const g of got) {
          this.heldMap.set(g.cameraId, { epoch: g.epoch, validUntil });
          // A standby session of a hand-over that fell through to expiry is promoted all the same.
          this.incomingSet.delete(g.cameraId);
          this.settleWaiter(g.cameraId, g.epoch);
        }
        report.acquired.push(...got);
        if (got.length) {
          changed = true;
          this.logger.info({ cameras: got.length, epochs: got.slice(0, 20) }, 'camera leases acquired');
        }
      }
      // Look again next round while placement and what this node holds differ either way: a
      // camera placed here that another node is still handing over, or one held here placed elsewhere.
      let placedHere = 0;
      for (const node of placement.values()) if (node === nodeId) placedHere++;
      this.unsettled = backFromOutage ? 'outage' : placedHere !== this.heldMap.size ? `placed ${placedHere} held ${this.heldMap.size}` : plan.release.length > 0 ? 'release' : this.incomingSet.size > 0 ? 'incoming' : this.nominated.size > 0 ? 'nominated' : placedElsewhere(placement, this.heldMap.keys(), nodeId) ? 'placed elsewhere' : false;
      this.failures = 0;
      this.options.onRound?.(report);
      return report;
    } catch (e) {
      this.unsettled = 'database';
      // The database is away: nobody can take a camera over meanwhile (takeover is a write to it),
      // so recording goes on to local disk under the epochs held, and the index rows wait in the
      // index writer. When it returns the fencing check decides: rows are written if the lease is
      // still this node's epoch, refused if another node took the camera (a node cut off alone).
      this.databaseUnreachable();
      if (this.failures++ % 10 === 0) this.logger.error({ err: e, cameras: this.heldMap.size }, 'lease round failed: the database is unreachable; recording goes on to local disk under the leases held, and their rows are written when it returns unless another node took the camera');
      return undefined;
    } finally {
      if (changed && !this.closed) this.events.emit('change');
    }
  }
}

/** A round just after a lease runs out (a little after, so the database sees it run out too). */
const EXPIRY_SLACK_MS = 100;

/** Held cameras placement gives to another node (a hand-over still to come). */
function placedElsewhere(placement: ReadonlyMap<number, string>, held: Iterable<number>, self: string): boolean {
  for (const id of held) if (placement.get(id) !== self) return true;
  return false;
}
