// Migration 0046 on a registry that already has cameras: the counts it fills are the bigram rows
// counted by (bigram, region), on both dialects, and a word's total then comes from them.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../../test/support/databases.js';
import type { CameraFields } from '../camera.repository.js';
import { createRepositories } from '../repositories.js';
import { searchGramCounts } from './0046-search-gram-counts.js';

const NOW = Date.UTC(2026, 0, 1);

function camera(i: number, regionId: number): CameraFields {
  return {
    gbId: `3401040000132${String(i).padStart(7, '0')}`,
    name: `${['东门', '西门停车场', 'Gate', '东门路口'][i % 4]}${i}`,
    deviceType: 'fixed', longitude: null, latitude: null, address: `${i} ${['长江路', '人民路'][i % 2]}`,
    directionDeg: null, fovDeg: null, placeCategory: 'school', keyPosition: false, regionId,
    ownerUnitId: null, userUnitId: null, managingUnitId: null, maintainerUnitId: null,
    funding: 'self', signage: true, inServiceDate: null, status: 'in_service', sourceUrl: null,
  };
}

for (const dialect of DIALECTS) {
  describe(`0046 on ${dialect}`, () => {
    it('fills the counts of the cameras already registered, region by region', async () => {
      const db = await freshDatabase(dialect);
      try {
        const repos = createRepositories(db);
        const city = await repos.organisations.create({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100' }, NOW);
        const district = await repos.organisations.create({ kind: 'platform', name: '蜀山区', level: 'district', parentId: city.id }, NOW);
        await db.kysely.transaction().execute((trx) => repos.cameras.insertMany(Array.from({ length: 120 }, (_, i) => camera(i, i % 3 ? city.id : district.id)), NOW, trx));
        // As before the migration: the bigram rows only.
        await db.kysely.schema.dropTable('camera_search_gram_counts').execute();
        await searchGramCounts(dialect).up(db.kysely as never);
        const counts = await db.kysely.selectFrom('camera_search_gram_counts').select(['gram', 'region_id', 'n']).orderBy('gram').orderBy('region_id').execute();
        const recount = await sql<{ gram: string; region_id: number; n: number }>`SELECT gram, region_id, count(*) AS n FROM camera_search_grams GROUP BY gram, region_id ORDER BY gram, region_id`.execute(db.kysely);
        const key = (r: { gram: string; region_id: number | string; n: number | string }) => `${r.gram} ${Number(r.region_id)} ${Number(r.n)}`;
        expect(counts.map(key)).toEqual(recount.rows.map(key));
        expect(counts.find((r) => r.gram === '东门' && Number(r.region_id) === district.id)?.n).toBeDefined();
        // The totals read from the counts: every camera whose text holds the word, in the subtree.
        const all = await repos.cameras.search({ text: '东门', limit: 1000, offset: 0 });
        expect(all.total).toBe(60);
        expect(all.items).toHaveLength(60);
        const inDistrict = await repos.cameras.search({ text: '东门', regionPath: district.path, limit: 1, offset: 0 });
        expect(inDistrict.total).toBe(Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 3 === 0 && (i % 4 === 0 || i % 4 === 3)).length);
      } finally {
        await db.close();
      }
    });
  });
}
