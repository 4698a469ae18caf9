// Gap backfill (补录, issue 18 §5) end to end, all parts real: our recording of a GB channel has
// gaps (footage written by the recorder's own writer, stamped inside the device's recording);
// a duty operator asks through the API; the platform finds where we have a gap and the device a
// recording, downloads each range (INVITE s=Download, PS over RTP on TCP from the simulated
// device) and writes it as footage marked `device`. Then: the timeline shows it apart, ffprobe
// plays it, the Merkle log takes it in and verifies, the register has the start and the outcome;
// a second request finds nothing to do; a download the device hangs up leaves nothing; a
// backfill over footage we hold is refused whole with its file removed; someone who may not play
// the camera back is refused and registered once. SQLite and PostgreSQL.
import { existsSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { PsUnitFrames } from '../../src/ingest/ps-unit-frames.js';
import type { VideoFrame } from '../../src/ingest/source.js';
import { verifyFootage } from '../../src/integrity/footage-verify.js';
import { TimelineService } from '../../src/playback/timeline-service.js';
import { BackfillWriter } from '../../src/recorder/backfill-writer.js';
import { CameraWriter } from '../../src/recorder/camera-writer.js';
import { IndexWriter } from '../../src/recorder/index-writer.js';
import type { StreamSession } from '../../src/sim/gb-device.js';
import { person, signIn } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, DEVICE_RECORDS, gbWorld, liveEncoder, type GbWorld } from '../support/gb-sim.js';

const run = promisify(execFile);
const logger = pino({ level: 'silent' });
const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
afterAll(closeEncoder);

const AT = DEVICE_RECORDS[0]!.startMs;

/** `frames` pictures of the live encoder, from a keyframe, stamped from `startMs` at 25 fps (the encoder's rate). */
async function pictures(startMs: number, frames: number, each: (f: VideoFrame, info: PsUnitFrames['info']) => void): Promise<void> {
  const enc = await liveEncoder();
  const ps = new PsUnitFrames(() => startMs);
  let n = 0;
  await new Promise<void>((resolve) => {
    const off = enc.subscribe((f) => {
      if (n === 0 && !f.keyframe) return;
      if (n >= frames) return;
      const r = ps.push({ codec: 'h264', pts: n * 3600, dts: n * 3600, keyframe: f.keyframe, nalus: f.nalus, extrapolated: false });
      n++;
      if (r.kind === 'frame') each(r.frame, ps.info);
      if (n >= frames) {
        off();
        resolve();
      }
    });
  });
}

/** Our own recording of the camera, as the recorder writes it (CameraWriter + IndexWriter), at a past time. */
async function recordPast(w: GbWorld, startMs: number, frames: number): Promise<void> {
  const index = new IndexWriter(w.t.repos.recordings, systemClock, logger, undefined);
  const writer = new CameraWriter(w.cameraId, { fileSeconds: 600, fragmentMaxMs: 1000 }, { store: w.t.evidence.store, repo: w.t.repos.recordings, index, logger });
  let info: PsUnitFrames['info'];
  await pictures(startMs, frames, (f, i) => {
    if (i !== info) writer.setInfo({ video: (info = i)! });
    writer.video(f);
  });
  writer.endFile();
  await writer.drained();
  await index.close();
}

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 gap backfill (${dialect})`, () => {
    it('downloads where we have a gap and the device a recording, as footage marked device: timeline, ffprobe, Merkle log, register; never over ours; nothing half-written', async () => {
      const w = await gbWorld(dialect, { records: true, appClock: true });
      closers.push(w.close);
      const { t, device } = w;
      const camera = (await t.repos.cameras.get(w.cameraId))!;
      // Ours: [AT, AT+4 s) and [AT+8 s, AT+12 s); the span asked for runs to AT+16 s.
      await recordPast(w, AT, 100);
      await recordPast(w, AT + 8000, 100);
      const ours = await t.repos.recordings.files(w.cameraId);
      expect(ours.map((f) => f.origin)).toEqual(['recorder', 'recorder']);
      const from = AT;
      const to = AT + 16_000;

      const operator = await signIn(t, await person(t, 'operator', [['duty_operator', camera.regionId]]));
      const plan = await operator.inject({ method: 'GET', url: `/api/v1/cameras/${w.cameraId}/backfill-plan?from=${from}&to=${to}` });
      expect(plan.statusCode, plan.body).toBe(200);
      const pieces = plan.json().pieces as { startMs: number; endMs: number }[];
      expect(pieces).toEqual([{ startMs: ours[0]!.endedAt, endMs: ours[1]!.startedAt }, { startMs: ours[1]!.endedAt, endMs: to }]);

      const streams: StreamSession[] = [];
      device.on('stream', (s) => streams.push(s));
      const started = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${w.cameraId}/backfills`, payload: { from: String(from), to: String(to) } });
      expect(started.statusCode, started.body).toBe(202);
      const job = await t.gb.backfill.settled(started.json().id);
      expect(job.state, job.error ?? '').toBe('done');
      expect(job.pieces.map((p) => p.state)).toEqual(['done', 'done']);
      expect(streams.map((s) => s.session)).toEqual(['Download', 'Download']);
      expect(streams.map((s) => s.mode)).toEqual(['tcp-active', 'tcp-active']); // we listen (setup:passive), the device connects

      // The index: two files marked device, each inside its gap, their fragments marked too.
      const files = await t.repos.recordings.files(w.cameraId);
      const backfilled = files.filter((f) => f.origin === 'device');
      expect(backfilled).toHaveLength(2);
      for (const [i, f] of backfilled.entries()) {
        expect(f.closed).toBe(true);
        expect(f.startedAt).toBeGreaterThanOrEqual(pieces[i]!.startMs);
        expect(f.endedAt).toBeLessThanOrEqual(pieces[i]!.endMs);
        const frags = await t.repos.recordingIndex.fileFragments(f.id);
        expect(frags.every((g) => g.origin === 'device')).toBe(true);
        const samples = frags.reduce((n, g) => n + g.samples, 0);
        expect(samples).toBeGreaterThanOrEqual(75); // ~4 s at 25 fps, clipped to the gap
        expect(job.pieces[i]!.fragments).toBe(frags.length);
        // ffprobe (a reader we did not write) plays the backfilled file with the indexed pictures.
        const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_name,nb_read_packets', '-of', 'json', t.evidence.store.absolute(f.path)]);
        expect(JSON.parse(stdout).streams[0]).toMatchObject({ codec_name: 'h264', nb_read_packets: String(samples) });
      }
      // Nothing of ours is covered: all fragments of the camera, in time order, never overlap.
      const all = (await t.repos.recordingIndex.fragments(w.cameraId, from - 1000, to, 10_000)).sort((a, b) => a.startMs - b.startMs);
      for (let i = 1; i < all.length; i++) expect(all[i]!.startMs).toBeGreaterThanOrEqual(all[i - 1]!.endMs);
      expect(all.filter((g) => g.origin === 'recorder').length).toBeGreaterThan(0);

      // The timeline: one recorded stretch, the backfilled parts told apart.
      const tl = await new TimelineService(t.repos.recordingIndex, t.repos.fencedFootage, () => Date.now()).camera(w.cameraId, from, to);
      expect(tl.backfilled.map((r) => [r.startMs, r.endMs])).toEqual(backfilled.map((f) => [f.startedAt, f.endedAt]));
      expect(tl.ranges).toHaveLength(1);

      // Hashed and Merkle-logged like any fragment; the footage verifies against the log.
      await t.evidence.merkle.sealAll();
      const report = await verifyFootage({ repo: t.repos.integrityLog, index: t.repos.recordingIndex, publicKey: t.audit.keys.publicKey, absolute: (p) => t.evidence.store.absolute(p) }, { cameraId: w.cameraId });
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true, files: 4, fragments: all.length, unsealed: 0 });

      // Registered: who started it, and what was written.
      const entries = (await t.audit.search({ cameraId: w.cameraId, action: 'config_change', limit: 50 })).items.filter((e) => /backfill/.test(e.target ?? ''));
      expect(entries.map((e) => [e.outcome, e.actors[0]!.name])).toEqual(expect.arrayContaining([['success', 'operator'], ['success', 'operator']]));
      expect(entries).toHaveLength(2);

      // Again: nothing is missing where the device has a recording.
      const again = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${w.cameraId}/backfills`, payload: { from: String(from), to: String(to) } });
      expect(again.statusCode).toBe(400);
      expect(again.json()).toMatchObject({ error: { params: { reason: 'backfill-nothing' } } });

      // A download the device hangs up before it is complete leaves nothing behind.
      const before = (await t.repos.recordings.files(w.cameraId)).length;
      const hangUp = (s: StreamSession) => setTimeout(() => void s.bye(), 1000);
      device.once('stream', hangUp);
      const cut = await operator.inject({ method: 'POST', url: `/api/v1/cameras/${w.cameraId}/backfills`, payload: { from: String(AT + 20_000), to: String(AT + 30_000) } });
      expect(cut.statusCode, cut.body).toBe(202);
      const failed = await t.gb.backfill.settled(cut.json().id);
      expect(failed.state).toBe('failed');
      expect(failed.pieces[0]!.error).toMatch(/ended before the device said it was complete/);
      expect((await t.repos.recordings.files(w.cameraId)).length).toBe(before);
      expect((await t.repos.recordings.openFiles()).filter((f) => f.origin === 'device')).toEqual([]);

      // Over footage we hold (a race: our recording arrived while downloading): refused whole, its file gone.
      const over = new BackfillWriter(w.cameraId, { store: t.evidence.store, repo: t.repos.recordings, logger }, { fileSeconds: 600, fragmentMaxMs: 1000 });
      let info: PsUnitFrames['info'];
      await pictures(AT + 2000, 50, (f, i) => {
        if (i !== info) over.setInfo({ video: (info = i)! });
        over.video(f);
      });
      await expect(over.commit()).rejects.toMatchObject({ code: 'BACKFILL_OVERLAP' });
      const left = await t.repos.recordings.files(w.cameraId);
      expect(left.length).toBe(before);
      expect(left.every((f) => existsSync(t.evidence.store.absolute(f.path)))).toBe(true);

      // Who may not play the camera back is refused, and registered once.
      const registrar = await signIn(t, await person(t, 'registrar', [['unit_administrator', camera.regionId]]));
      const refused = await registrar.inject({ method: 'POST', url: `/api/v1/cameras/${w.cameraId}/backfills`, payload: { from: String(from), to: String(to) } });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ error: { params: { reason: 'backfill-not-permitted' } } });
      const refusals = (await t.audit.search({ cameraId: w.cameraId, outcome: 'refused', limit: 50 })).items.filter((e) => /backfill/.test(e.target ?? ''));
      expect(refusals).toHaveLength(1);
    }, 240_000);
  });
}
