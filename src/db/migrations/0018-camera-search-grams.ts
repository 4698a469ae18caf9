import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { gramRows } from '../camera-search-grams.js';

/**
 * Issue 21, item 7: Chinese free-text search in the camera registry on both dialects. A table of
 * the bigrams of adjacent Han characters in each camera's search text (see camera-search-grams.ts
 * for why neither dialect's own text search serves two-character words), owned by the camera
 * repository, filled here for the cameras already registered.
 */
export function cameraSearchGrams(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('camera_search_grams')
        .addColumn('gram', 'text', (c) => c.notNull())
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('camera_search_grams_pk', ['gram', 'camera_id'])
        .execute();
      await db.schema.createIndex('camera_search_grams_camera').on('camera_search_grams').column('camera_id').execute();
      let after = 0;
      for (;;) {
        const page = await sql<{ id: number | string; search_text: string }>`SELECT id, search_text FROM cameras WHERE id > ${after} ORDER BY id LIMIT 2000`.execute(db);
        if (!page.rows.length) break;
        const rows = gramRows(page.rows.map((r) => ({ id: Number(r.id), searchText: r.search_text })));
        for (let i = 0; i < rows.length; i += 5000) await (db as Kysely<{ camera_search_grams: { gram: string; camera_id: number } }>).insertInto('camera_search_grams').values(rows.slice(i, i + 5000)).execute();
        after = Number(page.rows.at(-1)!.id);
      }
      if (dialect === 'postgres') await sql`ANALYZE camera_search_grams`.execute(db);
    },
  };
}
