// PTZ from an upper platform on a shared camera that is not a GB/T 28181 channel (issue 19), on both
// dialects: an ONVIF camera (onvif://, the test's ONVIF device with a PTZ service) shared with
// `ptz` is steered by the upper's DeviceControl PTZCmd, carried out as the cascade role does it
// (cascadePtz): a move becomes ContinuousMove with the command's speeds as velocity, an empty move
// Stop, a preset command GotoPreset. Each command is registered with the upper as destination;
// the same command on the camera shared without `ptz` is refused (403) and reaches nothing.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { ptzMoveCmd, ptzPresetCmd } from '../../src/gb28181/ptz.js';
import { cascadePtz } from '../../src/services/cascade.service.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { startOnvifDevice, type FakeDevice } from '../support/onvif-device.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const dialect of DIALECTS) {
  describe(`PTZ from the upper on a shared ONVIF camera (${dialect})`, () => {
    let t: TestApp;
    let w: World;
    let upper: TestUpper;
    let device: FakeDevice;
    let cascade: CascadeRuntime;
    let steerable: { id: number; gbId: string };
    let fixed: { id: number; gbId: string };

    beforeAll(async () => {
      device = await startOnvifDevice({ username: 'admin', password: 'ptz-secret', profiles: [{ token: 'main', name: 'Main', encoding: 'H264', width: 1920, height: 1080, fps: 25, bitrateKbps: 4096, streamUri: 'rtsp://192.168.1.64/main' }] });
      t = await testApp(dialect);
      w = await world(t);
      const base = (await t.repos.cameras.get(w.camA))!;
      const sourceUrl = device.address.replace('http://', 'onvif://admin:ptz-secret@');
      steerable = await t.repos.cameras.insert({ ...base, gbId: '34010400001320000051', name: '球机 (ONVIF)', deviceType: 'ptz', sourceUrl }, t.clock.now());
      fixed = await t.repos.cameras.insert({ ...base, gbId: '34010400001320000052', name: '枪机 (ONVIF)', sourceUrl }, t.clock.now());
      const head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
      for (const [camera, rights] of [[steerable, ['catalog', 'ptz']], [fixed, ['catalog']]] as const) {
        await t.shares.grant(head, {
          organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights: [...rights], cameraIds: [camera.id], groupIds: [],
          validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕51号',
        });
      }
      upper = await TestUpper.start(UPPER, 'secret');
      const settings = configSchema.parse({
        cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5 }] },
      }).cascade;
      const registered = new Promise<void>((r) => upper.once('registered', () => r()));
      cascade = await openCascade({
        settings, defaultSipId: LOWER, deviceName: 'lower', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, clock: t.clock, logger: pino({ level: 'silent' }), timers: { T1: 100, T2: 400 },
        ptz: cascadePtz({ cameras: t.repos.cameras }),
      });
      await registered;
    }, 90_000);
    afterAll(async () => {
      await cascade?.close();
      await upper?.close();
      await t?.close();
      await device?.close();
    });

    it('moves, stops and goes to a preset through the camera\'s ONVIF PTZ service; registered; refused without the right', async () => {
      expect(await upper.ptz(steerable.gbId, ptzMoveCmd({ pan: 'left', tilt: 'up', speed: 51 }))).toBe(200);
      await until('ContinuousMove at the camera', () => device.ptz.length >= 1);
      const move = device.ptz[0]!;
      expect(move.op).toBe('ContinuousMove');
      expect(move.xml).toMatch(/<ProfileToken>main<\/ProfileToken>/);
      expect(move.xml).toMatch(/<PanTilt [^>]*x="-0\.2" y="0\.2"/);
      expect(move.xml).toMatch(/<Zoom [^>]*x="0"/);
      // Authenticated: the camera's own credentials from its onvif:// address, on the PTZ service.
      expect(device.calls.filter((c) => c.op === 'ContinuousMove')).toEqual([expect.objectContaining({ path: '/onvif/PTZ', user: 'admin', ok: true })]);

      expect(await upper.ptz(steerable.gbId, ptzMoveCmd({}))).toBe(200);
      await until('Stop at the camera', () => device.ptz.length >= 2);
      expect(device.ptz[1]!.op).toBe('Stop');
      expect(await upper.ptz(steerable.gbId, ptzPresetCmd('goto', 3))).toBe(200);
      await until('GotoPreset at the camera', () => device.ptz.length >= 3);
      expect(device.ptz[2]!.op).toBe('GotoPreset');
      expect(device.ptz[2]!.xml).toMatch(/<PresetToken>3<\/PresetToken>/);

      // Shared without `ptz`: refused, nothing reaches the camera.
      expect(await upper.ptz(fixed.gbId, ptzMoveCmd({ pan: 'right' }))).toBe(403);
      await new Promise((r) => setTimeout(r, 200));
      expect(device.ptz).toHaveLength(3);

      await t.audit.chainPending();
      const entries = (await t.audit.search({ limit: 200 })).items.filter((e) => (e.target ?? '').startsWith('PTZ of channel'));
      expect(entries.filter((e) => e.outcome === 'success' && e.target === `PTZ of channel ${steerable.gbId}`)).toHaveLength(3);
      expect(entries.filter((e) => e.outcome === 'success').every((e) => e.destination === 'upper platform 合肥市平台')).toBe(true);
      expect(entries.filter((e) => e.outcome === 'refused').map((e) => e.target)).toEqual([`PTZ of channel ${fixed.gbId}`]);
    });
  });
}
