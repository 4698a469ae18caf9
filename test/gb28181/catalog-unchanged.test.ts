// A catalog that says again what the registry already holds changes nothing, on both dialects: a
// device re-registering, or a lower platform's catalog asked again, writes no camera, no channel
// row and registers no registry change; an item that does change is written (and registered) alone,
// and a complete catalog without a channel it listed before takes that channel off the device.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import type { CatalogItem } from '../../src/gb28181/catalog.js';
import { openGb28181, type GbRuntime } from '../../src/gb28181/open.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';

const NVR = '34010000001180000009';
const GROUP = '34010000002150000001';
let t: TestApp | undefined;
let gb: GbRuntime | undefined;

afterEach(async () => {
  await gb?.close();
  await t?.close();
  gb = undefined;
  t = undefined;
});

const camera = (deviceId: string, name: string): CatalogItem => ({ deviceId, name, parentId: GROUP, civilCode: '340100', status: 'ON', event: null, fields: { DeviceID: deviceId, Name: name, CivilCode: '340100', PTZType: '1' } });
const group: CatalogItem = { deviceId: GROUP, name: '东门业务分组', parentId: NVR, civilCode: null, status: 'ON', event: null, fields: { DeviceID: GROUP, Name: '东门业务分组' } };

for (const dialect of DIALECTS) {
  describe(`a catalog sent again (${dialect})`, () => {
    it('writes and registers only what changed', async () => {
      t = await testApp(dialect);
      const now = Date.now();
      await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340100' }, now);
      const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', domainPassword: 'domain-secret' } }).gb28181;
      gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }), queryOnRegister: false });
      const device = await t.repos.gbDevices.register({ deviceId: NVR, transport: 'UDP', address: '127.0.0.1', port: 5060, charset: 'UTF-8', expiresAt: now + 3_600_000, keepaliveSeconds: 60, keepaliveMissed: 3 }, now);
      const changes = async () => (await t!.audit.chainPending(), await t!.repos.audit.search({ action: 'registry_change', limit: 1000, order: 'asc' })).filter((e) => (e.target ?? '').includes(`GB/T 28181 catalog of ${NVR}`)).map((e) => e.target);
      const rows = async () => (await t!.repos.gbDevices.channels(device.id)).map((c) => JSON.stringify(c));

      const first = [group, camera('34010000001310000001', '东门路口'), camera('34010000001310000002', '西门广场')];
      expect(await gb.service.applyCatalog(NVR, first, { complete: true })).toMatchObject({ cameras: 2, groups: 1, refused: [] });
      const afterFirst = await changes();
      // The group, two cameras, and each camera into its group.
      expect(afterFirst.filter((x) => / create /.test(x ?? ''))).toHaveLength(3);
      const rowsFirst = await rows();
      expect(rowsFirst).toHaveLength(3);
      const cam1 = (await t.repos.cameras.getByGbId('34010000001310000001'))!;

      // The same catalog again: nothing written, nothing registered.
      expect(await gb.service.applyCatalog(NVR, first, { complete: true })).toMatchObject({ cameras: 2, groups: 1, refused: [] });
      expect(await changes()).toEqual(afterFirst);
      expect(await rows()).toEqual(rowsFirst);
      expect((await t.repos.cameras.getByGbId('34010000001310000001'))!.updatedAt).toBe(cam1.updatedAt);

      // One camera renamed by the device: that camera is updated and registered, alone.
      const renamed = [group, camera('34010000001310000001', '东门路口北'), camera('34010000001310000002', '西门广场')];
      await gb.service.applyCatalog(NVR, renamed, { complete: true });
      const added = (await changes()).slice(afterFirst.length);
      expect(added).toEqual([`camera:${cam1.id} update (GB/T 28181 catalog of ${NVR})`]);
      expect((await t.repos.cameras.getByGbId('34010000001310000001'))!.name).toBe('东门路口北');
      const channel1 = (await t.repos.gbDevices.channels(device.id)).find((c) => c.channelId === '34010000001310000001');
      expect(channel1?.name).toBe('东门路口北');

      // A camera an operator renamed in the registry is given the catalog's name again.
      await t.registry.cameras.update(cam1.id, { name: 'operator name' });
      await gb.service.applyCatalog(NVR, renamed, { complete: true });
      expect((await t.repos.cameras.getByGbId('34010000001310000001'))!.name).toBe('东门路口北');

      // A complete catalog without the second camera takes its channel off the device.
      await gb.service.applyCatalog(NVR, renamed.slice(0, 2), { complete: true });
      expect((await t.repos.gbDevices.channels(device.id)).map((c) => c.channelId).sort()).toEqual(['34010000001310000001', GROUP]);
    }, 60_000);
  });
}
