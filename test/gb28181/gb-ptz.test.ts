// PTZ and the device's recordings as use cases over a real platform and simulated device: a duty
// operator (ptz:control) steers a GB channel — the device receives the DeviceControl with the
// right PTZCmd and the command is registered; an auditor (no ptz:control) is refused, the refusal
// registered exactly once, and nothing reaches the device. The device's RecordInfo comes back as
// timeline ranges marked as the device's. SQLite and PostgreSQL.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/permissions.js';
import { GbDeviceRecordsService } from '../../src/gb28181/device-records.service.js';
import { parsePtzCmd } from '../../src/gb28181/ptz.js';
import { GbPtzService } from '../../src/gb28181/ptz.service.js';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, DEVICE_RECORDS, GB_CHANNEL, gbWorld, until } from '../support/gb-sim.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
afterAll(closeEncoder);

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 PTZ and device recordings as use cases (${dialect})`, () => {
    it('an operator steers and is registered; an auditor is refused once and the device hears nothing; device records on the timeline', async () => {
      const w = await gbWorld(dialect, { records: true });
      closers.push(w.close);
      const { t, gb, device } = w;
      const camera = (await t.repos.cameras.get(w.cameraId))!;
      const region = (await t.repos.organisations.get(camera.regionId))!;
      const actor = (id: number, role: Role) => new Actor({ userId: id, login: role, displayName: role, workId: null, organisationId: region.id, grants: [{ id, role, organisationId: region.id, path: region.path }] });
      const operator = actor(t.adminId, 'duty_operator');
      // Sees the camera point (basic information) but may neither steer nor play it back.
      const registrar = actor(t.adminId, 'unit_administrator');
      // May not even see it: answered as a camera that does not exist, and registered.
      const auditor = actor(t.adminId, 'auditor');
      const ptz = new GbPtzService({ repos: t.repos, log: t.access.log, control: () => (ch, cmd) => gb.platform.deviceControl(ch, cmd) });
      const controls: Record<string, string>[] = [];
      device.on('control', (_type, f) => controls.push(f));

      expect(await ptz.offer(operator, w.cameraId)).toEqual({ gb28181: true, mayControl: true });
      expect(await ptz.offer(registrar, w.cameraId)).toEqual({ gb28181: true, mayControl: false });
      await expect(ptz.offer(auditor, w.cameraId)).rejects.toMatchObject({ code: 'NOT_FOUND', message: `camera ${w.cameraId} does not exist` });
      const sent = await ptz.command(operator, w.cameraId, { action: 'move', pan: 'left', tilt: 'up', speed: 64 });
      await until('the device got the PTZ command', () => controls.length === 1);
      expect(controls[0]!['PTZCmd']).toBe(sent.ptzCmd);
      expect(parsePtzCmd(sent.ptzCmd)).toMatchObject({ cmd: 0x02 | 0x08, data1: 64, data2: 64 });
      await ptz.command(operator, w.cameraId, { action: 'preset', op: 'goto', preset: 3 });
      await ptz.command(operator, w.cameraId, { action: 'stop' });
      await until('three commands at the device', () => controls.length === 3);
      expect(parsePtzCmd(controls[1]!['PTZCmd']!)).toMatchObject({ cmd: 0x82, data2: 3 });
      expect(parsePtzCmd(controls[2]!['PTZCmd']!)).toMatchObject({ cmd: 0 });

      await expect(ptz.command(registrar, w.cameraId, { action: 'move', pan: 'right' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(ptz.command(auditor, w.cameraId, { action: 'stop' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      await expect(ptz.command(operator, w.cameraId, { action: 'move' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      const entries = (await t.repos.audit.search({ limit: 100, order: 'asc' })).filter((e) => (e.target ?? '').includes(`camera ${w.cameraId} PTZ`));
      expect(entries.map((e) => [e.outcome, e.target])).toEqual([
        ['refused', `camera ${w.cameraId} PTZ offer`],
        ['success', `camera ${w.cameraId} PTZ move left up`],
        ['success', `camera ${w.cameraId} PTZ preset goto 3`],
        ['success', `camera ${w.cameraId} PTZ stop`],
        ['refused', `camera ${w.cameraId} PTZ move right`],
        ['refused', `camera ${w.cameraId} PTZ stop`],
      ]);
      expect(controls.length).toBe(3);

      // The device's recordings for the timeline, clipped to the span and marked as the device's.
      const records = new GbDeviceRecordsService({ repos: t.repos, log: t.access.log, recordInfo: () => (ch, from, to) => gb.platform.queryRecordInfo(ch, from, to) });
      const from = DEVICE_RECORDS[0]!.startMs + 300_000;
      const to = DEVICE_RECORDS[2]!.startMs + 60_000;
      const got = await records.list(operator, w.cameraId, from, to);
      expect(got).toMatchObject({ channelId: GB_CHANNEL, from, to });
      expect(got.ranges.map((r) => [r.startMs, r.endMs, r.source])).toEqual([
        [from, DEVICE_RECORDS[0]!.endMs, 'device'],
        [DEVICE_RECORDS[1]!.startMs, DEVICE_RECORDS[1]!.endMs, 'device'],
        [DEVICE_RECORDS[2]!.startMs, to, 'device'],
      ]);
      await expect(records.list(registrar, w.cameraId, from, to)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(records.list(auditor, w.cameraId, from, to)).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const refusals = (await t.repos.audit.search({ outcome: 'refused', limit: 100, order: 'asc' })).filter((e) => (e.target ?? '').includes('device recordings'));
      expect(refusals.length).toBe(2);
    }, 180_000);
  });
}
