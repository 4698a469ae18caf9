import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Releases (公开发布, CN799-22): the masked file made under an approved release request — its
 * camera and range, the masking's state and progress, the operator's review (manual regions,
 * tracks removed as false, the style), the caption, the masked file's and its manifest's hashes,
 * and who approved the release and when. The original footage is never touched.
 */
export function releases(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('releases'))
        .addColumn('request_id', 'bigint', (c) => c.notNull().references('access_requests.id'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('range_from', MS, notNull)
        .addColumn('range_to', MS, notNull)
        /** masking → review → released; or failed, cancelled. */
        .addColumn('state', 'text', notNull)
        .addColumn('style', 'text', notNull)
        /** JSON: the operator's regions, the tracks removed as false, the detected tracks. */
        .addColumn('manual', 'text', notNull)
        .addColumn('removed_tracks', 'text', notNull)
        .addColumn('tracks', 'text', notNull)
        .addColumn('frames_total', 'integer', notNull)
        .addColumn('frames_done', 'integer', notNull)
        /** How many times it was masked (each review change masks again). */
        .addColumn('runs', 'integer', notNull)
        .addColumn('caption', 'text')
        /** Relative to the data folder. */
        .addColumn('path', 'text', notNull)
        .addColumn('file_sha256', 'text')
        .addColumn('manifest_sha256', 'text')
        .addColumn('error', 'text')
        .addColumn('created_by', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('created_at', MS, notNull)
        .addColumn('updated_at', MS, notNull)
        .addColumn('approved_by', 'bigint', (c) => c.references('users.id'))
        .addColumn('approved_at', MS)
        .execute();
      await db.schema.createIndex('releases_request').on('releases').column('request_id').execute();
    },
  };
}
