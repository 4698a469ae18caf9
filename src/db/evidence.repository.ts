// Evidence tables (migration 0005): the Merkle log over fragments and its signed heads, legal
// holds, retention marks, the cleaner's garbage table, storage alarms and evidence exports. It
// also reads the recording index (files and fragments with their ids) the way these need it.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { IndexedFile } from './recording-index.repository.js';
import type { Database } from './schema.js';
import type { StorageLevel } from '../storage/disk-usage.js';

export type HoldState = 'active' | 'release_requested' | 'released';
export type RetentionMarkKind = 'key_target' | 'incident';
export type ExportState = 'running' | 'done' | 'failed' | 'cancelled';

export interface IntegrityLogTable {
  camera_id: number;
  size: number;
  frontier: string;
  last_fragment_id: number;
  updated_at: number;
}
export interface IntegrityLeafTable {
  camera_id: number;
  leaf_index: number;
  /** 0 for a file's init-segment leaf. */
  fragment_id: number;
  file_id: number;
  leaf_hash: string;
  removed_at: number | null;
}
/** The root of a perfect subtree of a log: 2^level leaves from node_index·2^level on (migration 0021). */
export interface IntegrityNodeTable {
  camera_id: number;
  level: number;
  node_index: number;
  hash: string;
}
export interface IntegrityTreeHeadTable {
  id: Generated<number>;
  camera_id: number;
  tree_size: number;
  root_hash: string;
  at: number;
  key_id: string;
  signature: string;
}
export interface LegalHoldTable {
  id: Generated<number>;
  camera_id: number;
  range_from: number | null;
  range_to: number | null;
  case_ref: string;
  reason: string;
  state: HoldState;
  placed_by: number;
  placed_at: number;
  release_requested_by: number | null;
  release_requested_at: number | null;
  release_reason: string | null;
  released_by: number | null;
  released_at: number | null;
}
export interface RetentionMarkTable {
  id: Generated<number>;
  camera_id: number;
  kind: RetentionMarkKind;
  range_from: number | null;
  range_to: number | null;
  note: string;
  created_by: number | null;
  created_at: number;
}
export interface RetentionGarbageTable {
  id: Generated<number>;
  camera_id: number;
  file_id: number;
  path: string;
  created_at: number;
}
export interface StorageAlarmTable {
  id: Generated<number>;
  at: number;
  level: StorageLevel;
  used_permille: number;
  free_bytes: number;
  message: string;
}
export interface EvidenceExportTable {
  id: Generated<number>;
  request_id: number;
  camera_id: number;
  range_from: number;
  range_to: number;
  state: ExportState;
  bytes_total: number;
  bytes_done: number;
  path: string;
  manifest_sha256: string | null;
  error: string | null;
  created_by: number;
  created_at: number;
  finished_at: number | null;
}

export interface EvidenceTables {
  integrity_logs: IntegrityLogTable;
  integrity_leaves: IntegrityLeafTable;
  integrity_nodes: IntegrityNodeTable;
  integrity_tree_heads: IntegrityTreeHeadTable;
  legal_holds: LegalHoldTable;
  retention_marks: RetentionMarkTable;
  retention_garbage: RetentionGarbageTable;
  storage_alarms: StorageAlarmTable;
  evidence_exports: EvidenceExportTable;
}

export type LegalHoldRow = Selectable<LegalHoldTable>;
export type RetentionMarkRow = Selectable<RetentionMarkTable>;
export type EvidenceExportRow = Selectable<EvidenceExportTable>;
export type TreeHeadRow = Selectable<IntegrityTreeHeadTable>;
export type StorageAlarmRow = Selectable<StorageAlarmTable>;

export interface StoredLeaf {
  leafIndex: number;
  fragmentId: number;
  fileId: number;
  leafHash: string;
  removedAt: number | null;
}

/** Subtrees of this many levels or more are stored; a lower one is at most 2^(level) leaves away. */
export const STORED_NODE_LEVEL = 4;

/** A stored subtree root: `hash` over the 2^level leaves from index·2^level on. */
export interface StoredNode {
  level: number;
  index: number;
  hash: string;
}

const ROWS_PER_INSERT = 500;
type Q = Kysely<Database> | Transaction<Database>;

const n = (v: unknown) => Number(v);

export class EvidenceRepository {
  constructor(readonly db: Kysely<Database>) {}

  // ---- the Merkle log ----

  async logState(cameraId: number, q: Q = this.db): Promise<{ size: number; frontier: string[]; lastFragmentId: number } | undefined> {
    const r = await q.selectFrom('integrity_logs').selectAll().where('camera_id', '=', cameraId).executeTakeFirst();
    return r && { size: n(r.size), frontier: JSON.parse(r.frontier) as string[], lastFragmentId: n(r.last_fragment_id) };
  }

  async logStates(): Promise<Map<number, { size: number; lastFragmentId: number }>> {
    const rows = await this.db.selectFrom('integrity_logs').select(['camera_id', 'size', 'last_fragment_id']).execute();
    return new Map(rows.map((r) => [n(r.camera_id), { size: n(r.size), lastFragmentId: n(r.last_fragment_id) }]));
  }

  /** Appends leaves and moves the log's state, only if nobody else moved it first (returns false then). */
  async appendLeaves(
    trx: Transaction<Database>,
    cameraId: number,
    expectSize: number,
    leaves: { fragmentId: number; fileId: number; leafHash: string }[],
    nodes: StoredNode[],
    state: { size: number; frontier: string[]; lastFragmentId: number },
    now: number,
  ): Promise<boolean> {
    if (expectSize === 0) {
      const inserted = await trx
        .insertInto('integrity_logs')
        .values({ camera_id: cameraId, size: state.size, frontier: JSON.stringify(state.frontier), last_fragment_id: state.lastFragmentId, updated_at: now })
        .onConflict((oc) => oc.column('camera_id').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) !== 1) return false;
    } else {
      const updated = await trx
        .updateTable('integrity_logs')
        .set({ size: state.size, frontier: JSON.stringify(state.frontier), last_fragment_id: state.lastFragmentId, updated_at: now })
        .where('camera_id', '=', cameraId)
        .where('size', '=', expectSize)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return false;
    }
    for (let i = 0; i < leaves.length; i += ROWS_PER_INSERT) {
      await trx
        .insertInto('integrity_leaves')
        .values(leaves.slice(i, i + ROWS_PER_INSERT).map((l, j) => ({ camera_id: cameraId, leaf_index: expectSize + i + j, fragment_id: l.fragmentId, file_id: l.fileId, leaf_hash: l.leafHash, removed_at: null })))
        .execute();
    }
    const own = nodes.filter((x) => x.level >= STORED_NODE_LEVEL);
    for (let i = 0; i < own.length; i += ROWS_PER_INSERT) {
      await trx
        .insertInto('integrity_nodes')
        .values(own.slice(i, i + ROWS_PER_INSERT).map((x) => ({ camera_id: cameraId, level: x.level, node_index: x.index, hash: x.hash })))
        .execute();
    }
    return true;
  }

  /** Leaf hashes of a camera's log at the given indices (those that exist). */
  async leafHashesAt(cameraId: number, indices: readonly number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    const want = [...new Set(indices)];
    for (let i = 0; i < want.length; i += ROWS_PER_INSERT) {
      const rows = await this.db
        .selectFrom('integrity_leaves')
        .select(['leaf_index', 'leaf_hash'])
        .where('camera_id', '=', cameraId)
        .where('leaf_index', 'in', want.slice(i, i + ROWS_PER_INSERT))
        .execute();
      for (const r of rows) out.set(n(r.leaf_index), r.leaf_hash);
    }
    return out;
  }

  /** Stored subtree roots of a camera's log (level ≥ STORED_NODE_LEVEL), keyed `level:index`. */
  async nodeHashes(cameraId: number, nodes: readonly { level: number; index: number }[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const byLevel = new Map<number, Set<number>>();
    for (const x of nodes) byLevel.set(x.level, (byLevel.get(x.level) ?? new Set()).add(x.index));
    for (const [level, set] of byLevel) {
      const want = [...set];
      for (let i = 0; i < want.length; i += ROWS_PER_INSERT) {
        const rows = await this.db
          .selectFrom('integrity_nodes')
          .select(['node_index', 'hash'])
          .where('camera_id', '=', cameraId)
          .where('level', '=', level)
          .where('node_index', 'in', want.slice(i, i + ROWS_PER_INSERT))
          .execute();
        for (const r of rows) out.set(`${level}:${n(r.node_index)}`, r.hash);
      }
    }
    return out;
  }

  /** Leaf hashes 0…size-1 of a camera's log, in order. */
  async leafHashes(cameraId: number, size: number): Promise<string[]> {
    const out: string[] = [];
    const PAGE = 50_000;
    for (let from = 0; from < size; from += PAGE) {
      const rows = await this.db
        .selectFrom('integrity_leaves')
        .select('leaf_hash')
        .where('camera_id', '=', cameraId)
        .where('leaf_index', '>=', from)
        .where('leaf_index', '<', Math.min(size, from + PAGE))
        .orderBy('leaf_index')
        .execute();
      for (const r of rows) out.push(r.leaf_hash);
    }
    return out;
  }

  async leavesOfFile(fileId: number): Promise<StoredLeaf[]> {
    const rows = await this.db.selectFrom('integrity_leaves').selectAll().where('file_id', '=', fileId).orderBy('leaf_index').execute();
    return rows.map(toLeaf);
  }

  /** Leaves whose fragment row is gone although retention never removed it. */
  async leavesWithoutFragment(cameraId: number): Promise<StoredLeaf[]> {
    const rows = await this.db
      .selectFrom('integrity_leaves as l')
      .leftJoin('recording_fragments as g', 'g.id', 'l.fragment_id')
      .select(['l.leaf_index', 'l.fragment_id', 'l.file_id', 'l.leaf_hash', 'l.removed_at'])
      .where('l.camera_id', '=', cameraId)
      .where('l.removed_at', 'is', null)
      .where('l.fragment_id', '!=', 0)
      .where('g.id', 'is', null)
      .orderBy('l.leaf_index')
      .execute();
    return rows.map(toLeaf);
  }

  async insertTreeHead(h: { cameraId: number; size: number; root: string; at: number; keyId: string; signature: string }, q: Q = this.db): Promise<void> {
    await q.insertInto('integrity_tree_heads').values({ camera_id: h.cameraId, tree_size: h.size, root_hash: h.root, at: h.at, key_id: h.keyId, signature: h.signature }).execute();
  }

  async latestTreeHead(cameraId: number): Promise<TreeHeadRow | undefined> {
    return this.db.selectFrom('integrity_tree_heads').selectAll().where('camera_id', '=', cameraId).orderBy('tree_size', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  }

  async treeHeads(cameraId?: number, afterId = 0): Promise<TreeHeadRow[]> {
    let q = this.db.selectFrom('integrity_tree_heads').selectAll().where('id', '>', afterId);
    if (cameraId !== undefined) q = q.where('camera_id', '=', cameraId);
    return q.orderBy('id').execute();
  }

  // ---- retention ----

  async holds(states: HoldState[] = ['active', 'release_requested']): Promise<LegalHoldRow[]> {
    return this.db.selectFrom('legal_holds').selectAll().where('state', 'in', states).orderBy('id').execute();
  }

  async hold(id: number): Promise<LegalHoldRow | undefined> {
    return this.db.selectFrom('legal_holds').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async holdsOfCamera(cameraId: number): Promise<LegalHoldRow[]> {
    return this.db.selectFrom('legal_holds').selectAll().where('camera_id', '=', cameraId).orderBy('id').execute();
  }

  async insertHold(trx: Transaction<Database>, h: Omit<LegalHoldRow, 'id'>): Promise<LegalHoldRow> {
    return trx.insertInto('legal_holds').values(h).returningAll().executeTakeFirstOrThrow();
  }

  /** Moves a hold from one state to the next; false when it was no longer in `from`. */
  async updateHold(trx: Transaction<Database>, id: number, from: HoldState, set: Partial<Omit<LegalHoldRow, 'id'>>): Promise<boolean> {
    const r = await trx.updateTable('legal_holds').set(set).where('id', '=', id).where('state', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async marks(): Promise<RetentionMarkRow[]> {
    return this.db.selectFrom('retention_marks').selectAll().orderBy('id').execute();
  }

  async insertMark(m: Omit<RetentionMarkRow, 'id'>, q: Q = this.db): Promise<RetentionMarkRow> {
    return q.insertInto('retention_marks').values(m).returningAll().executeTakeFirstOrThrow();
  }

  /**
   * Step 1 of a deletion, in the caller's transaction: the file goes to the garbage table and
   * its index rows go away, its leaves are marked removed. Only files still closed and unchanged
   * are taken; returns the garbage rows made.
   */
  async moveToGarbage(trx: Transaction<Database>, files: IndexedFile[], now: number): Promise<{ id: number; fileId: number; path: string }[]> {
    const out: { id: number; fileId: number; path: string }[] = [];
    for (const f of files) {
      const row = await trx.selectFrom('recording_files').select(['id', 'bytes']).where('id', '=', f.id).where('closed', '=', 1).executeTakeFirst();
      if (!row || n(row.bytes) !== f.bytes) continue;
      const g = await trx.insertInto('retention_garbage').values({ camera_id: f.cameraId, file_id: f.id, path: f.path, created_at: now }).returning('id').executeTakeFirstOrThrow();
      await trx.updateTable('integrity_leaves').set({ removed_at: now }).where('file_id', '=', f.id).execute();
      await trx.deleteFrom('recording_fragments').where('file_id', '=', f.id).execute();
      await trx.deleteFrom('recording_files').where('id', '=', f.id).execute();
      out.push({ id: n(g.id), fileId: f.id, path: f.path });
    }
    return out;
  }

  async garbage(): Promise<{ id: number; fileId: number; path: string }[]> {
    const rows = await this.db.selectFrom('retention_garbage').selectAll().orderBy('id').execute();
    return rows.map((r) => ({ id: n(r.id), fileId: n(r.file_id), path: r.path }));
  }

  async removeGarbage(ids: number[]): Promise<void> {
    for (let i = 0; i < ids.length; i += ROWS_PER_INSERT) await this.db.deleteFrom('retention_garbage').where('id', 'in', ids.slice(i, i + ROWS_PER_INSERT)).execute();
  }

  // ---- storage alarms ----

  async insertAlarm(a: Omit<StorageAlarmRow, 'id'>): Promise<void> {
    await this.db.insertInto('storage_alarms').values(a).execute();
  }

  async alarms(limit = 100): Promise<StorageAlarmRow[]> {
    return this.db.selectFrom('storage_alarms').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }

  // ---- exports ----

  async insertExport(e: Omit<EvidenceExportRow, 'id'>, q: Q = this.db): Promise<EvidenceExportRow> {
    return q.insertInto('evidence_exports').values(e).returningAll().executeTakeFirstOrThrow();
  }

  async updateExport(id: number, set: Partial<Omit<EvidenceExportRow, 'id'>>, q: Q = this.db): Promise<void> {
    await q.updateTable('evidence_exports').set(set).where('id', '=', id).execute();
  }

  async export(id: number): Promise<EvidenceExportRow | undefined> {
    return this.db.selectFrom('evidence_exports').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async exportsInState(state: ExportState): Promise<EvidenceExportRow[]> {
    return this.db.selectFrom('evidence_exports').selectAll().where('state', '=', state).orderBy('id').execute();
  }
}

function toLeaf(r: Record<string, unknown>): StoredLeaf {
  return { leafIndex: n(r.leaf_index), fragmentId: n(r.fragment_id), fileId: n(r.file_id), leafHash: String(r.leaf_hash), removedAt: r.removed_at === null ? null : n(r.removed_at) };
}
