// Where a lower device's catalogued channels land in the city's registry, on both dialects: by
// their region code (CivilCode), else the nearest known ancestor, else (no default region set) the
// registry's one top region, so a channel from across a boundary is placed and shown, not refused.
// With two top regions and no default nothing says where it belongs: refused, naming the code.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import type { CatalogItem } from '../../src/gb28181/catalog.js';
import { openGb28181, type GbRuntime } from '../../src/gb28181/open.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';

const NVR = '34010000001180000007';
let t: TestApp | undefined;
let gb: GbRuntime | undefined;

afterEach(async () => {
  await gb?.close();
  await t?.close();
  gb = undefined;
  t = undefined;
});

const item = (deviceId: string, civilCode: string): CatalogItem => ({
  deviceId,
  name: `channel ${deviceId}`,
  parentId: NVR,
  civilCode,
  status: 'ON',
  event: null,
  fields: { DeviceID: deviceId, CivilCode: civilCode },
});

for (const dialect of DIALECTS) {
  describe(`catalog channels by region code (${dialect})`, () => {
    it('places by code, then nearest ancestor, then the one top region', async () => {
      t = await testApp(dialect);
      const now = Date.now();
      const city = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340100' }, now);
      const district = await t.repos.organisations.create({ kind: 'platform', name: 'Yaohai', level: 'district', regionCode: '340102', parentId: city.id }, now);
      const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', domainPassword: 'domain-secret' } }).gb28181;
      gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }), queryOnRegister: false });
      await t.repos.gbDevices.register({ deviceId: NVR, transport: 'UDP', address: '127.0.0.1', port: 5060, charset: 'UTF-8', expiresAt: now + 3_600_000, keepaliveSeconds: 60, keepaliveMissed: 3 }, now);
      const out = await gb.service.applyCatalog(NVR, [item('34010200001310000001', '340102'), item('34010300001310000002', '340103'), item('11010100001310000003', '110101')]);
      expect(out).toMatchObject({ cameras: 3, refused: [] });
      const regionOf = async (gbId: string) => (await t!.repos.cameras.getByGbId(gbId))?.regionId;
      expect(await regionOf('34010200001310000001')).toBe(district.id);
      expect(await regionOf('34010300001310000002')).toBe(city.id);
      expect(await regionOf('11010100001310000003')).toBe(city.id);

      // A second top region: a code with no known region nor ancestor has nowhere to go.
      await t.repos.organisations.create({ kind: 'platform', name: 'Wuhu', level: 'city', regionCode: '340200' }, now);
      const again = await gb.service.applyCatalog(NVR, [item('11010200001310000004', '110102')]);
      expect(again.cameras).toBe(0);
      expect(again.refused).toEqual([expect.objectContaining({ channelId: '11010200001310000004', reason: expect.stringContaining('civil code 110102 names no region') })]);
      expect(await regionOf('11010200001310000004')).toBeUndefined();
    }, 60_000);

    it("shows the region the catalog's CivilCode names, not the channel ID's prefix, as where the camera came from", async () => {
      t = await testApp(dialect);
      const now = Date.now();
      const city = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340100' }, now);
      const district = await t.repos.organisations.create({ kind: 'platform', name: 'Yaohai', level: 'district', regionCode: '340102', parentId: city.id }, now);
      const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', domainPassword: 'domain-secret' } }).gb28181;
      gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }), queryOnRegister: false });
      await t.repos.gbDevices.register({ deviceId: NVR, transport: 'UDP', address: '127.0.0.1', port: 5060, charset: 'UTF-8', expiresAt: now + 3_600_000, keepaliveSeconds: 60, keepaliveMissed: 3 }, now);
      // Coded in 340103 but placed by the lower platform in the district 340102; the other gives no
      // CivilCode (placed in the top region, its ID's prefix shown).
      const moved = { ...item('34010300001310000021', '340102') };
      const bare = { ...item('34010200001310000022', ''), civilCode: null, fields: { DeviceID: '34010200001310000022' } };
      expect(await gb.service.applyCatalog(NVR, [moved, bare])).toMatchObject({ cameras: 2, refused: [] });
      const op = await signIn(t, await person(t, 'city-duty', [['duty_operator', city.id]]));
      const res = await op.inject({ method: 'GET', url: '/api/v1/cameras?limit=100' });
      expect(res.statusCode, res.body).toBe(200);
      const via = new Map((res.json().items as { name: string; regionId: number; via: { device: string; civilCode: string } | null }[]).map((c) => [c.name, [c.regionId, c.via]]));
      expect(via.get('channel 34010300001310000021')).toEqual([district.id, { device: NVR, civilCode: '340102' }]);
      expect(via.get('channel 34010200001310000022')).toEqual([city.id, { device: NVR, civilCode: '340102' }]);
      // A catalog update moving it again is what the city then shows.
      await gb.service.applyCatalog(NVR, [{ ...moved, civilCode: '340104', fields: { ...moved.fields, CivilCode: '340104' } }]);
      const again = await op.inject({ method: 'GET', url: '/api/v1/cameras?limit=100' });
      expect((again.json().items as { name: string; regionId: number; via: { civilCode: string } }[]).find((c) => c.name === 'channel 34010300001310000021')).toMatchObject({ regionId: city.id, via: { civilCode: '340104' } });
    }, 60_000);

    it("names the lower platform or NVR a camera came through to everyone who sees the camera, but a camera's own device ID only to whom may read its national ID", async () => {
      t = await testApp(dialect);
      const now = Date.now();
      const city = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340100' }, now);
      const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', domainPassword: 'domain-secret' } }).gb28181;
      gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }), queryOnRegister: false });
      // An IPC that registers itself: its device ID is its channel's, a camera's national ID.
      const IPC = '34010200001320000051';
      for (const device of [NVR, IPC]) await t.repos.gbDevices.register({ deviceId: device, transport: 'UDP', address: '127.0.0.1', port: 5060, charset: 'UTF-8', expiresAt: now + 3_600_000, keepaliveSeconds: 60, keepaliveMissed: 3 }, now);
      await gb.service.applyCatalog(NVR, [item('34010200001310000052', '340102')]);
      await gb.service.applyCatalog(IPC, [{ ...item(IPC, '340102'), parentId: IPC }]);
      const viaBy = async (login: string, role: 'duty_operator' | 'maintainer') => {
        const who = await signIn(t!, await person(t!, login, [[role, city.id]]));
        const res = await who.inject({ method: 'GET', url: '/api/v1/cameras?limit=100' });
        expect(res.statusCode, res.body).toBe(200);
        return new Map((res.json().items as { name: string; gbId: string; via: unknown }[]).map((c) => [c.name, [c.gbId, c.via]]));
      };
      // Without basic-info:read the national IDs are hidden, and so is the IPC's own ID as its device.
      const watcher = await viaBy('city-watch', 'duty_operator');
      expect(watcher.get('channel 34010200001310000052')).toEqual(['', { device: NVR, civilCode: '340102' }]);
      expect(watcher.get(`channel ${IPC}`)).toEqual(['', { device: '', civilCode: '340102' }]);
      const keeper = await viaBy('city-keeper', 'maintainer');
      expect(keeper.get(`channel ${IPC}`)).toEqual([IPC, { device: IPC, civilCode: '340102' }]);
    }, 60_000);

    it('moves the camera when the lower platform moves its channel (a new CivilCode), and leaves a move made here while the code stays', async () => {
      t = await testApp(dialect);
      const now = Date.now();
      const city = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340100' }, now);
      const yaohai = await t.repos.organisations.create({ kind: 'platform', name: 'Yaohai', level: 'district', regionCode: '340102', parentId: city.id }, now);
      const luyang = await t.repos.organisations.create({ kind: 'platform', name: 'Luyang', level: 'district', regionCode: '340103', parentId: city.id }, now);
      const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', domainPassword: 'domain-secret' } }).gb28181;
      gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }), queryOnRegister: false });
      await t.repos.gbDevices.register({ deviceId: NVR, transport: 'UDP', address: '127.0.0.1', port: 5060, charset: 'UTF-8', expiresAt: now + 3_600_000, keepaliveSeconds: 60, keepaliveMissed: 3 }, now);
      const ID = '34010200001310000041';
      const regionOf = async () => (await t!.repos.cameras.getByGbId(ID))!.regionId;
      const apply = (civilCode: string | null, event: CatalogItem['event']) => gb!.service.applyCatalog(NVR, [{
        ...item(ID, civilCode ?? ''), civilCode, event, fields: { DeviceID: ID, Name: `channel ${ID}`, ...(civilCode !== null ? { CivilCode: civilCode } : {}), ...(event ? { Event: event } : {}) },
      }]);

      await apply('340102', null);
      expect(await regionOf()).toBe(yaohai.id);
      // The lower moves the channel to Luyang: a catalog NOTIFY UPDATE with the new code.
      expect(await apply('340103', 'UPDATE')).toMatchObject({ cameras: 1, refused: [] });
      expect(await regionOf()).toBe(luyang.id);
      const id = (await t.repos.cameras.getByGbId(ID))!.id;
      await t.audit.chainPending();
      const changes = (await t.audit.search({ action: 'registry_change', limit: 50 })).items.filter((e) => e.target === `camera:${id} update (GB/T 28181 catalog of ${NVR})`);
      expect(changes.some((e) => (e.detail['fields'] as string[] | undefined)?.includes('regionId'))).toBe(true);

      // Placed in the city by hand here; the same code again (a catalog re-sent) leaves it there,
      // and so does an update without a code.
      await t.registry.cameras.update(id, { regionId: city.id });
      await apply('340103', 'UPDATE');
      expect(await regionOf()).toBe(city.id);
      await apply(null, 'UPDATE');
      expect(await regionOf()).toBe(city.id);
      // Moved again by the lower platform: deleted from its catalog and added under Yaohai.
      await apply('340103', 'DEL');
      await apply('340102', 'ADD');
      expect(await regionOf()).toBe(yaohai.id);
    }, 60_000);
  });
}
