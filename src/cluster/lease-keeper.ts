// A recorder node's leases (issue 22). Every round (a third of the lease time): heartbeat, renew
// what it holds in one statement, then read the live nodes, the recordable cameras and the leases,
// compute the placement every node computes alike, take the cameras placed here whose lease is
// free or expired (epoch + 1), and hand over, a few a round, those placed on another live node.
// Renewal and takeover use the database's clock; this process's monotonic clock only decides,
// conservatively, when it must stop writing under a lease it could not renew in time.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { HeldLease, LeaseRepository } from '../db/lease.repository.js';
import type { RecordableCamera } from '../db/recording.repository.js';
import type { CameraLeases } from '../recorder/leases.js';
import { place, planRound } from './placement.js';

/** A full look at cameras and leases at least every this many rounds. */
const FULL_LOOK_EVERY = 10;

export interface LeaseKeeperOptions {
  nodeId: string;
  url: string | null;
  capacity: number;
  leaseMs: number;
  handOversPerRound: number;
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
  private unlisten: (() => void) | undefined;
  /** The live nodes at the last full look, and rounds since. */
  private lastAlive = '';
  private quietRounds = 0;
  /** The last full look wanted to take or give cameras: look again next round. */
  private unsettled = true;

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

  /** Writing stops this long before the lease could have run out by the database's clock. */
  private get marginMs(): number {
    return Math.min(1000, this.options.leaseMs / 6);
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

  /** The first round runs now (the recorder starts with what it holds), then every renewMs. */
  async start(): Promise<void> {
    await this.round();
    this.timer = setInterval(() => void this.round(), this.renewMs);
    this.timer.unref();
    this.unlisten = this.options.wakeups?.listen(() => {
      this.unsettled = true;
      void this.round();
    });
  }

  /** The camera list changed in this process: look at placement in a round now, not in a few. */
  lookNow(): void {
    this.unsettled = true;
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

  /** Stops renewing; gives every lease up so other nodes take the cameras at once, and leaves. */
  async close(): Promise<void> {
    this.closed = true;
    this.unlisten?.();
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
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
      await this.repo.heartbeat({ id: nodeId, url: this.options.url, capacity: this.options.capacity });
      const mine = [...this.heldMap].map(([cameraId, h]) => ({ cameraId, epoch: h.epoch }));
      const notRenewed = new Set(await this.repo.renew(nodeId, mine, leaseMs));
      report.renewed = mine.length - notRenewed.size;
      const validUntil = started + leaseMs - this.marginMs;
      for (const { cameraId } of mine) {
        const h = this.heldMap.get(cameraId);
        if (!h) continue;
        if (!notRenewed.has(cameraId)) h.validUntil = validUntil;
        else {
          this.heldMap.delete(cameraId);
          report.lost.push(cameraId);
          changed = true;
        }
      }
      if (report.lost.length) this.logger.warn({ cameras: report.lost }, 'leases lost: another node took these cameras over');
      if (this.closed) return report;

      // The whole picture (cameras, leases, placement) is read when it may have changed: the live
      // nodes differ, the last look left something to take, a hand-over is under way, or every
      // few rounds for cameras added or removed. Between, a round is the heartbeat, the renewal
      // and the small node list: at 10,000 cameras that is most of the lease cost saved.
      const nodes = await this.repo.nodes(leaseMs);
      const aliveKey = nodes.filter((n) => n.alive || n.id === nodeId).map((n) => `${n.id}:${n.capacity}`).join(',');
      if (aliveKey === this.lastAlive && !this.unsettled && ++this.quietRounds < FULL_LOOK_EVERY) {
        this.failures = 0;
        this.options.onRound?.(report);
        return report;
      }
      this.lastAlive = aliveKey;
      this.quietRounds = 0;
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
      // A lease under this node's name that this process does not know of is a previous life's
      // (a restart within the lease time): give it up so it is taken again with a new epoch.
      const orphaned = leases.filter((l) => l.nodeId === nodeId && !l.expired && !this.heldMap.has(l.cameraId));
      if (orphaned.length) await this.repo.release(nodeId, orphaned);
      const orphanIds = new Set(orphaned.map((l) => l.cameraId));
      const acquire = [...plan.acquire, ...[...orphanIds].filter((id) => placement.get(id) === nodeId && !plan.acquire.includes(id))];

      if (plan.release.length) {
        // Break before the other node makes: the file is closed and indexed under this epoch, then the lease is freed.
        await this.stopper(plan.release);
        const giving = plan.release.flatMap((id) => {
          const h = this.heldMap.get(id);
          this.heldMap.delete(id);
          return h ? [{ cameraId: id, epoch: h.epoch }] : [];
        });
        await this.repo.release(nodeId, giving);
        this.options.wakeups?.notify();
        report.released = giving.map((g) => g.cameraId);
        changed = true;
        this.logger.info({ cameras: report.released }, 'cameras handed over to the nodes placement chose');
      }
      if (acquire.length && !this.closed) {
        // The database set the expiry after this moment: counting from here is on the safe side.
        const asked = this.mono();
        const got = await this.repo.acquire(nodeId, acquire, leaseMs);
        for (const g of got) this.heldMap.set(g.cameraId, { epoch: g.epoch, validUntil: asked + leaseMs - this.marginMs });
        report.acquired = got;
        if (got.length) {
          changed = true;
          this.logger.info({ cameras: got.length, epochs: got.slice(0, 20) }, 'camera leases acquired');
        }
      }
      // Look again next round while placement and what this node holds differ either way: a
      // camera placed here that another node is still handing over, or one held here placed elsewhere.
      let placedHere = 0;
      for (const node of placement.values()) if (node === nodeId) placedHere++;
      this.unsettled = placedHere !== this.heldMap.size || plan.release.length > 0 || placedElsewhere(placement, this.heldMap.keys(), nodeId);
      this.failures = 0;
      this.options.onRound?.(report);
      return report;
    } catch (e) {
      this.unsettled = true;
      if (this.failures++ % 10 === 0) this.logger.error({ err: e }, 'lease round failed; leases not renewed stop being written under when they may have run out');
      return undefined;
    } finally {
      if (changed && !this.closed) this.events.emit('change');
    }
  }
}

/** Held cameras placement gives to another node (a hand-over still to come). */
function placedElsewhere(placement: ReadonlyMap<number, string>, held: Iterable<number>, self: string): boolean {
  for (const id of held) if (placement.get(id) !== self) return true;
  return false;
}
