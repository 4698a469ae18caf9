import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * The recording index (issue 3): files, their fragments with byte offsets, times and hashes, and
 * camera events (gaps, clock jumps, connects). Rows are only written for data already fsynced.
 */
export function recordings(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('recording_files'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        /** Relative to dataDir, forward slashes. */
        .addColumn('path', 'text', (c) => c.notNull().unique())
        .addColumn('codec', 'text', notNull)
        .addColumn('width', 'integer', notNull)
        .addColumn('height', 'integer', notNull)
        .addColumn('init_size', 'integer', notNull)
        .addColumn('started_at', MS, notNull)
        .addColumn('ended_at', MS, notNull)
        .addColumn('bytes', 'bigint', notNull)
        .addColumn('closed', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema.createIndex('recording_files_camera').on('recording_files').columns(['camera_id', 'started_at']).execute();
      await db.schema.createIndex('recording_files_closed').on('recording_files').columns(['closed', 'id']).execute();

      await withId(dialect, db.schema.createTable('recording_fragments'))
        .addColumn('file_id', 'bigint', (c) => c.notNull().references('recording_files.id').onDelete('cascade'))
        .addColumn('camera_id', 'bigint', notNull)
        .addColumn('seq', 'integer', notNull)
        .addColumn('byte_offset', 'bigint', notNull)
        .addColumn('size', 'integer', notNull)
        .addColumn('start_ms', MS, notNull)
        .addColumn('end_ms', MS, notNull)
        .addColumn('keyframe', 'integer', notNull)
        .addColumn('samples', 'integer', notNull)
        .addColumn('sha256', 'text', notNull)
        .addUniqueConstraint('recording_fragments_file_seq', ['file_id', 'seq'])
        .execute();
      await db.schema.createIndex('recording_fragments_camera_time').on('recording_fragments').columns(['camera_id', 'start_ms']).execute();

      await withId(dialect, db.schema.createTable('camera_events'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('kind', 'text', notNull)
        .addColumn('start_ms', MS, notNull)
        .addColumn('end_ms', MS)
        .addColumn('detail', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema.createIndex('camera_events_camera_time').on('camera_events').columns(['camera_id', 'start_ms']).execute();
      await db.schema.createIndex('camera_events_kind_time').on('camera_events').columns(['kind', 'start_ms']).execute();
    },
    async down(db: Kysely<unknown>) {
      for (const t of ['camera_events', 'recording_fragments', 'recording_files']) await db.schema.dropTable(t).execute();
    },
  };
}
