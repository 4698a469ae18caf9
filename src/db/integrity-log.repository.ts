// The per-camera Merkle log over fragments (migration 0005): its state and frontier, its leaves,
// the stored roots of its perfect subtrees (0021, for O(log n) inclusion proofs) and its signed
// tree heads. Integrity (src/integrity/) is the one user.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

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

export interface IntegrityLogTables {
  integrity_logs: IntegrityLogTable;
  integrity_leaves: IntegrityLeafTable;
  integrity_nodes: IntegrityNodeTable;
  integrity_tree_heads: IntegrityTreeHeadTable;
}

export type TreeHeadRow = Selectable<IntegrityTreeHeadTable>;

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

export class IntegrityLogRepository {
  constructor(readonly db: Kysely<Database>) {}

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

  /**
   * Leaves that name a fragment retention has not removed, in leaf order, a page at a time (the
   * caller asks the recording index which of them still exist: that table is not this one's).
   */
  async liveFragmentLeaves(cameraId: number, afterLeaf: number, limit: number): Promise<StoredLeaf[]> {
    const rows = await this.db
      .selectFrom('integrity_leaves')
      .select(['leaf_index', 'fragment_id', 'file_id', 'leaf_hash', 'removed_at'])
      .where('camera_id', '=', cameraId)
      .where('removed_at', 'is', null)
      .where('fragment_id', '!=', 0)
      .where('leaf_index', '>', afterLeaf)
      .orderBy('leaf_index')
      .limit(limit)
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

  /** Retention removed a file's fragments: its leaves stay (every old root needs them), marked. */
  async markFileRemoved(trx: Transaction<Database>, fileId: number, now: number): Promise<void> {
    await trx.updateTable('integrity_leaves').set({ removed_at: now }).where('file_id', '=', fileId).execute();
  }
}

function toLeaf(r: Record<string, unknown>): StoredLeaf {
  return { leafIndex: n(r.leaf_index), fragmentId: n(r.fragment_id), fileId: n(r.file_id), leafHash: String(r.leaf_hash), removedAt: r.removed_at === null ? null : n(r.removed_at) };
}
