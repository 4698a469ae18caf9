// The access register (R4.5, R5.2): entries are appended inside the caller's transaction, so an
// action and its record commit together — if the record cannot be written, the action fails.
import type { Transaction } from 'kysely';
import { systemClock, type Clock } from '../domain/clock.js';
import { Errors } from '../errors.js';
import { AuditRepository, type AppendOutcome, type AuditRefKind, type AuditRefRow, type AuditRow, type AuditRowFilter, type ChainLink } from '../db/audit.repository.js';
import type { Db } from '../db/database.js';
import type { Database } from '../db/schema.js';
import { RowHasher } from './canonical.js';
import { signCheckpoint, toCheckpointLine, type Checkpoint } from './checkpoint.js';
import { toAuditContent, toAuditEntry, type AuditContent, type AuditEntry, type AuditEntryInput } from './entry.js';
import { InboxChainer, type ChainedBatch } from './inbox-chainer.js';
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
  /** PostgreSQL: an inbox entry that cannot be chained (see InboxChainer). */
  onStuck?: (inboxId: number, error: unknown) => void;
  /** PostgreSQL: a batch of inbox entries the database refused to chain together (see InboxChainer). */
  onChainBatchFailed?: (error: unknown) => void;
}

/**
 * PostgreSQL: how long after an append this process chains what was committed meanwhile. A batch
 * has a fixed cost (its transaction, the lock, one call), so waiting a little chains more at once:
 * at 32 concurrent actions, 3 ms gave batches of ~40 and 5,100 actions a second, 50 ms 6,450
 * (measured with durable commits on this 2-core machine). Readers do not wait for it: a read
 * through the log chains what is waiting first.
 */
const CHAIN_DELAY_MS = 50;

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
/** Most standalone entries written in one group commit. */
export const GROUP_MAX = 256;

export class AuditLog {
  readonly repo: AuditRepository;
  readonly policy: CheckpointPolicy;
  private readonly clock: Clock;
  private readonly hasher = new RowHasher();
  /**
   * SQLite: the last entry this process appended (committed or not yet), or null when unknown:
   * where the next append starts. The database checks it under the lock; see appendChained.
   */
  private tip: ChainLink | null = null;
  /** The last entry each open transaction appended: it holds the lock, so that is its head. */
  private readonly held = new WeakMap<Transaction<Database>, ChainLink>();
  /** Standalone entries waiting for the next group commit (see record). */
  private readonly group: { pending: Pending; resolve: (r: AppendResult) => void; reject: (e: unknown) => void }[] = [];
  private grouping = false;
  /** PostgreSQL: moves committed inbox entries into the chain; null on SQLite. */
  readonly chainer: InboxChainer | null;
  private chainTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** Appends made, how many had to be chained again on the true head, entries that shared a group commit. */
  readonly counters = { appended: 0, rechained: 0, grouped: 0 };

  constructor(
    readonly db: Db,
    private readonly options: AuditLogOptions,
  ) {
    this.repo = new AuditRepository(db.kysely);
    this.clock = options.clock ?? systemClock;
    this.policy = { ...DEFAULT_CHECKPOINT_POLICY, ...options.checkpoints };
    if (!(this.policy.everyEntries >= 1) || !(this.policy.everyMs >= 1)) throw Errors.config('audit checkpoints need everyEntries ≥ 1 and everyMs ≥ 1');
    this.chainer = db.dialect === 'postgres'
      ? new InboxChainer(db, this.repo, {
        onBatch: (trx, b) => this.signIfDue(trx, b),
        ...(options.onStuck ? { onStuck: options.onStuck } : {}),
        ...(options.onChainBatchFailed ? { onBatchFailed: options.onChainBatchFailed } : {}),
      })
      : null;
  }

  get keys(): PlatformKeys {
    return this.options.keys;
  }

  /**
   * Records one entry inside `trx`, the action's transaction: it commits with the action or not
   * at all, and a record that cannot be written fails the action. Call it as the last step.
   *
   * PostgreSQL: the entry is written to `audit_inbox` in `trx` — the insert sent with the
   * transaction's COMMIT, in one round trip (a refused insert fails the commit and the action
   * with it, as it would have failed here) — and chained about 50 ms
   * after the commit by this process's chainer (or any node's sweep): no lock is taken inside the
   * action, so actions commit — and flush their WAL — side by side; an action whose only write is
   * its entry has sent nothing before its commit, and commits in one transaction with others
   * like it (NamingPgPool's rides), each acknowledged only once that COMMIT is. Its seq is not known before
   * then, hence `null`; reads through this log chain what is waiting first. SQLite: chained now,
   * as appendMany.
   */
  async append(trx: Transaction<Database>, entry: AuditEntryInput): Promise<AppendResult | null> {
    if (this.db.dialect !== 'postgres') return this.appendMany(trx, [entry]);
    if (!trx.isTransaction) throw new TypeError('AuditLog.append needs the caller\'s transaction, not the database handle');
    const p = toPending(entry, this.clock.now());
    await this.repo.insertInbox(trx, [p.content], [p.refs]);
    this.counters.appended++;
    this.chainSoon();
    return null;
  }

  /**
   * PostgreSQL: chains every entry committed by now (see InboxChainer); resolves with how many
   * were chained. Nothing to do on SQLite, where appends chain at once.
   */
  async chainPending(): Promise<number> {
    return this.chainer ? this.chainer.run() : 0;
  }

  /**
   * Before the database closes: no more chaining runs are scheduled, and what this process
   * appended is chained (PostgreSQL). Entries appended later still commit; another node's sweep,
   * or this one's next start, chains them.
   */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.chainTimer);
    this.chainTimer = undefined;
    await this.chainPending();
  }

  /** After an append, chain soon (CHAIN_DELAY_MS): by then the action has committed, with others. */
  private chainSoon(): void {
    if (this.chainTimer || this.closing) return;
    this.chainTimer = setTimeout(() => {
      this.chainTimer = undefined;
      // A failure leaves the entries waiting for the next run or the sweep (CheckpointTimer).
      this.chainer?.run().catch(() => undefined);
    }, CHAIN_DELAY_MS);
    this.chainTimer.unref();
  }

  /** In a chaining batch's transaction, the lock held: signs a checkpoint if one fell due. */
  private async signIfDue(trx: Transaction<Database>, b: ChainedBatch): Promise<void> {
    const last = b.links[b.links.length - 1]!;
    const now = this.clock.now();
    if (last.seq - b.checkpointSeq < this.policy.everyEntries && now - b.checkpointAt < this.policy.everyMs) return;
    const cp = signCheckpoint(this.keys, last.seq, last.hash, now);
    await this.repo.insertCheckpoint(trx, toCheckpointRow(cp));
    await this.repo.setCheckpointed(trx, last.seq, now);
  }

  /**
   * Records several entries in order, in one transaction (one lock, one head update). The lock
   * is taken by the append itself and held until the caller's transaction ends, so appenders
   * queue instead of forking: on PostgreSQL inside one database call that also hashes
   * (appendInDatabase), on SQLite around entries hashed here (appendChained).
   */
  async appendMany(trx: Transaction<Database>, entries: AuditEntryInput[]): Promise<AppendResult> {
    if (!trx.isTransaction) throw new TypeError('AuditLog.append needs the caller\'s transaction, not the database handle');
    if (entries.length === 0) throw Errors.validation('nothing to record');
    const now = this.clock.now();
    return (await this.appendContents(trx, entries.map((e) => toPending(e, now)), now)).result;
  }

  private async appendContents(trx: Transaction<Database>, entries: Pending[], now: number): Promise<{ result: AppendResult; hashes: string[] }> {
    const r = this.db.dialect === 'postgres' ? await this.appendInDatabase(trx, entries) : await this.appendChained(trx, entries);
    const last = r.links[r.links.length - 1]!;
    // The head's lock is held: a checkpoint signed now is at the true head.
    const due = last.seq - r.checkpointSeq >= this.policy.everyEntries || now - r.checkpointAt >= this.policy.everyMs;
    const checkpoint = due ? signCheckpoint(this.keys, last.seq, last.hash, now) : null;
    if (checkpoint) {
      await this.repo.insertCheckpoint(trx, toCheckpointRow(checkpoint));
      await this.repo.setCheckpointed(trx, last.seq, now);
    }
    this.counters.appended++;
    return { result: { firstSeq: r.links[0]!.seq, lastSeq: last.seq, rowHash: last.hash, checkpoint }, hashes: r.links.map((l) => l.hash) };
  }

  /**
   * PostgreSQL ("for many nodes"): one call that takes the head's lock, hashes and inserts
   * (audit_append, migration 0008). Every appender's call waits at the lock already sent, so
   * the lock is held only for that call and the commit, whichever node appends.
   */
  private async appendInDatabase(trx: Transaction<Database>, entries: Pending[]): Promise<Chained> {
    const refs: { index: number; kind: AuditRefKind; ref: number }[] = [];
    entries.forEach((p, index) => {
      for (const [kind, ref] of p.refs) refs.push({ index, kind, ref });
    });
    return this.repo.appendHashing(trx, entries.map((p) => p.content), refs);
  }

  /**
   * SQLite (one writer at a time): the entries are hashed here, on this process's latest entry
   * (`tip`), and the database takes them only if the head is still that entry once the write
   * lock is held; if not (another process appended, or the tip's transaction rolled back), the
   * lock is held by now and the true head known, so they are chained again on it.
   */
  private async appendChained(trx: Transaction<Database>, entries: Pending[]): Promise<Chained> {
    // A transaction that has appended already holds the lock and knows the head.
    let base = this.held.get(trx) ?? this.tip;
    if (!base) {
      const h = await this.repo.reserve(trx, 0);
      base = { seq: h.firstSeq - 1, hash: h.prevHash };
    }
    for (let attempt = 0; ; attempt++) {
      const { rows, refs, last } = this.chain(base, entries);
      this.tip = last;
      let head: AppendOutcome;
      try {
        head = await this.repo.appendAt(trx, base, rows, refs);
      } catch (e) {
        if (this.tip === last) this.tip = null;
        throw e;
      }
      if (!head.appended) {
        if (this.tip === last) this.tip = null;
        // Holding the lock now, the head cannot move again under this transaction.
        if (attempt > 0) throw new Error(`the register's head moved while locked (seq ${head.seq})`);
        this.counters.rechained++;
        base = { seq: head.seq, hash: head.rowHash };
        continue;
      }
      this.held.set(trx, last);
      return { links: rows.map((r) => ({ seq: r.seq, hash: r.row_hash })), checkpointSeq: head.checkpointSeq, checkpointAt: head.checkpointAt };
    }
  }

  /** The rows and index rows of `entries` chained on `base`. */
  private chain(base: ChainLink, entries: Pending[]): { rows: AuditRow[]; refs: AuditRefRow[]; last: ChainLink } {
    const rows: AuditRow[] = [];
    const refs: AuditRefRow[] = [];
    let prev = base.hash;
    let seq = base.seq + 1;
    for (const { content: c, refs: cRefs } of entries) {
      const rowHash = this.hasher.hash(prev, { ...c, seq });
      rows.push({ ...c, seq, prev_hash: prev, row_hash: rowHash });
      for (const [kind, ref] of cRefs) refs.push({ kind, ref, seq });
      prev = rowHash;
      seq++;
    }
    return { rows, refs, last: { seq: seq - 1, hash: prev } };
  }

  /**
   * Records an entry that has no other write to share a transaction with (a view, a refusal, a
   * failed login): resolves once it is committed, chained, and fails if it could not be.
   *
   * Group commit: while one such transaction is being written, the entries that arrive queue
   * and then go together in the next one (up to GROUP_MAX), so many concurrent callers cost one
   * lock and one commit instead of one each, and an idle register adds no delay. A group the
   * database refuses is retried one entry at a time, so each caller learns its own outcome.
   */
  record(entry: AuditEntryInput): Promise<AppendResult> {
    let pending: Pending;
    try {
      pending = toPending(entry, this.clock.now());
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.group.push({ pending, resolve, reject });
      if (!this.grouping) void this.writeGroups();
    });
  }

  private async writeGroups(): Promise<void> {
    this.grouping = true;
    try {
      while (this.group.length) {
        const waiting = this.group.splice(0, GROUP_MAX);
        try {
          const now = this.clock.now();
          const { result, hashes } = await this.db.kysely.transaction().execute((trx) => this.appendContents(trx, waiting.map((w) => w.pending), now));
          this.counters.grouped += waiting.length > 1 ? waiting.length : 0;
          waiting.forEach((w, i) => w.resolve({
            firstSeq: result.firstSeq + i,
            lastSeq: result.firstSeq + i,
            rowHash: hashes[i]!,
            checkpoint: i === waiting.length - 1 ? result.checkpoint : null,
          }));
        } catch (e) {
          if (waiting.length === 1) {
            waiting[0]!.reject(e);
            continue;
          }
          for (const w of waiting) {
            try {
              const now = this.clock.now();
              w.resolve((await this.db.kysely.transaction().execute((trx) => this.appendContents(trx, [w.pending], now))).result);
            } catch (alone) {
              w.reject(alone);
            }
          }
        }
      }
    } finally {
      this.grouping = false;
    }
  }

  /**
   * A transaction that takes the register's lock first. On SQLite this gives BEGIN IMMEDIATE
   * semantics, so a second process cannot slip in between the action's reads and its record.
   */
  async transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.db.kysely.transaction().execute(async (trx) => {
      if (this.db.dialect === 'sqlite') {
        const h = await this.repo.reserve(trx, 0);
        this.tip = { seq: h.firstSeq - 1, hash: h.prevHash };
      }
      return fn(trx);
    });
  }

  /** Signs a checkpoint at the head if one is due (by entries or by time) and the chain has grown. */
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
      const due = head.seq - head.checkpoint_seq >= this.policy.everyEntries || now - head.checkpoint_at >= this.policy.everyMs;
      if (!force && !due) return null;
      const cp = signCheckpoint(this.keys, head.seq, head.row_hash, now);
      await this.repo.insertCheckpoint(trx, toCheckpointRow(cp));
      await this.repo.setCheckpointed(trx, head.seq, now);
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
    // A reader sees every entry committed before it asked, its own included.
    if (s.cursor === undefined) await this.chainPending();
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

interface Chained {
  links: ChainLink[];
  checkpointSeq: number;
  checkpointAt: number;
}

/** An entry ready to chain: its hashed content and its rows in the search index. */
interface Pending {
  content: AuditContent;
  refs: [AuditRefKind, number][];
}

function toPending(entry: AuditEntryInput, now: number): Pending {
  const content = toAuditContent(entry, now);
  return { content, refs: refsOf(content, entry.organisationIds) };
}

/**
 * Who, which cameras and which subject an entry names, and the organisations it is about
 * (`about`, not hashed), once each: its rows in the search index.
 */
export function refsOf(c: AuditContent, about: readonly number[] = []): [AuditRefKind, number][] {
  const out: [AuditRefKind, number][] = [];
  const users = new Set<number>();
  for (const a of JSON.parse(c.actors) as { userId: number | null }[]) if (a.userId !== null) users.add(a.userId);
  for (const u of users) out.push(['user', u]);
  for (const cam of new Set(JSON.parse(c.camera_ids) as number[])) out.push(['camera', cam]);
  const orgs = new Set(about);
  const subject = targetSubject(c.target);
  if (subject && !(subject[0] === 'organisation' && orgs.has(subject[1]))) out.push(subject);
  for (const o of orgs) out.push(['organisation', o]);
  return out;
}

/** `user:12 …` and `organisation:4 …` targets name a person or an organisation as the subject. */
export function targetSubject(target: string | null): [AuditRefKind, number] | null {
  const m = /^(user|organisation):(\d+)(?:\s|$)/.exec(target ?? '');
  if (!m) return null;
  const id = Number(m[2]);
  if (!Number.isSafeInteger(id) || id <= 0) return null;
  return [m[1] === 'user' ? 'subject_user' : 'organisation', id];
}

function toCheckpointRow(cp: Checkpoint) {
  return { seq: cp.seq, row_hash: cp.rowHash, at: cp.at, key_id: cp.keyId, signature: cp.signature };
}
