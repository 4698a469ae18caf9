// Chinese free-text search through the bigram table, on both dialects: the same answers as a
// plain substring match over name, address and national ID, through insert, bulk insert and update,
// and a plan that reads the bigram table's key rather than every camera.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { hanBigrams } from './camera-search-grams.js';
import { searchTextOf, type Camera, type CameraFields } from './camera.repository.js';
import type { Db } from './database.js';
import { createRepositories, type Repositories } from './repositories.js';

const NOW = Date.UTC(2026, 0, 1);
const WORDS = ['东门', '西门', '东大门', '停车场', '停车 车场', '南门停车场', '路口', 'Gate', '大厅东门'];
const STREETS = ['长江路', '黄山路', '人民路东门', 'Station Road'];

function camera(i: number, regionId: number): CameraFields {
  return {
    gbId: `3401040000132${String(i).padStart(7, '0')}`,
    name: `${WORDS[i % WORDS.length]}${i}`,
    deviceType: 'fixed', longitude: null, latitude: null,
    address: `${i % 97} ${STREETS[i % STREETS.length]}`,
    directionDeg: null, fovDeg: null, placeCategory: 'school', keyPosition: false, regionId,
    ownerUnitId: null, userUnitId: null, managingUnitId: null, maintainerUnitId: null,
    funding: 'self', signage: true, inServiceDate: null, status: 'in_service', sourceUrl: null,
  };
}

it('takes the bigrams of adjacent Han characters only', () => {
  expect(hanBigrams('南门停车场 12 Gate')).toEqual(['南门', '门停', '停车', '车场']);
  expect(hanBigrams('东 门 abc')).toEqual([]);
  expect(hanBigrams('东门东门')).toEqual(['东门', '门东']);
});

for (const dialect of DIALECTS) {
  describe(`Chinese search on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let all: Camera[];
    let regionId: number;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      regionId = (await repos.organisations.create({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100' }, NOW)).id;
      await repos.cameras.insert(camera(0, regionId), NOW);
      await db.kysely.transaction().execute((trx) => repos.cameras.insertMany(Array.from({ length: 299 }, (_, i) => camera(i + 1, regionId)), NOW, trx));
      all = (await repos.cameras.search({ limit: 1000, offset: 0 })).items;
    });
    afterAll(() => db.close());

    const expected = (text: string) => all.filter((c) => searchTextOf(c).includes(text.toLowerCase())).map((c) => c.id);

    it('answers as a substring match does, for two-character words, longer text and mixed text', async () => {
      expect(all).toHaveLength(300);
      for (const text of ['东门', '西门', '门停', '停车场', '南门停车场', '大门', '路东', '东门1', '东门12', '人民路东门', 'gate', '东', '门东']) {
        const want = expected(text);
        const got = await repos.cameras.search({ text, limit: 1000, offset: 0 });
        expect(got.items.map((c) => c.id), text).toEqual(want);
        expect(got.total, text).toBe(want.length);
      }
      // "停车 车场" holds both bigrams of 停车场 but not the word: confirmed by the text.
      expect(expected('停车场').length).toBeLessThan(all.filter((c) => hanBigrams(searchTextOf(c)).includes('停车') && hanBigrams(searchTextOf(c)).includes('车场')).length);
      const paged = await repos.cameras.search({ text: '东门', limit: 5, offset: 5 });
      expect(paged.items.map((c) => c.id)).toEqual(expected('东门').slice(5, 10));
    });

    it('follows an update: the old word no longer finds the camera, the new one does', async () => {
      const c = all.find((x) => x.name.startsWith('西门'))!;
      const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = c;
      await repos.cameras.update(c.id, { ...fields, name: '北侧操场', address: '9 黄河路' }, NOW + 1);
      expect((await repos.cameras.search({ text: '操场', limit: 50, offset: 0 })).items.map((x) => x.id)).toEqual([c.id]);
      expect((await repos.cameras.search({ text: '黄河', limit: 50, offset: 0 })).items.map((x) => x.id)).toEqual([c.id]);
      expect((await repos.cameras.search({ text: '西门', limit: 1000, offset: 0 })).items.map((x) => x.id)).not.toContain(c.id);
      const rows = await db.kysely.selectFrom('camera_search_grams').select('gram').where('camera_id', '=', c.id).execute();
      expect(rows.map((r) => r.gram).sort()).toEqual(hanBigrams(searchTextOf({ name: '北侧操场', address: '9 黄河路', gbId: c.gbId })).sort());
    });

    it('answers a word within a region subtree as the camera rows do, and follows a camera moved between regions', async () => {
      const city = await repos.organisations.get(regionId);
      const east = await repos.organisations.create({ kind: 'platform', name: '东区', level: 'district', parentId: regionId }, NOW);
      const west = await repos.organisations.create({ kind: 'platform', name: '西区', level: 'district', parentId: regionId }, NOW);
      const station = await repos.organisations.create({ kind: 'platform', name: '东区派出所', level: 'station', parentId: east.id }, NOW);
      const targets = [east.id, west.id, station.id];
      for (const [k, c] of all.filter((_, i) => i % 4 === 1).entries()) {
        const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = c;
        await repos.cameras.update(c.id, { ...fields, regionId: targets[k % 3]! }, NOW + 2);
      }
      const now = (await repos.cameras.search({ limit: 1000, offset: 0 })).items;
      const under = (path: string) => {
        const ids = new Set([east, west, station, city!].filter((o) => o.path.startsWith(path)).map((o) => o.id));
        return now.filter((c) => ids.has(c.regionId));
      };
      for (const org of [east, west, station, city!]) {
        for (const text of ['东门', '停车', '停车场', '门东', 'gate']) {
          const want = under(org.path).filter((c) => searchTextOf(c).includes(text)).map((c) => c.id);
          const got = await repos.cameras.search({ text, regionPath: org.path, limit: 1000, offset: 0 });
          expect(got.items.map((c) => c.id), `${org.name} ${text}`).toEqual(want);
          expect(got.total, `${org.name} ${text}`).toBe(want.length);
          const paged = await repos.cameras.search({ text, regionPath: org.path, limit: 3, offset: 2 });
          expect(paged.items.map((c) => c.id), `${org.name} ${text} page`).toEqual(want.slice(2, 5));
          expect(paged.total).toBe(want.length);
        }
      }
      expect(under(east.path).length).toBeGreaterThan(under(station.path).length);
      expect(under(station.path).length).toBeGreaterThan(0);
      const rows = await db.kysely.selectFrom('camera_search_grams').innerJoin('cameras', 'cameras.id', 'camera_search_grams.camera_id').select(['camera_search_grams.region_id as g', 'cameras.region_id as c']).execute();
      expect(rows.filter((r) => Number(r.g) !== Number(r.c))).toEqual([]);
      // The regions' counts of each bigram, kept through inserts, updates and moves, are the
      // bigram rows counted afresh; no count is left at zero.
      const recount = await db.kysely.selectFrom('camera_search_grams').select(['gram', 'region_id', (eb) => eb.fn.countAll<number>().as('n')]).groupBy(['gram', 'region_id']).execute();
      const kept = await db.kysely.selectFrom('camera_search_gram_counts').select(['gram', 'region_id', 'n']).execute();
      const key = (r: { gram: string; region_id: number | null; n: number | string | bigint }) => `${r.gram} ${Number(r.region_id)} ${Number(r.n)}`;
      expect(kept.map(key).sort()).toEqual(recount.map(key).sort());
      expect(new Set(kept.map((r) => Number(r.region_id))).size).toBe(4);
    });

    it('finds a two-character word through the bigram key, not by reading every camera', async () => {
      if (dialect === 'sqlite') {
        const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN SELECT cameras.* FROM cameras INNER JOIN camera_search_grams ON camera_search_grams.camera_id = cameras.id WHERE camera_search_grams.gram = ${'东门'} ORDER BY camera_search_grams.camera_id LIMIT 50`.execute(db.kysely);
        const text = plan.rows.map((r) => r.detail).join('\n');
        console.info(text);
        expect(text).toMatch(/SEARCH camera_search_grams USING (COVERING )?INDEX/);
        expect(text).not.toMatch(/SCAN cameras|TEMP B-TREE/);
      } else {
        await sql`ANALYZE`.execute(db.kysely);
        const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT cameras.* FROM cameras INNER JOIN camera_search_grams ON camera_search_grams.camera_id = cameras.id WHERE camera_search_grams.gram = ${'东门'} ORDER BY cameras.id LIMIT 50`.execute(db.kysely);
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/camera_search_grams/);
      }
    });
  });
}
