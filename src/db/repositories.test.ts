import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import type { CameraFields } from './camera.repository.js';
import type { Db } from './database.js';
import { createRepositories, type Repositories } from './repositories.js';

const NOW = Date.UTC(2026, 0, 1);

function camera(over: Partial<CameraFields> & Pick<CameraFields, 'gbId' | 'regionId'>): CameraFields {
  return {
    name: 'Gate camera',
    deviceType: 'fixed',
    longitude: 117.2,
    latitude: 31.8,
    address: '1 School Road',
    directionDeg: 90,
    fovDeg: 60,
    placeCategory: 'school',
    keyPosition: false,
    ownerUnitId: null,
    userUnitId: null,
    managingUnitId: null,
    maintainerUnitId: null,
    funding: 'self',
    signage: true,
    inServiceDate: '2025-05-01',
    status: 'in_service',
    sourceUrl: null,
    ...over,
  };
}

for (const dialect of DIALECTS) {
  describe(`repositories on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
    });
    afterAll(() => db.close());

    it('keeps organisations in a tree with materialised paths', async () => {
      const city = await repos.organisations.create({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100' }, NOW);
      const district = await repos.organisations.create({ kind: 'platform', name: '蜀山区', level: 'district', parentId: city.id }, NOW);
      const school = await repos.organisations.create(
        { kind: 'unit', name: 'No. 1 School', unitRoles: ['builder', 'user'], parentId: district.id },
        NOW,
      );
      expect(city.path).toBe(`/${city.id}/`);
      expect(school.path).toBe(`/${city.id}/${district.id}/${school.id}/`);
      expect(school.unitRoles).toEqual(['builder', 'user']);
      const subtree = await repos.organisations.list({ subtreeOf: district.path });
      expect(subtree.map((o) => o.id)).toEqual([district.id, school.id]);
      const lineage = await repos.organisations.lineage(school);
      expect(lineage.map((o) => o.name)).toEqual(['合肥市', '蜀山区', 'No. 1 School']);
    });

    it('stores every registry field and searches by subtree, unit, category, status and text', async () => {
      const [city] = await repos.organisations.list({ parentId: null });
      const district = (await repos.organisations.list({ parentId: city!.id }))[0]!;
      const other = await repos.organisations.create({ kind: 'platform', name: '包河区', level: 'district', parentId: city!.id }, NOW);
      const unit = (await repos.organisations.list({ kind: 'unit' }))[0]!;
      const a = await repos.cameras.insert(
        camera({ gbId: '34010400001320000001', regionId: district.id, ownerUnitId: unit.id, name: '东门', keyPosition: true }),
        NOW,
      );
      await repos.cameras.insertMany(
        [
          camera({ gbId: '34010400001320000002', regionId: other.id, placeCategory: 'hospital', status: 'fault' }),
          camera({ gbId: '34010400001320000003', regionId: other.id, address: '88 Harbour Street' }),
        ],
        NOW,
      );
      expect(await repos.cameras.get(a.id)).toMatchObject({
        gbId: '34010400001320000001',
        name: '东门',
        keyPosition: true,
        signage: true,
        longitude: 117.2,
        directionDeg: 90,
        inServiceDate: '2025-05-01',
        ownerUnitId: unit.id,
        createdAt: NOW,
      });
      const page = { limit: 50, offset: 0 };
      expect((await repos.cameras.search({ ...page, regionPath: district.path })).total).toBe(1);
      expect((await repos.cameras.search({ ...page, regionPath: city!.path })).total).toBe(3);
      expect((await repos.cameras.search({ ...page, unitId: unit.id })).items.map((c) => c.id)).toEqual([a.id]);
      expect((await repos.cameras.search({ ...page, placeCategory: 'hospital' })).total).toBe(1);
      expect((await repos.cameras.search({ ...page, status: 'fault' })).total).toBe(1);
      expect((await repos.cameras.search({ ...page, text: 'HARBOUR' })).total).toBe(1);
      expect((await repos.cameras.search({ ...page, text: '东门' })).total).toBe(1);
      expect((await repos.cameras.search({ ...page, text: '100%' })).total).toBe(0);
      expect((await repos.cameras.search({ ...page, keyPosition: true })).total).toBe(1);
      const paged = await repos.cameras.search({ limit: 2, offset: 2, regionPath: city!.path });
      expect(paged.items).toHaveLength(1);
      expect(paged.total).toBe(3);
    });

    it('refuses a duplicate national ID at the database', async () => {
      const [city] = await repos.organisations.list({ parentId: null });
      await expect(repos.cameras.insert(camera({ gbId: '34010400001320000001', regionId: city!.id }), NOW)).rejects.toThrow();
    });

    it('rolls back a transaction as a whole', async () => {
      const [city] = await repos.organisations.list({ parentId: null });
      const before = (await repos.cameras.search({ limit: 1, offset: 0 })).total;
      await expect(
        db.kysely.transaction().execute(async (trx) => {
          await repos.cameras.insertMany([camera({ gbId: '34010400001320000099', regionId: city!.id })], NOW, trx);
          await repos.cameras.insertMany([camera({ gbId: '34010400001320000001', regionId: city!.id })], NOW, trx);
        }),
      ).rejects.toThrow();
      expect((await repos.cameras.search({ limit: 1, offset: 0 })).total).toBe(before);
    });

    it('keeps GB/T 28181 groups and their members', async () => {
      const bg = await repos.cameraGroups.create({ gbId: '34010400002150000001', kind: 'business_group', name: '学校', parentId: null }, NOW);
      const vo = await repos.cameraGroups.create({ gbId: '34010400002160000001', kind: 'virtual_organisation', name: '东区', parentId: bg.id }, NOW);
      const cam = await repos.cameras.getByGbId('34010400001320000001');
      await repos.cameraGroups.addMembers(vo.id, [cam!.id, cam!.id]);
      await repos.cameraGroups.addMembers(vo.id, [cam!.id]);
      expect(await repos.cameraGroups.members(vo.id)).toEqual([cam!.id]);
      expect((await repos.cameraGroups.get(vo.id))?.parentId).toBe(bg.id);
    });
  });
}
