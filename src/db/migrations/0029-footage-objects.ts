import type { Kysely } from 'kysely';
import { MS, notNull } from './ddl.js';

/**
 * Footage in an object store (issue 22 part 3): one row per recording file once it is stored as
 * an object, written by the uploader after the store answered. A closed file without a row is
 * waiting for upload (or the store is local-only), so a node that dies between writing a file
 * and uploading it resumes from the index. The row outlives the file's index row (no foreign
 * key): retention's garbage step deletes the object through it, after the store allows.
 */
export function footageObjects() {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('footage_objects')
        .addColumn('file_id', 'bigint', (c) => c.primaryKey())
        .addColumn('camera_id', 'bigint', notNull)
        /** The file's path relative to the data folder, as the index names it. */
        .addColumn('path', 'text', notNull)
        .addColumn('started_at', MS, notNull)
        .addColumn('ended_at', MS, notNull)
        .addColumn('bytes', 'bigint', notNull)
        .addColumn('object_key', 'text', notNull)
        /** The object's version (the bucket is versioned, as Object Lock requires); deletes name it. */
        .addColumn('version_id', 'text')
        .addColumn('sha256', 'text', notNull)
        /** COMPLIANCE retention until (epoch ms); null: no period known, the object stays. */
        .addColumn('retain_until', MS)
        /** 1 while a legal hold of Vigil's covers the file and the object carries one. */
        .addColumn('legal_hold', 'integer', notNull)
        .addColumn('uploaded_at', MS, notNull)
        /** 1 once the local copy (the write buffer) is gone. */
        .addColumn('local_removed', 'integer', notNull)
        .execute();
      await db.schema.createIndex('footage_objects_path').on('footage_objects').column('path').execute();
      await db.schema.createIndex('footage_objects_camera').on('footage_objects').columns(['camera_id', 'started_at']).execute();
    },
  };
}
