// Free text that is not a Chinese word (Latin letters, digits, punctuation) on both dialects:
// the same answers as a plain substring match over name, address and national ID — through the
// trigram index on SQLite (migration 0037) and pg_trgm's LIKE on PostgreSQL — through insert, bulk
// insert and update, with the other filters and with paging; and on SQLite a plan that reads the
// index, not every camera.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { searchTextOf, type Camera, type CameraFields } from './camera.repository.js';
import type { Db } from './database.js';
import { createRepositories, type Repositories } from './repositories.js';

const NOW = Date.UTC(2026, 0, 1);
const NAMES = ['Gate', 'North Gate', 'Car park', 'car  park', 'Lobby', 'CROSSING', '50% off "sale"', 'a_b\\c', 'Ölmühle', '东门 Gate'];
const STREETS = ['Station Road', 'Harbour Street', '长江路', 'Gatehouse Lane'];

function camera(i: number, regionId: number): CameraFields {
  return {
    gbId: `3401040000132${String(i).padStart(7, '0')}`,
    name: `${NAMES[i % NAMES.length]} ${i}`,
    deviceType: 'fixed', longitude: null, latitude: null,
    address: `${i % 97} ${STREETS[i % STREETS.length]}`,
    directionDeg: null, fovDeg: null, placeCategory: i % 3 === 0 ? 'school' : 'hospital', keyPosition: false, regionId,
    ownerUnitId: null, userUnitId: null, managingUnitId: null, maintainerUnitId: null,
    funding: 'self', signage: true, inServiceDate: null, status: i % 5 === 0 ? 'fault' : 'in_service', sourceUrl: null,
  };
}

const TEXTS = ['gate', 'GATE', 'ate', 'car park', 'car  park', 'r p', ' gate', 'ark 1', 'lobby 2', '50%', '% o', '"sale"', 'a_b', '_b\\', 'b\\c',
  'ölm', 'Ölmühle', 'rossing', '0000132000001', '1320000', 'nothing like it', 'ga', 'e', '7 ', '东门 g', 'n g'];

for (const dialect of DIALECTS) {
  describe(`free-text search on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let all: Camera[];
    let regionId: number;
    let district: { id: number; path: string };
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      regionId = (await repos.organisations.create({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100' }, NOW)).id;
      district = await repos.organisations.create({ kind: 'platform', name: '东区', level: 'district', parentId: regionId }, NOW);
      await repos.cameras.insert(camera(0, regionId), NOW);
      await db.kysely.transaction().execute((trx) => repos.cameras.insertMany(Array.from({ length: 239 }, (_, i) => camera(i + 1, i % 2 ? district.id : regionId)), NOW, trx));
      all = (await repos.cameras.search({ limit: 1000, offset: 0 })).items;
    });
    afterAll(() => db.close());

    const matching = (cameras: Camera[], text: string) => cameras.filter((c) => searchTextOf(c).includes(text.toLowerCase())).map((c) => c.id);

    it('answers as a substring match does, alone and paged', async () => {
      expect(all).toHaveLength(240);
      for (const text of TEXTS) {
        const want = matching(all, text);
        const got = await repos.cameras.search({ text, limit: 1000, offset: 0 });
        expect(got.items.map((c) => c.id), text).toEqual(want);
        expect(got.total, text).toBe(want.length);
        const paged = await repos.cameras.search({ text, limit: 7, offset: 3 });
        expect(paged.items.map((c) => c.id), `${text} page`).toEqual(want.slice(3, 10));
        expect(paged.total, `${text} page`).toBe(want.length);
      }
      expect(matching(all, 'car park').length).toBeGreaterThan(10);
      expect(matching(all, 'nothing like it')).toEqual([]);
    });

    it('answers with a region subtree, a category and a status as the camera rows do', async () => {
      for (const text of ['gate', 'car park', 'ark 1', 'a_b', 'ga']) {
        const want = all.filter((c) => c.regionId === district.id && c.placeCategory === 'school' && c.status === 'in_service');
        const got = await repos.cameras.search({ text, regionPath: district.path, placeCategory: 'school', status: 'in_service', limit: 1000, offset: 0 });
        expect(got.items.map((c) => c.id), text).toEqual(matching(want, text));
        expect(got.total, text).toBe(matching(want, text).length);
        const inRegion = await repos.cameras.search({ text, regionPath: district.path, limit: 4, offset: 1 });
        const wantInRegion = matching(all.filter((c) => c.regionId === district.id), text);
        expect(inRegion.items.map((c) => c.id), `${text} region`).toEqual(wantInRegion.slice(1, 5));
        expect(inRegion.total, `${text} region`).toBe(wantInRegion.length);
      }
    });

    it('follows an update and a camera added later', async () => {
      const c = all.find((x) => x.name.startsWith('Lobby'))!;
      const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = c;
      await repos.cameras.update(c.id, { ...fields, name: 'Boathouse Quay', address: '9 Pier Road' }, NOW + 1);
      const added = await repos.cameras.insert({ ...camera(900, regionId), name: 'Boathouse West' }, NOW + 1);
      expect((await repos.cameras.search({ text: 'boathouse', limit: 50, offset: 0 })).items.map((x) => x.id)).toEqual([c.id, added.id]);
      expect((await repos.cameras.search({ text: 'pier road', limit: 50, offset: 0 })).total).toBe(1);
      expect((await repos.cameras.search({ text: `lobby ${c.name.split(' ')[1]}`, limit: 50, offset: 0 })).items.map((x) => x.id)).not.toContain(c.id);
      // An update that leaves the text alone (a status change) keeps the camera findable.
      await repos.cameras.update(c.id, { ...fields, name: 'Boathouse Quay', address: '9 Pier Road', status: 'fault' }, NOW + 2);
      expect((await repos.cameras.search({ text: 'quay', limit: 50, offset: 0 })).items.map((x) => x.id)).toEqual([c.id]);
    });

    it('reads Latin text of three characters or more from the trigram index, not every camera', async () => {
      if (dialect !== 'sqlite') return;
      const plan = await sql<{ detail: string }>`EXPLAIN QUERY PLAN SELECT count(*) FROM cameras_fts WHERE cameras_fts MATCH ${'"gate"'}`.execute(db.kysely);
      const text = plan.rows.map((r) => r.detail).join('\n');
      expect(text).toMatch(/VIRTUAL TABLE INDEX/);
      expect(text).not.toMatch(/SCAN cameras\b/);
      const page = await sql<{ detail: string }>`EXPLAIN QUERY PLAN SELECT * FROM cameras WHERE id IN (SELECT rowid FROM cameras_fts WHERE cameras_fts MATCH ${'"gate"'} ORDER BY rowid LIMIT 50) ORDER BY id`.execute(db.kysely);
      expect(page.rows.map((r) => r.detail).join('\n')).toMatch(/SEARCH cameras USING INTEGER PRIMARY KEY/);
      // The search is answered by the index: a camera taken out of it is not found, until rebuilt.
      const gone = all.find((c) => searchTextOf(c).includes('gate'))!;
      const ids = async () => (await repos.cameras.search({ text: 'gate', limit: 1000, offset: 0 })).items.map((c) => c.id);
      const before = await ids();
      await sql`INSERT INTO cameras_fts (cameras_fts, rowid, search_text) VALUES ('delete', ${gone.id}, ${searchTextOf(gone)})`.execute(db.kysely);
      expect(await ids()).toEqual(before.filter((id) => id !== gone.id));
      await sql`INSERT INTO cameras_fts (cameras_fts) VALUES ('rebuild')`.execute(db.kysely);
      expect(await ids()).toEqual(before);
    });
  });
}
