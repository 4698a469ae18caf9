// A device's Alarm NOTIFY becomes a health alarm on the channel's camera, with its severity from
// the alarm priority and the recording range around the alarm time. SQLite and PostgreSQL.
import { afterAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, GB_CHANNEL, GB_NVR, gbWorld, until } from '../support/gb-sim.js';

afterAll(closeEncoder);

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 device alarms (${dialect})`, () => {
    it('an Alarm NOTIFY is a health alarm on the camera, with the clip around it', async () => {
      const w = await gbWorld(dialect);
      try {
        const at = Date.UTC(2026, 11, 4, 1, 2, 3);
        await w.device.alarm(GB_CHANNEL, { priority: 1, method: 5, description: '区域入侵', atMs: at, type: 2 });
        await w.device.alarm(GB_CHANNEL, { priority: 3, method: 6, description: 'disk fault', atMs: at + 60_000 });
        let alarms: Awaited<ReturnType<typeof w.t.repos.health.alarms>> = [];
        await until('two device alarms', async () => (alarms = await w.t.repos.health.alarms({ kind: 'device_alarm', limit: 10 })).length === 2);
        // In the order of the alarms' own times: two NOTIFYs over UDP are handled side by side, and
        // which row is written first is not the device's order.
        alarms.sort((a, b) => Number(a.clip_from) - Number(b.clip_from));
        const cam = (await w.t.repos.cameras.get(w.cameraId))!;
        expect(alarms[0]).toMatchObject({ kind: 'device_alarm', severity: 'critical', camera_id: w.cameraId, organisation_id: cam.regionId, title: `GB/T 28181 alarm from ${GB_CHANNEL}: 区域入侵`, clip_from: at - 10_000, clip_to: at + 20_000 });
        expect(JSON.parse(String(alarms[0]!.detail))).toEqual({ device: GB_NVR, channel: GB_CHANNEL, priority: 1, method: '5', type: '2' });
        expect(alarms[1]).toMatchObject({ severity: 'info', clip_from: at + 50_000 });
      } finally {
        await w.close();
      }
    }, 120_000);
  });
}
