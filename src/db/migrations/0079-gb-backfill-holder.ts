import type { Kysely } from 'kysely';
import { MS } from './ddl.js';

/**
 * Which process runs a backfill job, and when it last said so (issue 18): with several API
 * processes, one starting may not take every `running` job for its own dead predecessor's. A job
 * whose holder stopped renewing is the one marked interrupted. Rows from before have neither, and
 * count as cut off.
 */
export function gbBackfillHolder() {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('gb_backfill_jobs').addColumn('holder', 'text').execute();
      await db.schema.alterTable('gb_backfill_jobs').addColumn('alive_at', MS).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('gb_backfill_jobs').dropColumn('alive_at').execute();
      await db.schema.alterTable('gb_backfill_jobs').dropColumn('holder').execute();
    },
  };
}
