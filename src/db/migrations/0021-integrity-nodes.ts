import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { STORED_NODE_LEVEL } from '../integrity-log.repository.js';

/**
 * Issue 16: an inclusion proof from O(log n) stored nodes instead of every leaf of the camera.
 * `integrity_nodes` holds the root of every perfect subtree of `STORED_NODE_LEVEL` or more levels
 * (2^level leaves from index·2^level on); lower ones are a few leaves away. Filled here for the
 * logs already sealed, then by the sealer in the transaction that appends the leaves.
 */
export function integrityNodes() {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('integrity_nodes')
        .addColumn('camera_id', 'bigint', (c) => c.notNull())
        .addColumn('level', 'integer', (c) => c.notNull())
        .addColumn('node_index', 'bigint', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('integrity_nodes_pk', ['camera_id', 'level', 'node_index'])
        .execute();
      const logs = await sql<{ camera_id: number | string; size: number | string }>`SELECT camera_id, size FROM integrity_logs ORDER BY camera_id`.execute(db);
      for (const log of logs.rows) await backfillNodes(db, Number(log.camera_id), Number(log.size));
    },
  };
}

type NodeRow = { camera_id: number; level: number; node_index: number; hash: string };
const PAGE = 50_000;

/**
 * The stored nodes of a log sealed before this table existed, from its leaves in order. The
 * hashing is RFC 6962's (node = SHA-256(0x01 ‖ left ‖ right)), written out here because a
 * migration sits below integrity/; a test checks the rows equal what the sealer stores.
 */
export async function backfillNodes(db: Kysely<unknown>, cameraId: number, size: number): Promise<void> {
  const stack: Buffer[] = [];
  let count = 0;
  for (let from = 0; from < size; from += PAGE) {
    const page = await sql<{ leaf_hash: string }>`SELECT leaf_hash FROM integrity_leaves WHERE camera_id = ${cameraId} AND leaf_index >= ${from} AND leaf_index < ${Math.min(size, from + PAGE)} ORDER BY leaf_index`.execute(db);
    const rows: NodeRow[] = [];
    for (const r of page.rows) {
      let node = Buffer.from(r.leaf_hash, 'hex');
      let level = 0;
      for (let s = count; s % 2 === 1; s = Math.floor(s / 2)) {
        node = createHash('sha256').update(Buffer.of(1)).update(stack.pop()!).update(node).digest();
        level++;
        if (level >= STORED_NODE_LEVEL) rows.push({ camera_id: cameraId, level, node_index: Math.floor(count / 2 ** level), hash: node.toString('hex') });
      }
      stack.push(node);
      count++;
    }
    for (let i = 0; i < rows.length; i += 500) await (db as Kysely<{ integrity_nodes: NodeRow }>).insertInto('integrity_nodes').values(rows.slice(i, i + 500)).execute();
  }
}
