// The access register (R4.5, R5.2): entries are appended inside the caller's transaction, so an
// action and its record commit together — if the record cannot be written, the action fails.
import type { Transaction } from 'kysely';
import { systemClock, type Clock } from '../domain/clock.js';
import { Errors } from '../errors.js';
import { AuditRepository, type AuditRefRow, type AuditRow, type AuditRowFilter } from '../db/audit.repository.js';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { RowHasher } from './canonical.js';
import { signCheckpoint, toCheckpointLine, type Checkpoint } from './checkpoint.js';
import { toAuditContent, toAuditEntry, type AuditEntry, type AuditEntryInput } from './entry.js';
import type { PlatformKeys } from './platform-key.js';

export interface CheckpointPolicy {
  /** Sign a checkpoint once this many entries have been added since the last one. */
  everyEntries: number;
  /** …or once this much time has passed since the last one and the chain has grown. */
  everyMs: number;
}

export const DEFAULT_CHECKPOINT_POLICY: CheckpointPolicy = { everyEntries: 1000, everyMs: 60_000 };

export interface AuditLogOptions {
  keys: PlatformKeys;
  clock?: Clock;
  checkpoints?: Partial<CheckpointPolicy>;
}

export interface AppendResult {
  firstSeq: number;
  lastSeq: number;
  rowHash: string;
  /** The checkpoint signed with this append, if one fell due. */
  checkpoint: Checkpoint | null;
}

export interface AuditSearch extends AuditRowFilter {
  order?: 'asc' | 'desc';
  cursor?: number;
  limit?: number;
}

export const MAX_PAGE = 1000;

export class AuditLog {
  readonly repo: AuditRepository;
  readonly policy: CheckpointPolicy;
  private readonly clock: Clock;
  private readonly hasher = new RowHasher();

  constructor(
    readonly db: Db,
    private readonly options: AuditLogOptions,
  ) {
    this.repo = new AuditRepository(db.kysely);
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_CHECKPOINT_POLICY, ...options.checkpoints };
    if (!(this.policy.everyEntries >= 1) || !(this.policy.everyMs >= 1)) throw Errors.config('audit checkpoints need everyEntries ≥ 1 and everyMs ≥ 1');
  }

  get keys(): PlatformKeys {
    return this.options.keys;
  }

  /**
   * Records one entry inside `trx`. Call it as the last step of the action's transaction: from
   * here until commit the register's head is locked, so appenders queue instead of forking.
   */
  async append(trx: Transaction<Database>, entry: AuditEntryInput): Promise<AppendResult> {
    return this.appendMany(trx, [entry]);
  }

  /** Records several entries in order, in one transaction (one lock, one head update). */
  async appendMany(trx: Transaction<Database>, entries: AuditEntryInput[]): Promise<AppendResult> {
    if (!trx.isTransaction) throw new TypeError('AuditLog.append needs the caller\'s transaction, not the database handle');
    if (entries.length === 0) throw Errors.validation('nothing to record');
    const now = this.clock.now();
    const contents = entries.map((e) => toAuditContent(e, now));
    const head = await this.repo.reserve(trx, contents.length);
    const rows: AuditRow[] = [];
    const refs: AuditRefRow[] = [];
    let prev = head.prevHash;
    let seq = head.firstSeq;
    for (const c of contents) {
      const rowHash = this.hasher.hash(prev, { ...c, seq });
      rows.push({ ...c, seq, prev_hash: prev, row_hash: rowHash });
      const users = new Set<number>();
      for (const a of JSON.parse(c.actors) as { userId: number | null }[]) if (a.userId !== null) users.add(a.userId);
      for (const u of users) refs.push({ kind: 'user', ref: u, seq });
      for (const cam of new Set(JSON.parse(c.camera_ids) as number[])) refs.push({ kind: 'camera', ref: cam, seq });
      prev = rowHash;
      seq++;
    }
    const lastSeq = seq - 1;
    await this.repo.insert(trx, rows, refs);
    const due = lastSeq - head.checkpointSeq >= this.policy.everyEntries || now - head.checkpointAt >= this.policy.everyMs;
    const checkpoint = due ? signCheckpoint(this.keys, lastSeq, prev, now) : null;
    if (checkpoint) await this.repo.insertCheckpoint(trx, toCheckpointRow(checkpoint));
    await this.repo.setHeadHash(trx, prev, checkpoint ? { seq: lastSeq, at: now } : undefined);
    return { firstSeq: head.firstSeq, lastSeq, rowHash: prev, checkpoint };
  }

  /** Records an entry on its own (for events with no other write, such as a failed login). */
  async record(entry: AuditEntryInput): Promise<AppendResult> {
    return this.db.kysely.transaction().execute((trx) => this.append(trx, entry));
  }

  /**
   * A transaction that takes the register's lock first. On SQLite this gives BEGIN IMMEDIATE
   * semantics, so a second process cannot slip in between the action's reads and its record.
   */
  async transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(async (trx) => {
      if (this.db.dialect === 'sqlite') await this.repo.reserve(trx, 0);
      return fn(trx);
    });
  }

  /** Signs a checkpoint at the head if time says one is due and the chain has grown. */
  async checkpointIfDue(): Promise<Checkpoint | null> {
    return this.checkpoint(false);
  }

  /** Signs a checkpoint at the head now, unless the head already has one. */
  async checkpointNow(): Promise<Checkpoint | null> {
    return this.checkpoint(true);
  }

  private async checkpoint(force: boolean): Promise<Checkpoint | null> {
    return this.db.kysely.transaction().execute(async (trx) => {
      await this.repo.reserve(trx, 0);
      const head = await this.repo.head(trx);
      const now = this.clock.now();
      if (head.seq <= head.checkpoint_seq) return null;
      if (!force && now - head.checkpoint_at < this.policy.everyMs) return null;
      const cp = signCheckpoint(this.keys, head.seq, head.row_hash, now);
      await this.repo.insertCheckpoint(trx, toCheckpointRow(cp));
      await this.repo.setHeadHash(trx, head.row_hash, { seq: head.seq, at: now });
      return cp;
    });
  }

  async checkpoints(afterSeq = 0): Promise<Checkpoint[]> {
    return (await this.repo.checkpoints(afterSeq)).map((r) => ({ seq: r.seq, rowHash: r.row_hash, at: r.at, keyId: r.key_id, signature: r.signature }));
  }

  /** The checkpoints after `afterSeq` as JSON lines, for copying off the box. */
  async exportCheckpoints(afterSeq = 0): Promise<string> {
    return (await this.checkpoints(afterSeq)).map((cp) => `${toCheckpointLine(cp)}\n`).join('');
  }

  /** One page of entries, newest first unless asked otherwise; pass nextCursor for the next. */
  async search(s: AuditSearch = {}): Promise<{ items: AuditEntry[]; nextCursor: number | null }> {
    const limit = Math.min(Math.max(1, s.limit ?? 50), MAX_PAGE);
    const rows = await this.repo.search({ ...s, order: s.order ?? 'desc', limit });
    return { items: rows.map(toAuditEntry), nextCursor: rows.length === limit ? rows[rows.length - 1]!.seq : null };
  }

  /** Every entry matching the filter, page by page, oldest first. */
  async *entries(filter: AuditRowFilter = {}): AsyncGenerator<AuditEntry> {
    let cursor: number | undefined;
    for (;;) {
      const page = await this.search({ ...filter, order: 'asc', cursor, limit: MAX_PAGE });
      yield* page.items;
      if (page.nextCursor === null) return;
      cursor = page.nextCursor;
    }
  }
}

function toCheckpointRow(cp: Checkpoint) {
  return { seq: cp.seq, row_hash: cp.rowHash, at: cp.at, key_id: cp.keyId, signature: cp.signature };
}

/** Signs time-based checkpoints while the register is quiet. */
export class CheckpointTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly log: AuditLog,
    private readonly onError: (e: unknown) => void,
    private readonly intervalMs = Math.max(1000, Math.floor(log.policy.everyMs / 4)),
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running = this.log.checkpointIfDue().catch(this.onError);
    }, this.intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
