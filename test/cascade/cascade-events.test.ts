// Alarms, positions and PTZ between a lower Vigil and an upper platform (issue 19), on both
// dialects: an upper subscribed to Alarm hears NOTIFY Alarm for an alarm raised on a shared
// camera (registered as a disclosure) and nothing for one on a camera not shared; a
// MobilePosition subscriber hears the shared cameras' positions; PTZ is carried out only on a
// channel whose share grants `ptz` — elsewhere 403, the refusal registered once — and a PTZCmd
// with a bad checksum is 400.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { ptzMoveCmd } from '../../src/gb28181/ptz.js';
import type { ManscdpMessage } from '../../src/media/sip/manscdp.js';
import { childText } from '../../src/media/sip/xml.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

for (const dialect of DIALECTS) {
  describe(`alarms, positions and PTZ to an upper platform (${dialect})`, () => {
    let t: TestApp;
    let w: World;
    let upper: TestUpper;
    let cascade: CascadeRuntime;
    let withPtz: { id: number; gbId: string };
    let without: { id: number; gbId: string };
    let unshared: { id: number; gbId: string };
    const moved: [number, string][] = [];

    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
      const base = (await t.repos.cameras.get(w.camA))!;
      const add = async (gbId: string, name: string, longitude: number | null) => t.repos.cameras.insert({ ...base, gbId, name, longitude, latitude: longitude === null ? null : 31.86 }, t.clock.now());
      withPtz = await add('34010400001320000041', '球机', 117.28);
      without = await add('34010400001320000042', '枪机', null);
      unshared = await add('34010400001320000043', '未共享', 117.3);
      const head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
      const grant = (cameraIds: number[], rights: ('catalog' | 'ptz')[]) => t.shares.grant(head, {
        organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights, cameraIds, groupIds: [],
        validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕41号',
      });
      await grant([withPtz.id], ['catalog', 'ptz']);
      await grant([without.id], ['catalog']);
      upper = await TestUpper.start(UPPER, 'secret');
      const settings = configSchema.parse({
        cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5 }] },
      }).cascade;
      cascade = await openCascade({
        settings, defaultSipId: LOWER, deviceName: 'lower', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, clock: t.clock, logger: pino({ level: 'silent' }), timers: { T1: 100, T2: 400 },
        eventPollMs: 50, ptz: async (cameraId, cmd) => void moved.push([cameraId, cmd]),
      });
      await new Promise<void>((r) => upper.once('registered', () => r()));
    }, 90_000);
    afterAll(async () => {
      await cascade?.close();
      await upper?.close();
      await t?.close();
    });

    const nextNotify = (cmdType: string) => new Promise<ManscdpMessage>((resolve) => {
      const on = (m: ManscdpMessage) => {
        if (m.cmdType !== cmdType) return;
        upper.off('notify', on);
        resolve(m);
      };
      upper.on('notify', on);
    });

    it('forwards an alarm of a shared camera to the Alarm subscriber, and not one of a camera not shared', async () => {
      expect(await upper.subscribe(LOWER, 'presence', 'Alarm')).toBe(200);
      // Let the poller take its first look (alarms before it are not news) before raising.
      await new Promise((r) => setTimeout(r, 200));
      const heard = nextNotify('Alarm');
      await t.health.alarms.raise({ kind: 'offline', severity: 'critical', camera_id: unshared.id, organisation_id: w.districtA, title: '未共享摄像机离线' });
      await t.health.alarms.raise({ kind: 'device_alarm', severity: 'warning', camera_id: withPtz.id, organisation_id: w.districtA, title: '球机遮挡报警' });
      const m = await heard;
      expect(m.deviceId).toBe(withPtz.gbId);
      expect(childText(m.element, 'AlarmPriority')).toBe('2');
      expect(childText(m.element, 'AlarmDescription')).toBe('球机遮挡报警');
      expect(childText(m.element, 'Longitude')).toBe('117.28');
      await expect.poll(() => cascade.events.sent.Alarm).toBe(1);
      await t.audit.chainPending();
      const told = (await t.audit.search({ action: 'registry_view', outcome: 'success', limit: 20 })).items.filter((e) => /^alarm \d+ of channel/.test(e.target ?? ''));
      expect(told).toEqual([expect.objectContaining({ target: expect.stringContaining(withPtz.gbId), destination: 'upper platform 合肥市平台' })]);
    });

    it('reports the positions of shared cameras with coordinates to a MobilePosition subscriber', async () => {
      const heard = nextNotify('MobilePosition');
      expect(await upper.subscribe(LOWER, 'MobilePosition', 'MobilePosition', { Interval: '1' })).toBe(200);
      const m = await heard;
      expect(m.deviceId).toBe(withPtz.gbId);
      expect([childText(m.element, 'Longitude'), childText(m.element, 'Latitude')]).toEqual(['117.28', '31.86']);
    });

    it('obeys PTZ only where the share grants it; refuses and registers once elsewhere', async () => {
      const cmd = ptzMoveCmd({ pan: 'left', speed: 100 });
      expect(await upper.ptz(withPtz.gbId, cmd)).toBe(200);
      await expect.poll(() => moved.length).toBe(1);
      expect(moved[0]).toEqual([withPtz.id, cmd.toUpperCase()]);
      expect(await upper.ptz(without.gbId, cmd)).toBe(403);
      expect(await upper.ptz(unshared.gbId, cmd)).toBe(403);
      const bad = cmd.slice(0, 14) + ((parseInt(cmd.slice(14), 16) + 1) % 256).toString(16).padStart(2, '0');
      expect(await upper.ptz(withPtz.gbId, bad)).toBe(400);
      expect(moved).toHaveLength(1);
      await t.audit.chainPending();
      const refused = (await t.audit.search({ action: 'config_change', outcome: 'refused', limit: 10 })).items;
      expect(refused.map((e) => [e.target, e.reason]).sort()).toEqual([
        [`PTZ of channel ${without.gbId}`, `the share of camera ${without.id} does not grant ptz`],
        [`PTZ of channel ${unshared.gbId}`, `camera ${unshared.id} is not shared with this recipient`],
      ]);
      const done = (await t.audit.search({ action: 'config_change', outcome: 'success', limit: 10 })).items.filter((e) => e.target?.startsWith('PTZ'));
      expect(done).toEqual([expect.objectContaining({ target: `PTZ of channel ${withPtz.gbId}`, destination: 'upper platform 合肥市平台' })]);
    });
  });
}
