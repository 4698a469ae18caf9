// The law as enacted, through the API on both databases: the deployment's legal standing, and
// privacy places refused under every profile and flagged where a point already sits in one.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../../../../test/support/databases.js';
import { testApp, type TestApp } from '../../../../test/support/app.js';

// A privacy place each jurisdiction's own text does not name, and the articles that refuse it:
// the text's own catch-all first, then Decree 799's item.
const UNNAMED: Record<string, [string, string[]]> = {
  national: ['hospital-wards', ['CN799-8(4)']],
  anhui: ['make-up-rooms', ['AH-8(5)', 'CN799-8(4)']],
  hubei: ['fitting-rooms', ['HB-8(6)', 'CN799-8(3)']],
  harbin: ['nursing-rooms', ['HRB-9', 'CN799-8(3)']],
  weihai: ['private-dining-rooms', ['WH-9', 'CN799-8(1)']],
};

for (const dialect of DIALECTS) {
  describe(`the law as enacted through the API on ${dialect}`, () => {
    let t: TestApp;
    const regions: Record<string, { district: number; unit: number }> = {};
    let n = 0;
    const post = async (url: string, body: object) => t.app.inject({ method: 'POST', url: `/api/v1${url}`, payload: body });
    const camera = (profile: string, placeCategory: string) => ({
      gbId: `340104000013200${String(++n).padStart(5, '0')}`,
      name: `cam ${n}`, deviceType: 'fixed', longitude: 117.28, latitude: 31.86, address: '1 长江路', directionDeg: 180, fovDeg: 75,
      placeCategory, keyPosition: false, regionId: regions[profile]!.district, ownerUnitId: regions[profile]!.unit, userUnitId: regions[profile]!.unit,
      funding: 'self', signage: true, inServiceDate: '2025-06-01', status: 'in_service',
    });

    beforeAll(async () => {
      // Deployed on the Harbin draft: the deployment starts, and says its text is a draft.
      t = await testApp(dialect, 'harbin');
      for (const profile of Object.keys(UNNAMED)) {
        const city = (await post('/organisations', { kind: 'platform', name: `${profile}市`, level: 'city', profileId: profile })).json();
        const district = (await post('/organisations', { kind: 'platform', name: `${profile}区`, level: 'district', parentId: city.id })).json();
        const unit = (await post('/organisations', { kind: 'unit', name: `${profile}单位`, unitRoles: ['builder', 'user'], parentId: district.id })).json();
        regions[profile] = { district: district.id, unit: unit.id };
      }
    }, 60_000);
    afterAll(() => t.close());

    it('exposes the legal standing of the deployment and of every profile', async () => {
      const res = await t.app.inject({ url: '/api/v1/profiles' });
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.deployment).toMatchObject({ profileId: 'harbin', status: 'draft' });
      expect(body.deployment.warning.zh).toMatch(/征求意见稿/);
      const byId = Object.fromEntries(body.items.map((p: { id: string; standing: { status: string } }) => [p.id, p.standing.status]));
      expect(byId).toMatchObject({ national: 'in-force', 'national-draft-2016': 'draft', weihai: 'expired', anhui: 'in-force' });
      const detail = (await t.app.inject({ url: '/api/v1/profiles/weihai' })).json();
      expect(detail.standing).toMatchObject({ status: 'expired', effectiveTo: '2024-11-30' });
    });

    it('refuses a camera in a privacy place the local text does not name, under every profile', async () => {
      for (const [profile, [category, articles]] of Object.entries(UNNAMED)) {
        const res = await post('/cameras', camera(profile, category));
        expect([profile, res.statusCode]).toEqual([profile, 422]);
        expect([profile, res.json().error.code, res.json().error.articles]).toEqual([profile, 'PROHIBITED_PLACE', articles]);
      }
    });

    it('flags a point already sitting in a privacy place in the coverage report, with its articles', async () => {
      const res = await post('/cameras', camera('national', 'car-parks'));
      expect(res.statusCode, res.body).toBe(201);
      // Recorded before the catalogue knew better (or by another tool): the report must still see it.
      await sql`update cameras set place_category = 'nursing-rooms' where id = ${res.json().id}`.execute(t.db.kysely);
      const report = (await t.app.inject({ url: '/api/v1/reports/coverage' })).json();
      expect(report.violations).toContainEqual(expect.objectContaining({ regionId: regions.national!.district, placeCategory: 'nursing-rooms', cameras: 1, articles: ['CN799-8(3)'] }));
    });
  });
}
