// The GB/T 28181 platform against SIPp acting as a device (a peer we did not write): register
// with digest (qop and no qop; SIPp's Authorization uri is not the Request-URI), Date header,
// keepalive, a Catalog query answered in two messages that lands in the registry, wrong password
// → 403, garbage over UDP and TCP. SQLite and PostgreSQL.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import { openGb28181, type GbRuntime } from '../../src/gb28181/open.js';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';

const run = promisify(execFile);
const SCENARIOS = fileURLToPath(new URL('./sipp/', import.meta.url));
const NVR = '34020000001180000001';
const PLATFORM = '34020000002000000001';

let t: TestApp | undefined;
let gb: GbRuntime | undefined;
afterEach(async () => {
  await gb?.close();
  await t?.close();
  gb = undefined;
  t = undefined;
});

async function start(dialect: (typeof DIALECTS)[number], digestQop = true): Promise<{ t: TestApp; gb: GbRuntime }> {
  t = await testApp(dialect);
  const region = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340200' }, Date.now());
  const settings = configSchema.parse({
    gb28181: {
      host: '127.0.0.1',
      port: 0,
      publicAddress: '127.0.0.1',
      domainPassword: 'domain-secret',
      devicePasswords: { [NVR]: 'nvr-secret' },
      channelPlaceCategories: { '34020000001310000002': 'hotel-guest-rooms' },
      defaultRegionId: region.id,
    },
  }).gb28181;
  gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: t.repos, registry: t.registry, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }), queryOnRegister: false, digestQop });
  return { t, gb };
}

function sipp(scenario: string, port: number, password: string, extra: string[] = []) {
  return run('sipp', [
    '-sf', SCENARIOS + scenario, '-m', '1', '-s', NVR, '-au', NVR, '-ap', password,
    '-key', 'platform', PLATFORM, '-key', 'domain', '3402000000', '-d', '4000',
    '-i', '127.0.0.1', '-p', '0', '-timeout', '30s', '-timeout_error', '-nostdin',
    ...extra, `127.0.0.1:${port}`,
  ]);
}

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 platform with SIPp as the device (${dialect})`, () => {
    it('registers with digest qop=auth, keeps alive, and answers a two-message catalog into the registry', async () => {
      const { t, gb } = await start(dialect);
      const registered = new Promise<string>((r) => gb.platform.once('registered', r));
      const device = sipp('device-register.xml', gb.port, 'nvr-secret', ['-oocsf', SCENARIOS + 'device-catalog-ooc.xml']);
      device.catch(() => undefined);
      expect(await Promise.race([registered, device.then(() => 'sipp ended before registering')])).toBe(NVR);
      // Wait for the keepalive to land, then query the catalog the device answers out of call.
      for (let i = 0; i < 100 && !(await t.repos.gbDevices.get(NVR))?.lastKeepaliveAt; i++) await new Promise((r) => setTimeout(r, 50));
      const outcome = await gb.platform.queryCatalog(NVR);
      await device;
      expect(outcome.groups).toBe(1);
      expect(outcome.cameras).toBe(1);
      expect(outcome.refused).toEqual([expect.objectContaining({ channelId: '34020000001310000002', articles: ['CN799-8(1)'] })]);

      const d = (await t.repos.gbDevices.get(NVR))!;
      expect(d.online).toBe(true);
      expect(d.lastKeepaliveAt).not.toBeNull();
      const cam = (await t.repos.cameras.getByGbId('34020000001310000001'))!;
      expect(cam).toMatchObject({ name: 'East gate', deviceType: 'ptz', longitude: 117.28, latitude: 31.86, inServiceDate: '2024-03-01', sourceUrl: `gb28181://${NVR}/34020000001310000001` });
      const group = (await t.repos.cameraGroups.getByGbId('34020000002150000001'))!;
      expect(await t.repos.cameraGroups.members(group.id)).toEqual([cam.id]);
      expect(await t.repos.cameras.getByGbId('34020000001310000002')).toBeUndefined();
      const channels = await gb.service.channels(NVR);
      expect(channels.map((c) => [c.channelId, c.cameraId !== null, c.articles])).toEqual([
        ['34020000001310000001', true, []],
        ['34020000001310000002', false, ['CN799-8(1)']],
        ['34020000002150000001', false, []],
      ]);
      expect(channels[0]!.item['RecordSaveDays']).toBe('30');
      await t.audit.chainPending();
      const entries = await t.db.kysely.selectFrom('audit_log').select(['outcome', 'target']).where('target', 'like', '%GB/T 28181%').execute();
      expect(entries.filter((e) => e.outcome === 'refused').length).toBe(1);
      expect(entries.filter((e) => e.outcome === 'success').length).toBeGreaterThanOrEqual(3);
    }, 90_000);

    it('registers without qop (a challenge without it) and refuses a wrong password with 403', async () => {
      const { t, gb } = await start(dialect, false);
      const refused: string[] = [];
      gb.platform.on('refused', (_d, reason) => refused.push(reason));
      await sipp('device-register.xml', gb.port, 'nvr-secret', ['-d', '10']);
      expect((await t.repos.gbDevices.get(NVR))?.online).toBe(true);
      await sipp('device-wrong-password.xml', gb.port, 'not-the-password');
      expect(refused).toEqual(['wrong password or user name']);
    }, 60_000);
  });
}

describe('GB/T 28181 platform under garbage', () => {
  it('drops datagrams and TCP streams that are not SIP, and keeps serving SIPp', async () => {
    const { t, gb } = await start('sqlite');
    const udp = createSocket('udp4');
    for (const g of ['\x00\x01garbage', 'REGISTER sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n', 'MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 999999999\r\n\r\n']) {
      udp.send(Buffer.from(g), gb.port, '127.0.0.1');
    }
    const tcp = connect(gb.port, '127.0.0.1');
    tcp.on('error', () => undefined);
    await new Promise((r) => tcp.once('connect', r));
    tcp.write('\x16\x03\x01 TLS hello, not SIP\r\n\r\n');
    await new Promise((r) => tcp.once('close', r));
    udp.close();
    await sipp('device-register.xml', gb.port, 'nvr-secret', ['-d', '10']);
    expect((await t.repos.gbDevices.get(NVR))?.online).toBe(true);
    expect(gb.endpoint.transport.dropped.TCP).toBe(1);
    expect(gb.endpoint.transport.dropped.UDP).toBeGreaterThanOrEqual(2);
  }, 60_000);
});
