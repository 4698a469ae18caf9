// A REGISTER is one read and one write, a Keepalive one conditional write: the rows they leave
// must be those the longer way left, on both dialects (the written row comes back from the
// write itself: RETURNING).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import type { Db } from './database.js';
import { createRepositories, type Repositories } from './repositories.js';
import { GbDeviceService, type GbSettings } from '../gb28181/device.service.js';

const T0 = Date.UTC(2026, 0, 1);
const DEV = '34020000001180000001';
const settings: GbSettings = { sipId: '34020000002000000001', domain: '3402000000', devicePasswords: {}, keepaliveSeconds: 60, keepaliveMissed: 3, maxExpiresSeconds: 3600, placeCategory: 'other', channelPlaceCategories: {} };

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 register and keepalive rows on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let now = T0;
    let service: GbDeviceService;

    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      // Register and keepalive use the device rows, the settings and the clock only.
      service = new GbDeviceService({ repo: repos.gbDevices, cameras: repos.cameras, groups: repos.cameraGroups, organisations: repos.organisations, registry: undefined as never, settings, clock: { now: () => now }, recordChange: () => undefined as never, recordRefusal: async () => undefined });
    });
    afterAll(() => db.close());

    it('registers a new device, refreshes it (registered time kept while online), and comes back the same as a read', async () => {
      const first = await service.register({ deviceId: DEV, transport: 'UDP', address: '127.0.0.1', port: 5060, charset: 'GB2312', expiresSeconds: 7200 });
      expect(first.isNew).toBe(true);
      expect(first.expiresSeconds).toBe(3600);
      expect(first.device).toEqual(await repos.gbDevices.get(DEV));
      expect(first.device).toMatchObject({ deviceId: DEV, online: true, registeredAt: T0, expiresAt: T0 + 3_600_000, address: '127.0.0.1', port: 5060 });
      now = T0 + 1000;
      const again = await service.register({ deviceId: DEV, transport: 'TCP', address: '127.0.0.2', port: 5061, charset: 'UTF-8', expiresSeconds: 600 });
      expect(again.isNew).toBe(false);
      expect(again.device).toEqual(await repos.gbDevices.get(DEV));
      expect(again.device).toMatchObject({ registeredAt: T0, transport: 'TCP', address: '127.0.0.2', port: 5061, charset: 'UTF-8', expiresAt: now + 600_000 });
    });

    it('a keepalive from where the device registered is written; from elsewhere it moves the device; expired, offline or unknown ones are refused', async () => {
      now = T0 + 2000;
      expect(await service.keepalive(DEV, { address: '127.0.0.2', port: 5061 })).toBe(true);
      expect((await repos.gbDevices.get(DEV))!.lastKeepaliveAt).toBe(now);
      now = T0 + 3000;
      expect(await service.keepalive(DEV, { address: '127.0.0.3', port: 5070 })).toBe(true);
      expect(await repos.gbDevices.get(DEV)).toMatchObject({ lastKeepaliveAt: now, address: '127.0.0.3', port: 5070, registeredAt: T0, expiresAt: T0 + 1000 + 600_000 });
      expect(await service.keepalive('34020000001180000009', { address: '127.0.0.3', port: 5070 })).toBe(false);
      now = T0 + 1000 + 600_000; // the registration ran out
      expect(await service.keepalive(DEV, { address: '127.0.0.3', port: 5070 })).toBe(false);
      expect((await repos.gbDevices.get(DEV))!.lastKeepaliveAt).toBe(T0 + 3000);
      now = T0 + 4000;
      await service.unregister(DEV);
      expect(await service.keepalive(DEV, { address: '127.0.0.3', port: 5070 })).toBe(false);
      expect((await repos.gbDevices.get(DEV))!.lastKeepaliveAt).toBe(T0 + 3000);
      // Registering again after going offline starts a new registration time.
      const back = await service.register({ deviceId: DEV, transport: 'UDP', address: '127.0.0.3', port: 5070, charset: 'GB2312', expiresSeconds: 60 });
      expect(back.isNew).toBe(true);
      expect(back.device.registeredAt).toBe(now);
    });
  });
}
