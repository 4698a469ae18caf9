// What happens to a recorded GB/T 28181 channel when its device misbehaves, all parts real (the
// simulated device, the recorder, the health rates): keepalives stop → the device goes offline,
// its stream is ended, the recorder records the disconnection and the camera counts offline in
// the online rate; no INVITE reaches it until it registers again, then recording resumes. The
// device hangs up (BYE) or stops sending RTP → the recorder re-INVITEs with backoff and records on.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, GB_CHANNEL, GB_NVR, gbWorld, recordGb, until } from '../support/gb-sim.js';
import { verifyRecordings } from '../support/recorder-verify.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
afterAll(closeEncoder);

const URL_ = `gb28181://${GB_NVR}/${GB_CHANNEL}`;

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 device liveness and the recording (${dialect})`, () => {
    it('a device that stops keepalives goes offline, its recording ends, the camera counts offline in the online rate; registering again brings recording back', async () => {
      const w = await gbWorld(dialect, { appClock: true });
      closers.push(w.close);
      const { t, gb, device } = w;
      const recorder = await recordGb(w, URL_);
      closers.push(() => recorder.close());
      await until('recording', () => [...device.sessions.values()].some((s) => s.sender.framesSent >= 50));
      const ended: string[] = [];
      device.on('ended', (_s, by) => ended.push(by));

      // Three keepalives missed (60 s × 3 by default) on the platform's clock.
      device.stopKeepalives();
      const offline = new Promise<string>((r) => gb.platform.once('offline', (_id, reason) => r(reason)));
      t.clock.set(Date.now() + 181_000);
      await gb.platform.sweep();
      expect(await offline).toBe('keepalive');
      expect(await t.repos.gbDevices.get(GB_NVR)).toMatchObject({ online: false });
      await until('the platform ends the stream', () => device.sessions.size === 0);
      expect(ended).toEqual(['platform']);
      await until('the disconnection recorded', async () => (await t.repos.recordings.events(w.cameraId, 'disconnected')).length === 1);
      const [gone] = await t.repos.recordings.events(w.cameraId, 'disconnected');
      expect(gone!.detail).toMatch(/keepalives missed/);

      // The online rate: connected until the keepalives stopped, offline since (the app's clock is 181 s on).
      const [connected] = await t.repos.recordings.events(w.cameraId, 'connected');
      const day = (await t.health.status.cameraDays(t.health.status.today())).find((d) => d.cameraId === w.cameraId)!;
      expect(day.onlineMs).toBeGreaterThan(0);
      expect(day.onlineMs).toBeLessThan(day.totalMs);
      expect(Math.abs(day.onlineMs - (gone!.startMs - connected!.startMs))).toBeLessThan(11_000); // the rates' grace after the last data
      const watched = (await t.health.repo.watchedCameras()).find((c) => c.id === w.cameraId)!;
      expect((await t.health.status.cameraStatus(watched)).state).toBe('offline');

      // The recorder keeps trying; the platform refuses to INVITE an offline device.
      // (The first error is the ended session, the second the refused retry: its detail is the operator's generic one.)
      await until('a refused retry', async () => (await t.repos.recordings.events(w.cameraId, 'error')).length >= 2);
      expect(device.invites).toBe(1);

      // The device comes back: its keepalive gets 404, it registers again, the recorder's next try INVITEs.
      device.startKeepalives();
      await until('recording again', () => [...device.sessions.values()].some((s) => s.sender.framesSent >= 25));
      expect(device.invites).toBe(2);
      expect(await t.repos.gbDevices.get(GB_NVR)).toMatchObject({ online: true });
      await recorder.close();
      expect((await verifyRecordings(t.repos.recordings, t.dataDir, [w.cameraId], { requireClosed: true })).problems).toEqual([]);
    }, 180_000);

    it.skipIf(dialect === 'postgres')('the device hangs up (BYE): the recorder re-INVITEs with backoff and records on in a new file', async () => {
      const w = await gbWorld(dialect);
      closers.push(w.close);
      const { t, device } = w;
      const recorder = await recordGb(w, URL_);
      closers.push(() => recorder.close());
      await until('recording', () => [...device.sessions.values()].some((s) => s.sender.framesSent >= 50));
      await [...device.sessions.values()][0]!.bye();
      await until('re-INVITE and 50 frames', () => device.invites === 2 && [...device.sessions.values()].some((s) => s.sender.framesSent >= 50));
      await recorder.close();
      const [gone] = await t.repos.recordings.events(w.cameraId, 'disconnected');
      expect(gone!.detail).toMatch(/INGEST_CLOSED: GB\/T 28181 session ended: the device sent BYE/);
      expect((await t.repos.recordings.events(w.cameraId, 'connected')).length).toBe(2);
      const v = await verifyRecordings(t.repos.recordings, t.dataDir, [w.cameraId], { requireClosed: true });
      expect(v.problems).toEqual([]);
      expect(v.files.length).toBe(2);
      expect(v.files[1]!.file.startedAt).toBeGreaterThanOrEqual(v.files[0]!.file.endedAt);
    }, 120_000);

    it.skipIf(dialect === 'postgres')('the device stops sending RTP without a BYE: after the no-data time the platform hangs up and INVITEs again', async () => {
      const w = await gbWorld(dialect);
      closers.push(w.close);
      const { t, device } = w;
      const recorder = await recordGb(w, URL_, 2000);
      closers.push(() => recorder.close());
      await until('recording', () => [...device.sessions.values()].some((s) => s.sender.framesSent >= 25));
      const ended: string[] = [];
      device.on('ended', (_s, by) => ended.push(by));
      [...device.sessions.values()][0]!.sender.pause();
      await until('re-INVITE and 25 frames', () => device.invites === 2 && [...device.sessions.values()].some((s) => s.sender.framesSent >= 25));
      expect(ended).toEqual(['platform']);
      await recorder.close();
      const [gone] = await t.repos.recordings.events(w.cameraId, 'disconnected');
      expect(gone!.detail).toMatch(/STALL/);
      expect((await verifyRecordings(t.repos.recordings, t.dataDir, [w.cameraId], { requireClosed: true })).problems).toEqual([]);
    }, 120_000);
  });
}
