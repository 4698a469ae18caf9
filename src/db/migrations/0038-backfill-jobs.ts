import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Issue 18, gap backfill (补录): each backfill job and the state of each of its ranges, so the
 * jobs outlive the serving process. A job that was running when the process died is marked
 * `interrupted` when the next one starts (its partial download left no file and no row: the
 * recorder's recovery removes open device files without fragments).
 */
export function backfillJobs(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('gb_backfill_jobs'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id'))
        .addColumn('channel_id', 'text', notNull)
        .addColumn('range_from', MS, notNull)
        .addColumn('range_to', MS, notNull)
        /** running, done, failed, interrupted. */
        .addColumn('state', 'text', notNull)
        /** JSON: each range with its state, what was written, fragments, bytes, error. */
        .addColumn('pieces', 'text', notNull)
        .addColumn('started_by', 'bigint')
        .addColumn('started_at', MS, notNull)
        .addColumn('ended_at', MS)
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('gb_backfill_jobs_camera').on('gb_backfill_jobs').columns(['camera_id', 'id']).execute();
      await db.schema.createIndex('gb_backfill_jobs_state').on('gb_backfill_jobs').columns(['state']).execute();
    },
  };
}
