import type { Kysely } from 'kysely';
import { MS } from './ddl.js';

/**
 * Which process runs an evidence export or a release's masking, and when it last said so (as
 * backfills, 0079): with several API processes, one starting fails only the jobs of a process that
 * stopped, not those another process is still running. Rows from before have neither.
 */
export function jobHolders() {
  const tables = ['evidence_exports', 'releases'];
  return {
    async up(db: Kysely<unknown>) {
      for (const t of tables) {
        await db.schema.alterTable(t).addColumn('holder', 'text').execute();
        await db.schema.alterTable(t).addColumn('alive_at', MS).execute();
      }
    },
    async down(db: Kysely<unknown>) {
      for (const t of tables) {
        await db.schema.alterTable(t).dropColumn('alive_at').execute();
        await db.schema.alterTable(t).dropColumn('holder').execute();
      }
    },
  };
}
