import type { Kysely } from 'kysely';
import { MS, notNull, withId } from './ddl.js';
import type { DialectName } from '../database.js';

/**
 * Footage a recorder node wrote for a camera under a lease it had lost (issue 22): fragments on
 * its disk that the index refused because another node took the camera over. They are not made
 * part of the recording (the new holder's is the recording), nor cut off: they are copied to a
 * file of their own beside the recordings and registered here, with their hash and whether their
 * time overlaps the new holder's footage.
 */
export function fencedFootage(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('fenced_footage'))
        .addColumn('camera_id', 'bigint', notNull)
        .addColumn('node_id', 'text', notNull)
        /** The lost lease's epoch, under which the fragments were written. */
        .addColumn('epoch', 'bigint', notNull)
        /** The recording file the fragments were cut from (relative to the data folder). */
        .addColumn('source_path', 'text', notNull)
        /** The kept file: the source's init segment followed by the refused fragments. */
        .addColumn('path', 'text', notNull)
        .addColumn('start_ms', MS, notNull)
        .addColumn('end_ms', MS, notNull)
        .addColumn('fragments', 'integer', notNull)
        .addColumn('bytes', 'bigint', notNull)
        /** SHA-256 of the kept file (hex). */
        .addColumn('sha256', 'text', notNull)
        /** 1 when a later epoch's indexed footage of the camera lies in [start_ms, end_ms). */
        .addColumn('overlaps_holder', 'integer', notNull)
        .addColumn('kept_at', MS, notNull)
        .addUniqueConstraint('fenced_footage_path', ['path'])
        .execute();
      await db.schema.createIndex('fenced_footage_camera').on('fenced_footage').columns(['camera_id', 'start_ms']).execute();
    },
  };
}
