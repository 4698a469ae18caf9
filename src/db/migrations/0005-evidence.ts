import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Evidence (issue 6): the per-camera Merkle log over fragments with its signed tree heads, legal
 * holds, retention marks (key targets, incident ranges), the garbage table the cleaner deletes
 * through, storage alarms and evidence exports.
 */
export function evidence(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('integrity_logs')
        .addColumn('camera_id', 'bigint', (c) => c.primaryKey())
        .addColumn('size', 'bigint', notNull)
        /** JSON array of hex subtree roots, largest first: the right edge of the tree. */
        .addColumn('frontier', 'text', notNull)
        /** Highest recording_fragments.id already in the log. */
        .addColumn('last_fragment_id', 'bigint', notNull)
        .addColumn('updated_at', MS, notNull)
        .execute();

      // Leaves outlive the fragments they hash: the log is append-only, and a removed fragment's
      // leaf is still needed to recompute every root signed before.
      await db.schema
        .createTable('integrity_leaves')
        .addColumn('camera_id', 'bigint', notNull)
        .addColumn('leaf_index', 'bigint', notNull)
        .addColumn('fragment_id', 'bigint', notNull)
        .addColumn('file_id', 'bigint', notNull)
        .addColumn('leaf_hash', 'text', notNull)
        /** Set when retention removed the fragment (the removal is in the register). */
        .addColumn('removed_at', MS)
        .addPrimaryKeyConstraint('integrity_leaves_pk', ['camera_id', 'leaf_index'])
        .execute();
      await db.schema.createIndex('integrity_leaves_fragment').on('integrity_leaves').column('fragment_id').execute();
      await db.schema.createIndex('integrity_leaves_file').on('integrity_leaves').column('file_id').execute();

      await withId(dialect, db.schema.createTable('integrity_tree_heads'))
        .addColumn('camera_id', 'bigint', notNull)
        .addColumn('tree_size', 'bigint', notNull)
        .addColumn('root_hash', 'text', notNull)
        .addColumn('at', MS, notNull)
        .addColumn('key_id', 'text', notNull)
        .addColumn('signature', 'text', notNull)
        .execute();
      await db.schema.createIndex('integrity_tree_heads_camera').on('integrity_tree_heads').columns(['camera_id', 'tree_size']).execute();

      await withId(dialect, db.schema.createTable('legal_holds'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        /** Null ends: the whole recording of the camera on that side. */
        .addColumn('range_from', MS)
        .addColumn('range_to', MS)
        .addColumn('case_ref', 'text', notNull)
        .addColumn('reason', 'text', notNull)
        .addColumn('state', 'text', notNull)
        .addColumn('placed_by', 'bigint', notNull)
        .addColumn('placed_at', MS, notNull)
        .addColumn('release_requested_by', 'bigint')
        .addColumn('release_requested_at', MS)
        .addColumn('release_reason', 'text')
        .addColumn('released_by', 'bigint')
        .addColumn('released_at', MS)
        .execute();
      await db.schema.createIndex('legal_holds_camera').on('legal_holds').columns(['camera_id', 'state']).execute();

      await withId(dialect, db.schema.createTable('retention_marks'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('kind', 'text', notNull)
        .addColumn('range_from', MS)
        .addColumn('range_to', MS)
        .addColumn('note', 'text', notNull)
        .addColumn('created_by', 'bigint')
        .addColumn('created_at', MS, notNull)
        .execute();
      await db.schema.createIndex('retention_marks_camera').on('retention_marks').column('camera_id').execute();

      await withId(dialect, db.schema.createTable('retention_garbage'))
        .addColumn('camera_id', 'bigint', notNull)
        .addColumn('file_id', 'bigint', notNull)
        .addColumn('path', 'text', notNull)
        .addColumn('created_at', MS, notNull)
        .execute();

      await withId(dialect, db.schema.createTable('storage_alarms'))
        .addColumn('at', MS, notNull)
        .addColumn('level', 'text', notNull)
        /** Used space in thousandths of the volume. */
        .addColumn('used_permille', 'integer', notNull)
        .addColumn('free_bytes', 'bigint', notNull)
        .addColumn('message', 'text', notNull)
        .execute();
      await db.schema.createIndex('storage_alarms_at').on('storage_alarms').column('at').execute();

      await withId(dialect, db.schema.createTable('evidence_exports'))
        .addColumn('request_id', 'bigint', notNull)
        .addColumn('camera_id', 'bigint', notNull)
        .addColumn('range_from', MS, notNull)
        .addColumn('range_to', MS, notNull)
        .addColumn('state', 'text', notNull)
        .addColumn('bytes_total', 'bigint', notNull)
        .addColumn('bytes_done', 'bigint', notNull)
        /** Relative to dataDir. */
        .addColumn('path', 'text', notNull)
        .addColumn('manifest_sha256', 'text')
        .addColumn('error', 'text')
        .addColumn('created_by', 'bigint', notNull)
        .addColumn('created_at', MS, notNull)
        .addColumn('finished_at', MS)
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['evidence_exports', 'storage_alarms', 'retention_garbage', 'retention_marks', 'legal_holds', 'integrity_tree_heads', 'integrity_leaves', 'integrity_logs']) {
        await db.schema.dropTable(t).execute();
      }
    },
  };
}
