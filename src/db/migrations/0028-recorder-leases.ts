import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull } from './ddl.js';

/**
 * Recorder nodes and camera leases (issue 22): on PostgreSQL many recorder processes share the
 * cameras, each camera held by one node under a lease whose expiry the database's clock sets.
 * The lease's epoch is the fencing token: every recording file and fragment row carries the epoch
 * it was written under, and the index refuses a write whose epoch is no longer the lease's.
 * On SQLite the tables stay empty: the one process records every camera, epoch 0.
 */
export function recorderLeases(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('recorder_nodes')
        .addColumn('id', 'text', (c) => c.primaryKey())
        /** Where the API reaches this node (its own HTTP address), when it serves one. */
        .addColumn('url', 'text')
        /** How many cameras placement may give this node. */
        .addColumn('capacity', 'integer', notNull)
        /** The database's clock at the node's last heartbeat, epoch ms. */
        .addColumn('heartbeat_at', MS, notNull)
        .addColumn('started_at', MS, notNull)
        .execute();
      await db.schema
        .createTable('camera_leases')
        .addColumn('camera_id', 'bigint', (c) => c.primaryKey().references('cameras.id').onDelete('cascade'))
        .addColumn('node_id', 'text', notNull)
        .addColumn('epoch', 'bigint', notNull)
        /** The database's clock when the lease runs out unless renewed, epoch ms. */
        .addColumn('expires_at', MS, notNull)
        .addColumn('acquired_at', MS, notNull)
        .execute();
      await db.schema.createIndex('camera_leases_node').on('camera_leases').column('node_id').execute();
      // Higher first when capacity runs short; cameras without a row have priority 0.
      await db.schema
        .createTable('recording_priorities')
        .addColumn('camera_id', 'bigint', (c) => c.primaryKey().references('cameras.id').onDelete('cascade'))
        .addColumn('priority', 'integer', notNull)
        .execute();
      for (const table of ['recording_files', 'recording_fragments'] as const) {
        await db.schema.alterTable(table).addColumn('epoch', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
      }
      // Which node's disk holds the file: recovery only touches its own, playback asks that node.
      await db.schema.alterTable('recording_files').addColumn('node_id', 'text').execute();
      if (dialect === 'postgres') {
        await sql`create index recording_files_node_open on recording_files (node_id) where closed = 0`.execute(db);
        // Renewal rewrites every lease every few seconds: room on each page keeps those updates
        // heap-only (no index touched), which is most of what 10,000 leases cost the database.
        await sql`alter table camera_leases set (fillfactor = 50)`.execute(db);
        await sql`alter table recorder_nodes set (fillfactor = 50)`.execute(db);
      }
    },
  };
}
