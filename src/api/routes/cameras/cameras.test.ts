import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../../test/support/databases.js';
import { testApp, type TestApp } from '../../../../test/support/app.js';

for (const dialect of DIALECTS) {
  describe(`camera registry API on ${dialect}`, () => {
    let t: TestApp;
    let cityId: number;
    let districtId: number;
    let unitId: number;
    let allowed: string;
    let prohibited: string;
    const camera = (over: Record<string, unknown> = {}) => ({
      gbId: '34010400001320000001',
      name: '东门 East gate',
      deviceType: 'fixed',
      longitude: 117.28,
      latitude: 31.86,
      address: '1 长江路',
      directionDeg: 180,
      fovDeg: 75,
      placeCategory: allowed,
      keyPosition: true,
      regionId: districtId,
      ownerUnitId: unitId,
      userUnitId: unitId,
      funding: 'self',
      signage: true,
      inServiceDate: '2025-06-01',
      status: 'in_service',
      ...over,
    });

    beforeAll(async () => {
      t = await testApp(dialect, 'anhui');
      const mandatory = t.rules.mandatoryCategories('anhui');
      allowed = mandatory[0]!.id;
      prohibited = t.view.categories().find((c) => t.rules.prohibitedBy('anhui', c.id))!.id;
      const post = async (body: object) => (await t.app.inject({ method: 'POST', url: '/api/v1/organisations', payload: body })).json();
      cityId = (await post({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100' })).id;
      districtId = (await post({ kind: 'platform', name: '蜀山区', level: 'district', parentId: cityId })).id;
      unitId = (await post({ kind: 'unit', name: '第一中学', unitRoles: ['builder', 'user'], parentId: districtId })).id;
    });
    afterAll(() => t.close());

    it('registers a camera point with every R1.2 field and reads it back', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera() });
      expect(res.statusCode).toBe(201);
      const got = (await t.app.inject({ url: `/api/v1/cameras/${res.json().id}` })).json();
      expect(got).toMatchObject({ ...camera(), managingUnitId: null, maintainerUnitId: null, sourceUrl: null });
    });

    it('refuses a camera in a prohibited privacy place, naming the articles of the profile', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera({ gbId: '34010400001320000002', placeCategory: prohibited }) });
      expect(res.statusCode).toBe(422);
      const body = res.json();
      expect(body.error.code).toBe('PROHIBITED_PLACE');
      expect(body.error.articles).toEqual(expect.arrayContaining([expect.stringMatching(/^AH-8/)]));
      expect(body.error.message).toMatch(/AH-8/);
      // The place is named as people know it, in both languages, never by its catalogue id.
      const name = t.view.categories().find((c) => c.id === prohibited)!.name;
      expect(body.error.message).toContain(name.en);
      expect(body.error.message).toContain(name.zh);
      expect(body.error.message).not.toContain(`"${prohibited}"`);
      expect(body.error.params).toMatchObject({ category: prohibited, profile: 'anhui' });
    });

    it('validates the national ID and refuses a duplicate', async () => {
      const bad = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera({ gbId: '3401040000132000000X' }) });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.details[0].path).toBe('gbId');
      const notCamera = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera({ gbId: '34010400002000000001' }) });
      expect(notCamera.statusCode).toBe(400);
      expect(notCamera.json().error.details[0].message).toMatch(/200/);
      const dup = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera() });
      expect(dup.statusCode).toBe(409);
      expect(dup.json().error.details[0].path).toBe('gbId');
    });

    it('rejects unknown fields and names bad fields with their reason', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: { ...camera({ gbId: '34010400001320000003' }), colour: 'red', latitude: 120 } });
      expect(res.statusCode).toBe(400);
      const { error } = res.json();
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toMatch(/colour/);
      expect(error.message).toMatch(/latitude/);
    });

    it('refuses a unit where a region is expected', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera({ gbId: '34010400001320000004', regionId: unitId }) });
      expect(res.statusCode).toBe(400);
      expect(res.json().error.details).toEqual([{ path: 'regionId', message: expect.stringMatching(/unit, not a region/) }]);
    });

    it('searches by region subtree, unit and text', async () => {
      const inCity = (await t.app.inject({ url: `/api/v1/cameras?regionId=${cityId}` })).json();
      expect(inCity.total).toBe(1);
      expect((await t.app.inject({ url: `/api/v1/cameras?unitId=${unitId}&q=east` })).json().total).toBe(1);
      expect((await t.app.inject({ url: `/api/v1/cameras?q=nothing-like-this` })).json().total).toBe(0);
      const bad = await t.app.inject({ url: `/api/v1/cameras?limit=100000` });
      expect(bad.statusCode).toBe(400);
    });

    it('imports CSV all-or-nothing, reporting every bad row with line and field', async () => {
      const header = 'gbId,name,deviceType,address,placeCategory,regionId,funding,signage,status,inServiceDate';
      const good = (n: number) => `3401040000132000${String(100 + n).padStart(4, '0')},Cam ${n},fixed,Road ${n},${allowed},${districtId},self,yes,in_service,2025-01-01`;
      const csv = [
        header,
        good(1),
        `34010400001320000101,Dup,fixed,Road,${allowed},${districtId},self,yes,planned,`,
        `34010400001320000300,Bad,flying,Road,${allowed},${districtId},self,maybe,planned,`,
        `34010400001320000301,Priv,fixed,Road,${prohibited},${districtId},self,yes,planned,`,
        good(2),
      ].join('\n');
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras/import', headers: { 'content-type': 'text/csv' }, payload: csv });
      expect(res.statusCode).toBe(400);
      const { error } = res.json();
      expect(error.code).toBe('IMPORT_REJECTED');
      const paths = error.details.map((d: { path: string }) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['line 3: gbId', 'line 4: signage', 'line 5: placeCategory']));
      expect(error.articles).toEqual(expect.arrayContaining([expect.stringMatching(/^AH-8/)]));
      expect((await t.app.inject({ url: `/api/v1/cameras?q=cam` })).json().total).toBe(0);

      const ok = await t.app.inject({ method: 'POST', url: '/api/v1/cameras/import', headers: { 'content-type': 'text/csv' }, payload: [header, good(1), good(2)].join('\n') });
      expect(ok.statusCode).toBe(201);
      expect(ok.json()).toEqual({ imported: 2 });
    });

    it('exports CSV that imports back', async () => {
      const res = await t.app.inject({ url: '/api/v1/cameras/export' });
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      const lines = res.body.trim().split('\n');
      expect(lines[0]).toMatch(/^gbId,name,deviceType/);
      expect(lines).toHaveLength(4);
    });

    it('reports coverage gaps per region with articles', async () => {
      const report = (await t.app.inject({ url: '/api/v1/reports/coverage' })).json();
      const district = report.regions.find((r: { regionId: number }) => r.regionId === districtId);
      expect(district.profileId).toBe('anhui');
      expect(district.covered).toContain(allowed);
      expect(district.missing.length).toBeGreaterThan(0);
      expect(district.missing[0].articles[0]).toMatch(/^AH-7/);
    });

    it('says when a camera with a stream address will not be recorded, and stops saying it once it will', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/cameras', payload: camera({ gbId: '34010400001320000009', status: 'planned', inServiceDate: null, sourceUrl: 'rtsp://10.20.30.40/stream1' }) });
      expect(res.statusCode).toBe(201);
      expect(res.json().warnings).toEqual([{ code: 'NOT_RECORDED_STATUS', params: { status: 'planned' }, message: expect.stringMatching(/not|only cameras in service/) }]);
      const fixed = await t.app.inject({ method: 'PATCH', url: `/api/v1/cameras/${res.json().id}`, payload: { status: 'in_service', inServiceDate: '2025-06-01' } });
      expect(fixed.statusCode).toBe(200);
      expect(fixed.json().warnings).toEqual([]);
    });
  });
}

for (const dialect of DIALECTS) {
  describe(`registry changes are registered on ${dialect}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await testApp(dialect, 'national');
    });
    afterAll(() => t.close());

    it('records who created a camera point, in the same transaction as the change', async () => {
      const org = (await t.app.inject({ method: 'POST', url: '/api/v1/organisations', payload: { kind: 'platform', name: 'City', level: 'city' } })).json();
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cameras',
        payload: { gbId: '11010000001320000001', name: 'Gate', deviceType: 'fixed', address: 'Road 1', placeCategory: 'schools', regionId: org.id, funding: 'self', signage: true },
      });
      expect(res.statusCode).toBe(201);
      const cam = res.json();
      const { items } = await t.audit.search({ action: 'registry_change', cameraId: cam.id });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ outcome: 'success', target: `camera:${cam.id} create` });
      expect(items[0]!.actors[0]!.name).toBeTruthy();
      const orgEntries = (await t.audit.search({ action: 'registry_change' })).items.filter((e) => e.target === `organisation:${org.id} create`);
      expect(orgEntries).toHaveLength(1);
    });

    it('makes no change when its record cannot be written', async () => {
      const org = (await t.app.inject({ url: '/api/v1/organisations?parentId=root' })).json().items[0];
      const before = (await t.app.inject({ url: '/api/v1/cameras' })).json().total;
      // The register refuses to be written — on SQLite its head row is gone; on PostgreSQL, where
      // an action writes its entry to the register's inbox, the inbox refuses it: the change must
      // not happen.
      const head = await t.db.kysely.selectFrom('audit_head' as never).selectAll().execute();
      if (dialect === 'sqlite') await t.db.kysely.deleteFrom('audit_head' as never).execute();
      else await sql`ALTER TABLE audit_inbox ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`.execute(t.db.kysely);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/cameras',
        payload: { gbId: '11010000001320000002', name: 'Gate 2', deviceType: 'fixed', address: 'Road 2', placeCategory: 'schools', regionId: org.id, funding: 'self', signage: true },
      });
      expect(res.statusCode).toBe(500);
      if (dialect === 'sqlite') await t.db.kysely.insertInto('audit_head' as never).values(head as never).execute();
      else await sql`ALTER TABLE audit_inbox DROP CONSTRAINT refuse_all`.execute(t.db.kysely);
      expect((await t.app.inject({ url: '/api/v1/cameras' })).json().total).toBe(before);
      expect(await t.registry.cameras.search({ q: 'Gate 2' })).toMatchObject({ total: 0 });
    });
  });
}
