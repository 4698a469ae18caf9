// PostgreSQL: moves committed entries from `audit_inbox` into the chain (migration 0010), a
// batch per transaction under the head's lock. Actions only write their entry to the inbox in
// their own transaction; this runs shortly after (AuditLog's CHAIN_DELAY_MS), on a sweep, and before the register
// is read, on every node, serialised by the lock.
import type { Transaction } from 'kysely';
import type { AuditRepository, ChainLink } from '../db/audit.repository.js';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';

/** Most entries chained in one transaction. */
export const CHAIN_BATCH = 1000;

export interface ChainedBatch {
  links: ChainLink[];
  checkpointSeq: number;
  checkpointAt: number;
}

export interface InboxChainerOptions {
  /** Runs inside each batch's transaction, the lock held (to sign a checkpoint that fell due). */
  onBatch?: (trx: Transaction<Database>, batch: ChainedBatch) => Promise<void>;
  /** An inbox row that could not be chained even alone: left where it is, for verify to report. */
  onStuck?: (inboxId: number, error: unknown) => void;
  /** A batch the database refused: its rows are chained one at a time instead (slow: one commit each). */
  onBatchFailed?: (error: unknown) => void;
}

export class InboxChainer {
  /** Inbox rows that failed alone: skipped by this process from then on. */
  readonly stuck = new Set<number>();
  /** Entries chained, batches committed, and batches refused that fell back to one row at a time. */
  readonly counters = { chained: 0, batches: 0, fallbacks: 0 };
  private queued: Promise<number> | undefined;
  private active: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly repo: AuditRepository,
    private readonly options: InboxChainerOptions = {},
  ) {}

  /**
   * Chains every entry committed by now; resolves with how many this run chained. Runs do not
   * overlap: a call during a run queues one more after it (which sees what the running one may
   * have missed), and calls while that one waits share it.
   */
  run(): Promise<number> {
    if (this.queued) return this.queued;
    const next = this.active.then(() => {
      this.queued = undefined;
      return this.drain();
    });
    this.queued = next;
    this.active = next.catch(() => undefined);
    return next;
  }

  private async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = await this.batch(null);
      } catch (e) {
        // One bad row fails its whole batch: chain the waiting rows one at a time instead.
        this.counters.fallbacks++;
        this.options.onBatchFailed?.(e);
        n = await this.oneByOne();
      }
      total += n;
      if (n < CHAIN_BATCH) return total;
    }
  }

  private async oneByOne(): Promise<number> {
    let n = 0;
    for (const id of await this.repo.inboxIds(CHAIN_BATCH, [...this.stuck])) {
      try {
        n += await this.batch(id);
      } catch (e) {
        this.stuck.add(id);
        this.options.onStuck?.(id, e);
      }
    }
    return n;
  }

  private async batch(only: number | null): Promise<number> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const batch = await this.repo.chainPending(trx, CHAIN_BATCH, [...this.stuck], only);
      if (batch.links.length === 0) return 0;
      await this.options.onBatch?.(trx, batch);
      this.counters.chained += batch.links.length;
      this.counters.batches++;
      return batch.links.length;
    });
  }
}
