import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/support/app.js';
import { DIALECTS } from '../../test/support/databases.js';
import { buildApp } from './app.js';

describe('the app', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('sqlite');
  });
  afterAll(() => t.close());

  it('answers /healthz with the database state', async () => {
    const res = await t.app.inject({ url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', version: 'test', database: { dialect: 'sqlite', ok: true } });
  });

  it('serves Prometheus metrics to the configured scraper, counting requests by route', async () => {
    const token = 'a-scraper-token-of-enough-length';
    const app = await buildApp({ db: t.db, registry: t.registry, profiles: t.view, access: t.access, version: 'test', logger: false, security: { metricsToken: token } });
    await app.inject({ url: '/api/v1/cameras', headers: { authorization: 'Bearer not-a-token' } });
    await app.inject({ url: '/healthz' });
    const res = await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    await app.close();
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.body).toMatch(/vigil_http_requests_total\{method="GET",route="\/api\/v1\/cameras",status="401"\} \d+/);
    expect(res.body).toMatch(/vigil_http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
    expect(res.body).toMatch(/vigil_process_cpu_seconds_total/);
  });

  it('documents every API route in the OpenAPI document and serves the browsable page', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    const documented = new Set(
      Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`)),
    );
    const routes = t.app
      .printRoutes({ commonPrefix: false })
      .split('\n')
      .filter((l) => l.includes('/api/v1'));
    expect(routes.length).toBeGreaterThan(0);
    for (const expected of [
      'GET /api/v1/cameras', 'POST /api/v1/cameras', 'GET /api/v1/cameras/{id}', 'PATCH /api/v1/cameras/{id}', 'POST /api/v1/cameras/import',
      'GET /api/v1/cameras/export', 'GET /api/v1/organisations', 'POST /api/v1/organisations', 'PATCH /api/v1/organisations/{id}',
      'DELETE /api/v1/organisations/{id}', 'GET /api/v1/camera-groups', 'POST /api/v1/camera-groups/{id}/members',
      'GET /api/v1/reports/coverage', 'GET /api/v1/profiles', 'GET /api/v1/profiles/{id}', 'GET /api/v1/place-categories', 'GET /healthz',
    ]) {
      expect(documented, expected).toContain(expected);
    }
    const page = await t.app.inject({ url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/swagger/i);
  });

  it('answers an unknown route and bad JSON in the one error shape', async () => {
    const nf = await t.app.inject({ url: '/api/v1/nothing' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().error.code).toBe('NOT_FOUND');
    const bad = await t.app.inject({ method: 'POST', url: '/api/v1/organisations', headers: { 'content-type': 'application/json' }, payload: '{"kind":' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('FST_ERR_CTP_INVALID_JSON_BODY');
    // The router's own refusals too: an over-long path parameter, a URL that does not decode.
    const long = await t.app.inject({ url: `/api/v1/cameras/${'9'.repeat(150)}` });
    expect(long.statusCode).toBe(414);
    expect(long.json().error.code).toBe('FST_ERR_MAX_PARAM_LENGTH');
    expect(long.headers['x-content-type-options']).toBe('nosniff');
  });

  it('turns an unexpected failure into a 500 with a correlation id and no internals', async () => {
    const app = t.app;
    // A real fault: the database goes away under a request.
    const broken = await testApp('sqlite');
    await broken.db.close();
    const res = await broken.app.inject({ url: '/api/v1/cameras' });
    expect(res.statusCode).toBe(500);
    const { error } = res.json();
    expect(error.code).toBe('INTERNAL');
    expect(error.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(error)).not.toMatch(/sqlite|database|stack|at /i);
    await broken.app.close();
    expect(app).toBeDefined();
  });
});

for (const dialect of DIALECTS) {
  describe(`organisations API on ${dialect}`, () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await testApp(dialect);
    });
    afterAll(() => t.close());
    const post = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/organisations', payload });

    it('builds a platform tree by level with units in regions, and inherits profiles', async () => {
      const city = (await post({ kind: 'platform', name: '哈尔滨市', level: 'city', profileId: 'harbin', regionCode: '230100' })).json();
      const district = (await post({ kind: 'platform', name: '道里区', level: 'district', parentId: city.id })).json();
      const station = (await post({ kind: 'platform', name: '新阳路派出所', level: 'station', parentId: district.id })).json();
      const unit = (await post({ kind: 'unit', name: 'Maintenance Co.', unitRoles: ['maintainer'], parentId: station.id })).json();
      expect(unit.regionCode).toBe(null);
      const shown = (await t.app.inject({ url: `/api/v1/organisations/${station.id}` })).json();
      expect(shown.effectiveProfileId).toBe('harbin');
      const subtree = (await t.app.inject({ url: `/api/v1/organisations?subtreeOf=${district.id}` })).json();
      expect(subtree.items.map((o: { id: number }) => o.id)).toEqual([district.id, station.id, unit.id]);
      const roots = (await t.app.inject({ url: '/api/v1/organisations?parentId=root' })).json();
      expect(roots.items.map((o: { id: number }) => o.id)).toEqual([city.id]);
    });

    it('refuses a tree that makes no sense, naming the field', async () => {
      const [city] = (await t.app.inject({ url: '/api/v1/organisations?parentId=root' })).json().items;
      const upside = await post({ kind: 'platform', name: 'x', level: 'province', parentId: city.id });
      expect(upside.statusCode).toBe(400);
      expect(upside.json().error.details[0].path).toBe('level');
      const orphanUnit = await post({ kind: 'unit', name: 'x', unitRoles: ['user'] });
      expect(orphanUnit.json().error.details[0].path).toBe('parentId');
      const badProfile = await post({ kind: 'platform', name: 'x', level: 'city', profileId: 'atlantis' });
      expect(badProfile.json().error.message).toMatch(/atlantis/);
      const missingParent = await post({ kind: 'platform', name: 'x', level: 'district', parentId: 99999 });
      expect(missingParent.statusCode).toBe(400);
    });

    it('will not remove an organisation that still has something under it', async () => {
      const [city] = (await t.app.inject({ url: '/api/v1/organisations?parentId=root' })).json().items;
      const res = await t.app.inject({ method: 'DELETE', url: `/api/v1/organisations/${city.id}` });
      expect(res.statusCode).toBe(409);
      const leaf = (await post({ kind: 'platform', name: 'leaf', level: 'district', parentId: city.id })).json();
      expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/organisations/${leaf.id}` })).statusCode).toBe(204);
    });
  });
}
