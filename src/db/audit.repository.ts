// Storage of the access register. The chain rules (hashing, signing, checking) live in
// src/audit/; this file only moves rows, identically on SQLite and PostgreSQL.
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { CHAIN_COLUMNS } from './audit-chain-reader.js';
import type { Db } from './database.js';
import { WITH_COMMIT } from './pg-statements.js';
import { ReusedQuery, type ArgKind } from './reused-query.js';
import type { Database } from './schema.js';

export interface AuditLogTable {
  /** 1, 2, 3, … with no gaps: a missing number is a deleted entry. */
  seq: number;
  /** When it happened, epoch ms UTC. */
  at: number;
  action: string;
  /** JSON array of {userId, workId, name}, in the order given. */
  actors: string;
  /** JSON array of camera ids. */
  camera_ids: string;
  range_from: number | null;
  range_to: number | null;
  /** What else the entry is about when not footage: 'user:12', 'profile:anhui', … */
  target: string | null;
  purpose: string | null;
  /** 去向: where a copy or retrieved footage went. */
  destination: string | null;
  /** The access request (approval) that allowed it. */
  approval_id: number | null;
  source_address: string | null;
  outcome: string;
  reason: string | null;
  /** Canonical JSON object (sorted keys). */
  detail: string;
  /** Hex SHA-256 of the previous entry, 64 zeros before the first. */
  prev_hash: string;
  /** Hex SHA-256(prev_hash ‖ canonical encoding of this row); see src/audit/README.md. */
  row_hash: string;
}

/**
 * What an index row points at: an actor ('user'), a camera the entry names, or the subject the
 * entry's target names when it is an organisation or a person ('organisation', 'subject_user':
 * a unit renamed, an officer's role granted) — so a reader of a subtree finds entries about it.
 */
export type AuditRefKind = 'user' | 'camera' | 'organisation' | 'subject_user';

export interface AuditRefTable {
  kind: AuditRefKind;
  ref: number;
  seq: number;
}

export interface AuditHeadTable {
  id: number;
  seq: number;
  row_hash: string;
  checkpoint_seq: number;
  checkpoint_at: number;
}

export interface AuditCheckpointTable {
  seq: number;
  row_hash: string;
  at: number;
  key_id: string;
  /** Base64 Ed25519 signature over the checkpoint statement. */
  signature: string;
}

export interface AuditTables {
  audit_log: AuditLogTable;
  audit_refs: AuditRefTable;
  audit_head: AuditHeadTable;
  audit_checkpoints: AuditCheckpointTable;
}

export type AuditRow = Selectable<AuditLogTable>;
/** A row's hashed content apart from its place in the chain. */
export type AuditContentRow = Omit<AuditRow, 'seq' | 'prev_hash' | 'row_hash'>;
export type AuditRefRow = Selectable<AuditRefTable>;
export type AuditHeadRow = Omit<Selectable<AuditHeadTable>, 'id'>;
export type AuditCheckpointRow = Selectable<AuditCheckpointTable>;

export interface AuditRowFilter {
  /** Inclusive lower bound of `at`. */
  from?: number;
  /** Exclusive upper bound of `at`. */
  to?: number;
  actorUserId?: number;
  cameraId?: number;
  action?: string;
  outcome?: string;
  approvalId?: number;
  /**
   * Only entries about these organisation subtrees ('/1/4/' paths): naming a camera whose region
   * or one of whose units lies in one, an actor whose organisation does, or having as their
   * target an organisation in one or a person belonging to one. Absent, or holding
   * '' (the whole platform): every entry. Empty: none.
   */
  scopePaths?: string[];
}

export interface AuditRowSearch extends AuditRowFilter {
  order: 'asc' | 'desc';
  /** Keyset paging: entries after this seq in the chosen order. */
  cursor?: number;
  limit: number;
}

type Q = Kysely<Database> | Transaction<Database>;

/** A point of the chain: an entry's number and hash (0 and the genesis hash before the first). */
export interface ChainLink {
  seq: number;
  hash: string;
}

/** The head as the appending transaction sees it after `appendAt`, and whether the rows went in. */
export interface AppendOutcome {
  seq: number;
  rowHash: string;
  checkpointSeq: number;
  checkpointAt: number;
  appended: boolean;
}

interface HeadOut {
  seq: number | string;
  row_hash: string;
  checkpoint_seq: number | string;
  checkpoint_at: number | string;
}

function toHead(h: HeadOut): Omit<AppendOutcome, 'appended'> {
  return { seq: Number(h.seq), rowHash: h.row_hash, checkpointSeq: Number(h.checkpoint_seq), checkpointAt: Number(h.checkpoint_at) };
}

const ROW_CHUNK = 500;
const REF_CHUNK = 2000;

/** Numbers come back as numbers on both dialects (see database.ts); normalise defensively. */
function toRow(r: AuditRow): AuditRow {
  return {
    ...r,
    seq: Number(r.seq),
    at: Number(r.at),
    range_from: r.range_from === null ? null : Number(r.range_from),
    range_to: r.range_to === null ? null : Number(r.range_to),
    approval_id: r.approval_id === null ? null : Number(r.approval_id),
  };
}

/** The register's columns in one fixed order, with the kind of each: a one-entry insert is compiled once. */
const ROW_COLUMNS = [
  ['seq', 'number'], ['at', 'number'], ['action', 'string'], ['actors', 'string'], ['camera_ids', 'string'],
  ['range_from', 'number'], ['range_to', 'number'], ['target', 'string'], ['purpose', 'string'],
  ['destination', 'string'], ['approval_id', 'number'], ['source_address', 'string'], ['outcome', 'string'],
  ['reason', 'string'], ['detail', 'string'], ['prev_hash', 'string'], ['row_hash', 'string'],
] as const satisfies readonly (readonly [keyof AuditLogTable, ArgKind])[];
/** Index rows of one entry up to this many go through a statement compiled once per count. */
const REUSED_REFS_MAX = 8;

export class AuditRepository {
  /**
   * An entry at a time is how every action but an import appends (a camera registered, a view, a
   * refusal): Kysely built and compiled its insert for each, a fifth of the register's cost in a
   * profile of 1,000 GB/T 28181 catalogs. One entry and a few index rows reuse compiled statements.
   */
  private readonly insertOne: ReusedQuery<ArgKind[], unknown>;
  private readonly insertRefs = new Map<number, ReusedQuery<ArgKind[], unknown>>();

  constructor(private readonly db: Kysely<Database>) {
    this.insertOne = new ReusedQuery(db, ROW_COLUMNS.map(([, k]) => k), (d, args) =>
      d.insertInto('audit_log').values(Object.fromEntries(ROW_COLUMNS.map(([c], i) => [c, args[i]])) as unknown as AuditRow));
  }

  private refsQuery(count: number): ReusedQuery<ArgKind[], unknown> {
    let q = this.insertRefs.get(count);
    if (!q) {
      const kinds: ArgKind[] = Array.from({ length: count }, () => ['string', 'number', 'number'] as const).flat();
      q = new ReusedQuery(this.db, kinds, (d, args) =>
        d.insertInto('audit_refs').values(Array.from({ length: count }, (_, i) => ({ kind: args[3 * i] as AuditRefKind, ref: args[3 * i + 1] as number, seq: args[3 * i + 2] as number }))));
      this.insertRefs.set(count, q);
    }
    return q;
  }

  /**
   * Takes the register's lock and reads the head (`count` = 0), or reserves `count` numbers. The
   * row lock (PostgreSQL) or the write lock (SQLite) holds until the caller's transaction ends.
   */
  async reserve(q: Q, count: number): Promise<{ firstSeq: number; prevHash: string; checkpointSeq: number; checkpointAt: number }> {
    const head = await q
      .updateTable('audit_head')
      .set({ seq: sql`seq + ${count}` })
      .where('id', '=', 1)
      .returning(['seq', 'row_hash', 'checkpoint_seq', 'checkpoint_at'])
      .executeTakeFirstOrThrow();
    return {
      firstSeq: Number(head.seq) - count + 1,
      prevHash: head.row_hash,
      checkpointSeq: Number(head.checkpoint_seq),
      checkpointAt: Number(head.checkpoint_at),
    };
  }

  /**
   * Appends `rows` (already chained on `base`) if, and only if, the head is `base` once this
   * transaction holds the head's lock; the head then moves to the last row. Either way the lock
   * is taken and held until the caller's transaction ends, and the head returned is the one
   * this transaction now sees, so a caller that missed can re-chain on it and call again.
   *
   * The test of the head sits in the SET, not the WHERE, so the UPDATE takes the lock and
   * returns the head whether or not it matches (one statement either way). The head, then the
   * rows, in the write lock the first statement takes: for SQLite. PostgreSQL uses
   * `appendHashing`, which needs no head known in advance.
   */
  async appendAt(q: Q, base: ChainLink, rows: AuditRow[], refs: AuditRefRow[]): Promise<AppendOutcome> {
    const last = rows[rows.length - 1];
    if (!last) throw new TypeError('nothing to append');
    const matches = sql`seq = ${base.seq} AND row_hash = ${base.hash}`;
    const h = await sql<HeadOut>`
      UPDATE audit_head SET
        seq = CASE WHEN ${matches} THEN ${last.seq} ELSE seq END,
        row_hash = CASE WHEN ${matches} THEN ${last.row_hash} ELSE row_hash END
      WHERE id = 1
      RETURNING seq, row_hash, checkpoint_seq, checkpoint_at`.execute(q);
    const head = h.rows[0];
    if (!head) throw new Error('the register has no head row');
    const out = toHead(head);
    if (out.seq !== last.seq || out.rowHash !== last.row_hash) return { ...out, appended: false };
    await this.insert(q, rows, refs);
    return { ...out, appended: true };
  }

  /**
   * PostgreSQL: appends `contents` in one call of `audit_append` (migration 0008), which takes
   * the head's row lock, hashes each entry on the one before, inserts rows and index rows
   * (`refs[i].index` is the entry's position) and moves the head. Appenders on every connection
   * and node queue at the lock with their call already there; none can build on a stale head.
   */
  async appendHashing(q: Q, contents: AuditContentRow[], refs: { index: number; kind: AuditRefKind; ref: number }[]): Promise<{ links: ChainLink[]; checkpointSeq: number; checkpointAt: number }> {
    const arr = <K extends keyof AuditContentRow>(k: K) => contents.map((c) => c[k]);
    const result = await sql<{ entry_seq: number | string; entry_hash: string; head_checkpoint_seq: number | string; head_checkpoint_at: number | string }>`
      SELECT * FROM audit_append(
        ${arr('at')}::bigint[], ${arr('action')}::text[], ${arr('actors')}::text[], ${arr('camera_ids')}::text[],
        ${arr('range_from')}::bigint[], ${arr('range_to')}::bigint[], ${arr('target')}::text[], ${arr('purpose')}::text[],
        ${arr('destination')}::text[], ${arr('approval_id')}::bigint[], ${arr('source_address')}::text[], ${arr('outcome')}::text[],
        ${arr('reason')}::text[], ${arr('detail')}::text[],
        ${refs.map((r) => r.index + 1)}::int[], ${refs.map((r) => r.kind)}::text[], ${refs.map((r) => r.ref)}::bigint[])`.execute(q);
    const first = result.rows[0];
    if (!first || result.rows.length !== contents.length) throw new Error(`the register took ${result.rows.length} of ${contents.length} entries`);
    return {
      links: result.rows.map((r) => ({ seq: Number(r.entry_seq), hash: r.entry_hash })),
      checkpointSeq: Number(first.head_checkpoint_seq),
      checkpointAt: Number(first.head_checkpoint_at),
    };
  }

  /**
   * PostgreSQL: leaves entries in `audit_inbox` inside the caller's transaction, so they commit
   * with it or not at all; `chainPending` moves them into the chain after the commit (0010).
   * The insert is sent with the transaction's COMMIT, in one round trip (WITH_COMMIT): an inbox
   * that refuses it fails the commit, and so the action, with its error.
   */
  async insertInbox(q: Q, contents: AuditContentRow[], refs: [AuditRefKind, number][][]): Promise<void> {
    // One fixed text per row count, sent as it is: the action's one register statement, built
    // by hand rather than through the query builder (and named once per connection, NamingPgPool).
    const values: unknown[] = [];
    contents.forEach((c, i) => values.push(...INBOX_CONTENT.map((k) => c[k]), JSON.stringify(refs[i] ?? [])));
    await q.executeQuery(CompiledQuery.raw(inboxInsertText(contents.length), values));
  }

  async insert(q: Q, rows: AuditRow[], refs: AuditRefRow[]): Promise<void> {
    if (rows.length === 1 && refs.length <= REUSED_REFS_MAX) {
      const row = rows[0]!;
      await this.insertOne.run(ROW_COLUMNS.map(([c]) => row[c]) as never, q);
      if (refs.length) await this.refsQuery(refs.length).run(refs.flatMap((r) => [r.kind, r.ref, r.seq]) as never, q);
      return;
    }
    for (let i = 0; i < rows.length; i += ROW_CHUNK) {
      await q.insertInto('audit_log').values(rows.slice(i, i + ROW_CHUNK)).execute();
    }
    for (let i = 0; i < refs.length; i += REF_CHUNK) {
      await q.insertInto('audit_refs').values(refs.slice(i, i + REF_CHUNK)).execute();
    }
  }

  async setHeadHash(q: Q, rowHash: string, checkpoint?: { seq: number; at: number }): Promise<void> {
    await q
      .updateTable('audit_head')
      .set(checkpoint ? { row_hash: rowHash, checkpoint_seq: checkpoint.seq, checkpoint_at: checkpoint.at } : { row_hash: rowHash })
      .where('id', '=', 1)
      .execute();
  }

  /** Records that the head has a signed checkpoint (the head itself does not move). */
  async setCheckpointed(q: Q, seq: number, at: number): Promise<void> {
    await q.updateTable('audit_head').set({ checkpoint_seq: seq, checkpoint_at: at }).where('id', '=', 1).execute();
  }

  async insertCheckpoint(q: Q, cp: AuditCheckpointRow): Promise<void> {
    await q.insertInto('audit_checkpoints').values(cp).execute();
  }

  async head(q: Q = this.db): Promise<AuditHeadRow> {
    const h = await q
      .selectFrom('audit_head')
      .select(['seq', 'row_hash', 'checkpoint_seq', 'checkpoint_at'])
      .where('id', '=', 1)
      .executeTakeFirstOrThrow();
    return { seq: Number(h.seq), row_hash: h.row_hash, checkpoint_seq: Number(h.checkpoint_seq), checkpoint_at: Number(h.checkpoint_at) };
  }

  /** Entries with afterSeq < seq ≤ throughSeq in order, at most `limit` of them. */
  async page(afterSeq: number, throughSeq: number, limit: number): Promise<AuditRow[]> {
    const rows = await this.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', afterSeq)
      .where('seq', '<=', throughSeq)
      .orderBy('seq', 'asc')
      .limit(limit)
      .execute();
    return rows.map(toRow);
  }

  /**
   * PostgreSQL: chains up to `max` committed inbox entries, oldest first (or only `only`), skipping
   * `skip`, in the caller's transaction under the head's lock (audit_chain_pending, migration
   * 0010). No links: nothing was waiting.
   */
  async chainPending(q: Q, max: number, skip: number[], only: number | null): Promise<{ links: ChainLink[]; checkpointSeq: number; checkpointAt: number }> {
    const r = await sql<{ entry_seq: number | string; entry_hash: string; head_checkpoint_seq: number | string; head_checkpoint_at: number | string }>`
      SELECT * FROM audit_chain_pending(${max}::int, ${skip}::bigint[], ${only}::bigint)`.execute(q);
    const first = r.rows[0];
    return {
      links: r.rows.map((x) => ({ seq: Number(x.entry_seq), hash: x.entry_hash })),
      checkpointSeq: first ? Number(first.head_checkpoint_seq) : 0,
      checkpointAt: first ? Number(first.head_checkpoint_at) : 0,
    };
  }

  /** PostgreSQL: ids of inbox entries waiting to be chained, oldest first. */
  async inboxIds(limit: number, skip: number[] = []): Promise<number[]> {
    const r = await sql<{ id: number | string }>`SELECT id FROM audit_inbox WHERE NOT (id = ANY (${skip}::bigint[])) ORDER BY id LIMIT ${limit}`.execute(this.db);
    return r.rows.map((x) => Number(x.id));
  }

  /** PostgreSQL: committed entries not chained yet, and when the oldest was queued. */
  async inboxWaiting(): Promise<{ count: number; oldestId: number | null; oldestAt: number | null }> {
    const r = await sql<{ n: number | string; id: number | string | null; at: number | string | null }>`
      SELECT (SELECT count(*) FROM audit_inbox) AS n, o.id, (extract(epoch FROM o.queued_at) * 1000)::bigint AS at
      FROM (SELECT 1) AS one LEFT JOIN (SELECT id, queued_at FROM audit_inbox ORDER BY id LIMIT 1) AS o ON true`.execute(this.db);
    const row = r.rows[0];
    return { count: Number(row?.n ?? 0), oldestId: row?.id == null ? null : Number(row.id), oldestAt: row?.at == null ? null : Number(row.at) };
  }

  async maxSeq(): Promise<number> {
    const r = await this.db.selectFrom('audit_log').select((eb) => eb.fn.max('seq').as('m')).executeTakeFirst();
    return r?.m == null ? 0 : Number(r.m);
  }

  async checkpoints(afterSeq = 0): Promise<AuditCheckpointRow[]> {
    const rows = await this.db.selectFrom('audit_checkpoints').selectAll().where('seq', '>', afterSeq).orderBy('seq', 'asc').execute();
    return rows.map((r) => ({ ...r, seq: Number(r.seq), at: Number(r.at) }));
  }

  async search(s: AuditRowSearch): Promise<AuditRow[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (s.from !== undefined) query = query.where('at', '>=', s.from);
    if (s.to !== undefined) query = query.where('at', '<', s.to);
    if (s.action !== undefined) query = query.where('action', '=', s.action);
    if (s.outcome !== undefined) query = query.where('outcome', '=', s.outcome);
    if (s.approvalId !== undefined) query = query.where('approval_id', '=', s.approvalId);
    const byRef = (kind: AuditRefKind, ref: number) =>
      this.db.selectFrom('audit_refs').select('seq').where('kind', '=', kind).where('ref', '=', ref);
    if (s.actorUserId !== undefined) query = query.where('seq', 'in', byRef('user', s.actorUserId));
    if (s.cameraId !== undefined) query = query.where('seq', 'in', byRef('camera', s.cameraId));
    if (s.scopePaths && !s.scopePaths.includes('')) {
      const paths = s.scopePaths;
      if (paths.length === 0) return [];
      if (paths.some((p) => !/^(\/\d+)*\/$/.test(p))) throw new TypeError('organisation paths look like /1/4/');
      const orgs = this.db.selectFrom('organisations').select('id').where((o) => o.or(paths.map((p) => o('path', 'like', `${p}%`))));
      const cameras = this.db.selectFrom('cameras').select('id').where((eb) =>
        eb.or((['region_id', 'owner_unit_id', 'user_unit_id', 'managing_unit_id', 'maintainer_unit_id'] as const).map((c) => eb(c, 'in', orgs))));
      const users = this.db.selectFrom('users').select('id').where('organisation_id', 'in', orgs);
      query = query.where('seq', 'in', this.db.selectFrom('audit_refs').select('seq').where((eb) => eb.or([
        eb.and([eb('kind', '=', 'camera'), eb('ref', 'in', cameras)]),
        eb.and([eb('kind', 'in', ['user', 'subject_user']), eb('ref', 'in', users)]),
        eb.and([eb('kind', '=', 'organisation'), eb('ref', 'in', orgs)]),
      ])));
    }
    if (s.cursor !== undefined) query = query.where('seq', s.order === 'asc' ? '>' : '<', s.cursor);
    const rows = await query.orderBy('seq', s.order).limit(s.limit).execute();
    return rows.map(toRow);
  }
}

type RawRow = [number, number, string, string, string, number | null, number | null, string | null, string | null, string | null, number | null, string | null, string, string | null, string, string, string];

/**
 * The chain in seq order up to `throughSeq`, a page at a time, for the verifier. On a SQLite
 * file it reads through its own read-only connection in raw (array) mode, inside one read
 * transaction: a consistent snapshot, and several times faster than building row objects
 * in the driver, which matters at a million entries.
 */
export async function* chainPages(db: Db, throughSeq: number, pageSize: number): AsyncGenerator<AuditRow[]> {
  const path = db.dialect === 'sqlite' ? db.url.slice('sqlite:'.length) : ':memory:';
  if (path === ':memory:') {
    const repo = new AuditRepository(db.kysely);
    let next: Promise<AuditRow[]> | null = throughSeq > 0 ? repo.page(0, throughSeq, pageSize) : null;
    try {
      while (next) {
        const rows = await next;
        // Fetch the next page while the caller works on this one.
        next = rows.length === pageSize ? repo.page(rows[rows.length - 1]!.seq, throughSeq, pageSize) : null;
        yield rows;
      }
    } finally {
      await next?.catch(() => undefined);
    }
    return;
  }
  const reader = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
  try {
    reader.pragma('busy_timeout = 5000');
    const stmt = reader.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`).raw(true);
    reader.prepare('BEGIN').run();
    let after = 0;
    for (;;) {
      const raw = stmt.all(after, throughSeq, pageSize) as RawRow[];
      if (raw.length === 0) return;
      const rows: AuditRow[] = raw.map((r) => ({
        seq: r[0], at: r[1], action: r[2], actors: r[3], camera_ids: r[4], range_from: r[5], range_to: r[6], target: r[7],
        purpose: r[8], destination: r[9], approval_id: r[10], source_address: r[11], outcome: r[12], reason: r[13], detail: r[14],
        prev_hash: r[15], row_hash: r[16],
      }));
      after = rows[rows.length - 1]!.seq;
      yield rows;
      if (raw.length < pageSize) return;
    }
  } finally {
    reader.close();
  }
}


/** The hashed columns apart from seq and the hashes, in the order audit_append takes them. */
const INBOX_CONTENT = [
  'at', 'action', 'actors', 'camera_ids', 'range_from', 'range_to', 'target', 'purpose',
  'destination', 'approval_id', 'source_address', 'outcome', 'reason', 'detail',
] as const satisfies readonly (keyof AuditContentRow)[];
// …and every one of them: a column added to the register and not here fails to compile.
const inboxHasEveryColumn: [Exclude<keyof AuditContentRow, (typeof INBOX_CONTENT)[number]>] extends [never] ? true : never = true;
void inboxHasEveryColumn;

const inboxTexts = new Map<number, string>();

/** `INSERT INTO audit_inbox (…) VALUES ($1, …), …` for `rows` rows of INBOX_CONTENT and refs. */
function inboxInsertText(rows: number): string {
  let text = inboxTexts.get(rows);
  if (text === undefined) {
    const width = INBOX_CONTENT.length + 1;
    const tuples = Array.from({ length: rows }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`);
    text = `${WITH_COMMIT}INSERT INTO audit_inbox (${[...INBOX_CONTENT, 'refs'].join(', ')}) VALUES ${tuples.join(', ')}`;
    if (rows <= 16) inboxTexts.set(rows, text);
  }
  return text;
}
