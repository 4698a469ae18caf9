// Registration is not held up by catalogs (the benchmark's register p95): an NVR with a large
// catalog registers, and while its channels go into the registry, more devices register. Their
// REGISTERs are answered while that catalog is still being applied, catalogs of devices that
// came together are applied one after another, and every channel ends up a camera point.
// Judged by the order of the platform's events, never by time. SQLite and PostgreSQL.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { openGb28181 } from '../../src/gb28181/open.js';
import { SimGbDevice } from '../../src/sim/gb-device.js';
import { DIALECTS } from '../support/databases.js';
import { testApp } from '../support/app.js';
import { GB_PLATFORM, until } from '../support/gb-sim.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const noFeed = { subscribe: () => () => undefined };
const nvr = (n: number) => `34020000001180${String(n).padStart(6, '0')}`;
const channel = (d: number, c: number) => `3402000000131${String(d).padStart(2, '0')}${String(c).padStart(5, '0')}`;

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 registration beside catalogs (${dialect})`, () => {
    it('devices registering while a 120-channel catalog is applied are answered before it is done; catalogs go one at a time', async () => {
      const t = await testApp(dialect);
      closers.push(() => t.close());
      const region = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340200' }, Date.now());
      const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: 39000 + Math.floor(Math.random() * 90) * 10, mediaPortMax: 39999, domainPassword: 'secret', defaultRegionId: region.id } }).gb28181;
      const gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: systemClock, logger: pino({ level: 'silent' }) });
      closers.push(() => gb.close());
      const events: string[] = [];
      gb.platform.on('registerAnswered', (id) => events.push(`registered ${id}`));
      gb.platform.on('catalog', (id, o) => events.push(`catalog ${id} ${o.cameras}`));
      const device = (n: number, channels: number) => {
        const d = new SimGbDevice({
          deviceId: nvr(n),
          password: 'secret',
          platform: { id: GB_PLATFORM, host: '127.0.0.1', port: gb.port },
          channels: Array.from({ length: channels }, (_, c) => ({ id: channel(n, c + 1), name: `Gate ${n}-${c + 1}`, feed: noFeed })),
        });
        closers.push(() => d.close());
        return d;
      };
      await device(1, 120).start();
      // The big catalog is being applied once its first channel is a camera.
      await until('the first channel in the registry', async () => (await t.repos.cameras.getByGbId(channel(1, 1))) !== undefined, 2400);
      const others = [2, 3, 4, 5].map((n) => device(n, 1));
      await Promise.all(others.map((d) => d.start()));
      const doneAt = events.indexOf(`catalog ${nvr(1)} 120`);
      for (const n of [2, 3, 4, 5]) {
        const at = events.indexOf(`registered ${nvr(n)}`);
        expect(at, `device ${n} answered`).toBeGreaterThan(-1);
        if (doneAt >= 0) expect(at, `device ${n} answered before the big catalog was done`).toBeLessThan(doneAt);
      }
      expect(doneAt, 'the big catalog was still being applied when the others had registered').toBe(-1);
      await until('all catalogs', () => events.filter((e) => e.startsWith('catalog')).length === 5, 2400);
      // One at a time: the big catalog, which came first, is done before any later one.
      expect(events.filter((e) => e.startsWith('catalog'))[0]).toBe(`catalog ${nvr(1)} 120`);
      expect((await t.repos.cameras.sources()).filter((c) => c.sourceUrl.startsWith('gb28181://')).length).toBe(124);
    }, 300_000);
  });
}
