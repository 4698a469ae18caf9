// Camera positions for the map (issue 20, CN-6, HRB-27): a duty operator gets the positions, view
// directions and fields of view of the cameras they watch only when the map asks for them
// (positions=true, map:view), never national IDs, addresses or stream addresses, and each showing
// is registered; an investigator (no map:view) gets no positions; basic-info:read holders as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { world, type World } from './fixtures.js';

describe.each(DIALECTS)('camera positions on the map (%s)', (dialect) => {
  let t: TestApp;
  let w: World;
  let operator: Client;
  let investigator: Client;
  let maintainer: Client;

  beforeAll(async () => {
    t = await testApp(dialect);
    w = await world(t);
    operator = await signIn(t, await person(t, 'op', [['duty_operator', w.districtA]]));
    investigator = await signIn(t, await person(t, 'inv', [['investigator', w.districtA]], { workId: 'P9' }));
    maintainer = await signIn(t, await person(t, 'mt', [['maintainer', w.districtA]]));
  }, 120_000);
  afterAll(() => t?.close());

  const mapReadings = async (userId: number) => {
    const out: number[][] = [];
    for await (const e of t.audit.entries({ action: 'registry_view' })) if (e.actors[0]?.userId === userId) out.push(e.cameraIds);
    return out;
  };
  const list = async (c: Client, positions: boolean) => (await c.inject({ method: 'GET', url: `/api/v1/cameras${positions ? '?positions=true' : ''}` })).json().items as Record<string, unknown>[];

  it('gives the operator positions only for the map, nothing else confidential, each showing registered', async () => {
    const plain = await list(operator, false);
    expect(plain).toMatchObject([{ id: w.camA, longitude: null, latitude: null, directionDeg: null, fovDeg: null, gbId: '', address: '' }]);
    expect(await mapReadings(operator.person.id)).toEqual([]);

    const map = await list(operator, true);
    expect(map).toMatchObject([{ id: w.camA, longitude: 117.28, latitude: 31.86, directionDeg: 180, fovDeg: 75, gbId: '', address: '', sourceUrl: null }]);
    expect(await mapReadings(operator.person.id)).toEqual([[w.camA]]);
  });

  it('gives no positions to one who may not watch (an investigator), and basic-info:read holders the whole record', async () => {
    expect((await list(investigator, true)).every((c) => c.longitude === null && c.gbId === '')).toBe(true);
    expect(await mapReadings(investigator.person.id)).toEqual([]);
    expect(await list(maintainer, true)).toMatchObject([{ id: w.camA, longitude: 117.28, gbId: '34010400001320000001' }]);
  });
});
