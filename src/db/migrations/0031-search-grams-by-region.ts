import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/**
 * Issue 21, item 7: a Chinese word searched within a region subtree (the common case: a station's
 * operator types 东门) read every camera of that word to check its region, tens of milliseconds
 * at city scale. The bigram table now carries each camera's region, with an index (gram, region,
 * camera): the word's cameras of the subtree's regions are read from the index alone. Filled here
 * for the cameras already registered; the camera repository keeps it with every write.
 */
export function searchGramsByRegion(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('camera_search_grams').addColumn('region_id', 'bigint').execute();
      await sql`UPDATE camera_search_grams SET region_id = (SELECT region_id FROM cameras WHERE cameras.id = camera_search_grams.camera_id)`.execute(db);
      await db.schema.createIndex('camera_search_grams_region').on('camera_search_grams').columns(['gram', 'region_id', 'camera_id']).execute();
      if (dialect === 'postgres') await sql`ANALYZE camera_search_grams`.execute(db);
    },
  };
}
