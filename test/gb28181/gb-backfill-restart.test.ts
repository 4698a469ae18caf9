// Backfill (补录) jobs outlive the serving process (migration 0038): a job the table says is
// running when a process starts was cut off by the previous one's stop. Here the stopped process
// is stood for by its last write — a job with one range written, one downloading, one waiting —
// and the new process's recovery marks it interrupted: the written range stays done, the others
// failed, the whole registered once; the camera's listing says so, and the stale "running" no
// longer blocks a new backfill. With several API processes, a job another process still runs is
// left alone until that process stops renewing it, and then marked once, by one of the others.
// SQLite and PostgreSQL.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { GbBackfillService, type BackfillPiece } from '../../src/gb28181/backfill.service.js';
import { person, signIn } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, DEVICE_RECORDS, gbWorld } from '../support/gb-sim.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
afterAll(closeEncoder);

const first = DEVICE_RECORDS[0]!;
const piece = (startMs: number, state: BackfillPiece['state']): BackfillPiece => ({
  startMs, endMs: startMs + 60_000, state, written: state === 'done' ? { startMs, endMs: startMs + 60_000 } : null, fragments: state === 'done' ? 60 : 0, bytes: state === 'done' ? 1_000_000 : 0, error: null,
});

for (const dialect of DIALECTS) {
  describe(`backfill jobs across a restart (${dialect})`, () => {
    it('marks a job cut off by the stop interrupted, lists it so, and registers it once', async () => {
      const w = await gbWorld(dialect, { records: true });
      closers.push(w.close);
      const { t, cameraId } = w;
      const op = await signIn(t, await person(t, 'duty', [['duty_operator', w.regionId]]));
      const pieces = [piece(first.startMs, 'done'), piece(first.startMs + 120_000, 'downloading'), piece(first.startMs + 240_000, 'waiting')];
      const id = await t.repos.gbBackfills.insert({ cameraId, channelId: '34020000001310000001', from: first.startMs, to: first.startMs + 300_000, state: 'running', pieces, startedBy: t.adminId, startedAt: first.startMs, endedAt: null, error: null });

      // Before recovery the table's running job holds the camera: a second backfill is refused.
      const blocked = await op.inject({ method: 'POST', url: `/api/v1/cameras/${cameraId}/backfills`, payload: { from: String(first.startMs), to: String(first.endMs) } });
      expect(blocked.statusCode).toBe(409);
      expect(blocked.json().error.message).toContain(`backfill ${id}`);

      expect(await t.gb.backfill.recover()).toBe(1);
      expect(await t.gb.backfill.recover()).toBe(0);
      const listed = await op.inject({ method: 'GET', url: `/api/v1/cameras/${cameraId}/backfills` });
      expect(listed.statusCode).toBe(200);
      const [job] = listed.json().items;
      expect(job).toMatchObject({ id, state: 'interrupted', from: first.startMs, to: first.startMs + 300_000 });
      expect(job.endedAt).toBe(t.clock.now());
      expect(job.error).toMatch(/interrupted/);
      expect(job.pieces.map((p: BackfillPiece) => p.state)).toEqual(['done', 'failed', 'failed']);
      expect(job.pieces[0].written).toEqual({ startMs: first.startMs, endMs: first.startMs + 60_000 });
      const entries = (await t.audit.search({ cameraId, limit: 100 })).items.filter((e) => (e.target ?? '').startsWith(`camera ${cameraId} backfill ${id} interrupted`));
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ action: 'config_change', outcome: 'failed' });

      // No longer held: a new backfill is judged on its own plan (here: no gap of ours, since we never
      // recorded this channel, so nothing to download), not refused as already running.
      const again = await op.inject({ method: 'POST', url: `/api/v1/cameras/${cameraId}/backfills`, payload: { from: String(first.startMs), to: String(first.startMs + 10_000) } });
      expect(again.statusCode, again.body).toBe(400);
      expect(again.json().error.params).toMatchObject({ reason: 'backfill-nothing' });
    }, 120_000);

    it('leaves a job another API process runs alone until it stops renewing, then one process marks it', async () => {
      const w = await gbWorld(dialect, { records: true, appClock: true });
      closers.push(w.close);
      const { t, cameraId } = w;
      const now = t.clock.now();
      // Two API processes on other hosts (the test's world is a third), over the same tables.
      const process = (holder: string) => new GbBackfillService({
        repos: t.repos, log: t.access.log, logger: pino({ level: 'silent' }), clock: t.clock, holder: { self: holder, host: holder.split(':')[0]!, heartbeatMs: 5000 },
        recordInfo: () => undefined, download: () => undefined, writer: () => { throw new Error('no download in this test'); }, minGapMs: 0, maxPieceMs: 600_000, stallMs: 10_000,
      });
      const [b, c] = [process('api-b:11:bbbbbbbb'), process('api-c:12:cccccccc')];
      closers.push(() => b.close(), () => c.close());
      const pieces = [piece(first.startMs, 'downloading')];
      const id = await t.repos.gbBackfills.insert({ cameraId, channelId: '34020000001310000001', from: first.startMs, to: first.startMs + 60_000, state: 'running', pieces, startedBy: t.adminId, startedAt: now, endedAt: null, error: null, holder: 'api-a:10:aaaaaaaa', aliveAt: now });

      // Its holder renewed it a moment ago: nobody takes it for cut off.
      t.clock.advance(15_000);
      expect(await b.recover()).toBe(0);
      expect(await t.gb.backfill.recover()).toBe(0);
      expect((await t.repos.gbBackfills.get(id))!.state).toBe('running');
      // It renews (as its heartbeat does), then falls silent past three heartbeats.
      await t.repos.gbBackfills.renew([id], 'api-a:10:aaaaaaaa', t.clock.now());
      t.clock.advance(15_001);
      // Both other processes look at once: one marks it, and it is registered once.
      expect((await Promise.all([b.recover(), c.recover()])).reduce((x, y) => x + y, 0)).toBe(1);
      expect(await t.gb.backfill.recover()).toBe(0);
      const job = (await t.repos.gbBackfills.get<BackfillPiece>(id))!;
      expect(job).toMatchObject({ state: 'interrupted', endedAt: t.clock.now() });
      expect(job.pieces.map((p) => p.state)).toEqual(['failed']);
      const entries = (await t.audit.search({ cameraId, limit: 100 })).items.filter((e) => (e.target ?? '').startsWith(`camera ${cameraId} backfill ${id} interrupted`));
      expect(entries).toHaveLength(1);
      // A renewal that comes after does not bring it back.
      await t.repos.gbBackfills.renew([id], 'api-a:10:aaaaaaaa', t.clock.now());
      expect((await t.repos.gbBackfills.get(id))!.state).toBe('interrupted');
    }, 120_000);
  });
}
