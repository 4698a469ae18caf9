// Registrations come before what follows them: while one device is between its 401 and its
// authorised REGISTER, a device that has just registered is not yet asked for DeviceInfo and
// Catalog (each would sit in the event loop before that REGISTER). Once no registration is under
// way, it is asked and its catalog goes into the registry. Judged by the order of the platform's
// events, never by time. SQLite and PostgreSQL.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { openGb28181 } from '../../src/gb28181/open.js';
import { ClientAuth } from '../../src/media/sip/digest.js';
import { SipEndpoint } from '../../src/media/sip/endpoint.js';
import { newTag } from '../../src/media/sip/headers.js';
import { SipTransport, type Remote } from '../../src/media/sip/transport.js';
import { SimGbDevice } from '../../src/sim/gb-device.js';
import { DIALECTS } from '../support/databases.js';
import { testApp } from '../support/app.js';
import { GB_PLATFORM, until } from '../support/gb-sim.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

const noFeed = { subscribe: () => () => undefined };
const SLOW = '34020000001180000009';
const QUICK = '34020000001180000010';
const QUICK_CHANNEL = '34020000001310000010';

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 follow-ups wait for registrations (${dialect})`, () => {
    it('a registered device is asked for its catalog only once the device between its 401 and its authorised REGISTER has registered', async () => {
      const t = await testApp(dialect);
      closers.push(() => t.close());
      const region = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340200' }, Date.now());
      const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: 39000 + Math.floor(Math.random() * 90) * 10, mediaPortMax: 39999, domainPassword: 'secret', defaultRegionId: region.id } }).gb28181;
      const gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: systemClock, logger: pino({ level: 'silent' }), followUpHoldMs: 10_000 });
      closers.push(() => gb.close());
      const events: string[] = [];
      gb.platform.on('registerAnswered', (id) => events.push(`registered ${id}`));
      gb.platform.on('catalog', (id) => events.push(`catalog ${id}`));

      // The slow device: its first REGISTER is challenged, and it waits before answering.
      const transport = new SipTransport({ host: '127.0.0.1', port: 0 });
      await transport.listen();
      const endpoint = new SipEndpoint(transport, { localId: SLOW, contactHost: '127.0.0.1' });
      closers.push(async () => {
        endpoint.close();
        await transport.close();
      });
      const remote: Remote = { transport: 'UDP', address: '127.0.0.1', port: gb.port };
      const uri = `sip:${GB_PLATFORM}@127.0.0.1:${gb.port}`;
      const base = { method: 'REGISTER', uri, remote, to: SLOW, toUri: `sip:${SLOW}@3402000000`, callId: `${newTag()}@127.0.0.1`, fromTag: newTag() };
      const challenge = await endpoint.send(endpoint.buildRequest({ ...base, headers: { Expires: '3600' } }), remote);
      expect(challenge.status).toBe(401);

      const quick = new SimGbDevice({ deviceId: QUICK, password: 'secret', platform: { id: GB_PLATFORM, host: '127.0.0.1', port: gb.port }, channels: [{ id: QUICK_CHANNEL, name: 'Gate', feed: noFeed }] });
      closers.push(() => quick.close());
      quick.on('registered', () => quick.endpoint.on('request', (inc) => events.push(`${inc.request.method} to ${QUICK}`)));
      await quick.start();
      expect(gb.platform.followUpsWaiting, 'the quick device waits to be asked').toBe(1);

      const auth = new ClientAuth({ username: SLOW, password: 'secret' });
      expect(auth.accept(challenge.headers.getAll('www-authenticate'))).toBe(true);
      const ok = await endpoint.send(endpoint.buildRequest({ ...base, headers: { Expires: '3600', Authorization: auth.authorize('REGISTER', uri)! } }), remote);
      expect(ok.status).toBe(200);

      // The catalog event comes once the whole catalog is applied, after its camera is in the
      // registry (on PostgreSQL the camera could be seen a moment before the event).
      await until('the quick device in the registry', async () => events.includes(`catalog ${QUICK}`) && (await t.repos.cameras.getByGbId(QUICK_CHANNEL)) !== undefined, 2400);
      const quickRegistered = events.indexOf(`registered ${QUICK}`);
      const slowRegistered = events.indexOf(`registered ${SLOW}`);
      const quickCatalog = events.indexOf(`catalog ${QUICK}`);
      expect(quickRegistered).toBeGreaterThan(-1);
      expect(slowRegistered, 'the slow device registered after the quick one').toBeGreaterThan(quickRegistered);
      expect(events.indexOf(`MESSAGE to ${QUICK}`), 'the quick device was first asked after the slow device registered').toBeGreaterThan(slowRegistered);
      expect(quickCatalog, "the quick device's catalog came after the slow device's registration").toBeGreaterThan(slowRegistered);
    }, 300_000);
  });
}
