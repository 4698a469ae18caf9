// Force majeure through the API on both dialects (issue 17 item 5, HRB-25(3)): one maintainer
// proposes an outage span with a reason, the same person may not confirm it (refused once in the
// register, citing the profile's article), a second maintainer confirms it, and the day's report
// — already rolled up — leaves the span's offline time out of the online rate and lists it apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import type { Camera } from '../../src/db/camera.repository.js';
import { dayWindow } from '../../src/health/rates.js';
import { person, signIn, type Client } from '../support/auth.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';

const H = 3_600_000;
const DAY_ = '2026-10-31';

for (const dialect of DIALECTS) {
  describe(`force majeure (${dialect})`, () => {
    let t: TestApp;
    let camera: Camera;
    let first: Client;
    let second: Client;
    let stranger: Client;
    const win = dayWindow(DAY_, 480);
    const at = (hours: number) => win.startMs + hours * H;
    const as = (c: Client) => (o: InjectOptions) => c.inject(o);

    beforeAll(async () => {
      t = await testApp(dialect, 'harbin');
      const now = t.clock.now();
      expect(now).toBeGreaterThan(win.endMs); // the day is over: it is read from its roll-up
      const city = await t.repos.organisations.create({ kind: 'platform', name: 'Harbin', level: 'city', regionCode: '230100', profileId: 'harbin' }, now);
      const district = await t.repos.organisations.create({ kind: 'platform', name: 'Daoli', level: 'district', regionCode: '230102', parentId: city.id }, now);
      const other = await t.repos.organisations.create({ kind: 'platform', name: 'Nangang', level: 'district', regionCode: '230103', parentId: city.id }, now);
      const unit = await t.repos.organisations.create({ kind: 'unit', name: 'Repair Co.', unitRoles: ['maintainer'], parentId: district.id }, now);
      camera = await t.repos.cameras.insert({
        gbId: '23010200001320000001', name: 'Gate', deviceType: 'fixed', longitude: null, latitude: null, address: '1 Gate Rd', directionDeg: null, fovDeg: null,
        placeCategory: 'road', keyPosition: false, regionId: district.id, ownerUnitId: null, userUnitId: null, managingUnitId: null, maintainerUnitId: unit.id,
        funding: 'government', signage: true, inServiceDate: null, status: 'in_service', sourceUrl: 'rtsp://127.0.0.1:1/gate',
      }, now - 3 * 24 * H);
      // The recorder's account of the day: connected, down 10:00–16:00 (a flood), back, data to the end.
      const file = await t.repos.recordings.createFile({ cameraId: camera.id, path: `recordings/${camera.id}/x.mp4`, codec: 'avc1', width: 1280, height: 720, initSize: 700, startedAt: at(0) });
      await t.repos.recordings.commit({
        fragments: [{ fileId: file.id, cameraId: camera.id, seq: 0, byteOffset: 700, size: 1000, startMs: at(24) - 1000, endMs: at(24), keyframe: true, samples: 25, sha256: 'x'.repeat(64) }],
        fileProgress: [{ fileId: file.id, endedAt: at(24), bytes: 1700 }],
        events: [
          { cameraId: camera.id, kind: 'connected', startMs: at(0) - H, endMs: null, detail: '' },
          { cameraId: camera.id, kind: 'disconnected', startMs: at(10), endMs: null, detail: 'flood' },
          { cameraId: camera.id, kind: 'connected', startMs: at(16), endMs: null, detail: '' },
        ],
      });
      const people = [
        await person(t, 'fm-one', [['maintainer', unit.id]]),
        await person(t, 'fm-two', [['maintainer', unit.id]]),
        await person(t, 'fm-elsewhere', [['maintainer', other.id]]),
      ];
      [first, second, stranger] = await Promise.all(people.map((p) => signIn(t, p)));
      expect(await t.health.status.rollup(DAY_)).toBe(1);
    }, 60_000);
    afterAll(async () => t?.close());

    const report = async () => {
      const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/health?day=${DAY_}` });
      expect(res.statusCode).toBe(200);
      return res.json();
    };

    let markId: number;

    it('a proposal needs a reason and a span that has happened; a proposed mark does not count yet', async () => {
      const propose = as(first);
      const url = `/api/v1/cameras/${camera.id}/force-majeure`;
      expect((await propose({ method: 'POST', url, payload: { from: at(10), to: at(16), reason: '   ' } })).statusCode).toBe(400);
      expect((await propose({ method: 'POST', url, payload: { from: at(16), to: at(10), reason: 'flood' } })).statusCode).toBe(400);
      expect((await propose({ method: 'POST', url, payload: { from: at(10), to: t.clock.now() + H, reason: 'flood' } })).statusCode).toBe(400);
      expect((await as(stranger)({ method: 'POST', url, payload: { from: at(10), to: at(16), reason: 'flood' } })).statusCode).toBe(404);
      const res = await propose({ method: 'POST', url, payload: { from: at(10), to: at(16), reason: 'Songhua river flood cut power to the pole' } });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ cameraId: camera.id, from: at(10), to: at(16), article: 'HRB-25(3)', profileId: 'harbin', proposedBy: first.person.id, confirmedBy: null });
      markId = res.json().id;
      expect((await propose({ method: 'POST', url, payload: { from: at(15), to: at(17), reason: 'again' } })).statusCode).toBe(409);
      const r = await report();
      expect(r.regions[0]).toMatchObject({ onlineRate: 0.75, excludedSeconds: 0 });
      expect(r.forceMajeure).toEqual([]);
    });

    it('its proposer may not confirm it: refused citing the profile’s article, registered once', async () => {
      const res = await as(first)({ method: 'POST', url: `/api/v1/force-majeure/${markId}/confirm` });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.articles).toEqual(['HRB-25(3)']);
      expect(res.json().error.message).toContain('HRB-25(3)');
      const refused = (await t.audit.search({ outcome: 'refused', limit: 1000 })).items.filter((e) => e.reason?.includes(`force-majeure mark ${markId}`));
      expect(refused).toHaveLength(1);
      expect(refused[0]!.actors[0]!.userId).toBe(first.person.id);
      expect((await as(stranger)({ method: 'POST', url: `/api/v1/force-majeure/${markId}/confirm` })).statusCode).toBe(404);
      expect((await report()).regions[0].excludedSeconds).toBe(0);
    });

    it('a second person confirms; the rolled-up day leaves the offline span out and lists it apart', async () => {
      const res = await as(second)({ method: 'POST', url: `/api/v1/force-majeure/${markId}/confirm` });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ proposedBy: first.person.id, confirmedBy: second.person.id, confirmedAt: t.clock.now() });
      expect((await as(first)({ method: 'POST', url: `/api/v1/force-majeure/${markId}/confirm` })).statusCode).toBe(409);
      const r = await report();
      expect(r.regions[0]).toMatchObject({ onlineRate: 1, excludedSeconds: 6 * 3600, excusedCameras: 0 });
      expect(r.units[0]).toMatchObject({ onlineRate: 1, excludedSeconds: 6 * 3600 });
      expect(r.forceMajeure).toEqual([expect.objectContaining({ id: markId, cameraId: camera.id, from: at(10), to: at(16), reason: 'Songhua river flood cut power to the pole', proposedBy: first.person.id, confirmedBy: second.person.id, spanSecondsInDay: 6 * 3600 })]);
      const successes = (await t.audit.search({ action: 'config_change', outcome: 'success', limit: 1000 })).items.map((e) => e.target);
      expect(successes).toEqual(expect.arrayContaining([`force-majeure mark ${markId} proposed`, `force-majeure mark ${markId} confirmed`]));
      const list = await as(second)({ method: 'GET', url: '/api/v1/force-majeure?state=confirmed' });
      expect(list.json().items.map((m: { id: number }) => m.id)).toEqual([markId]);
      expect((await as(stranger)({ method: 'GET', url: '/api/v1/force-majeure' })).json().items).toEqual([]);
    });
  });
}
