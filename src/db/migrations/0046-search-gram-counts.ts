import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Issue 21, item 7: how many cameras each Chinese bigram has in each region, kept beside the
 * bigram rows by the camera repository (camera-search-grams.ts). A search for a two-character word
 * shows its total; counting its bigram rows read every one of them, and on PostgreSQL their heap
 * pages too (a bitmap scan, or an index-only scan on a table autovacuum has not yet marked
 * visible): 17–30 ms for a word of 16,000 cameras out of 100,000. A region's count is one row.
 */
export function searchGramCounts(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('camera_search_gram_counts')
        .addColumn('gram', 'text', (c) => c.notNull())
        .addColumn('region_id', 'bigint', (c) => c.notNull())
        .addColumn('n', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('camera_search_gram_counts_pk', ['gram', 'region_id'])
        .execute();
      await sql`INSERT INTO camera_search_gram_counts (gram, region_id, n)
        SELECT gram, region_id, count(*) FROM camera_search_grams WHERE region_id IS NOT NULL GROUP BY gram, region_id`.execute(db);
      if (dialect === 'postgres') await sql`ANALYZE camera_search_gram_counts`.execute(db);
    },
  };
}
