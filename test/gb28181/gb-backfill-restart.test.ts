// Backfill (补录) jobs outlive the serving process (migration 0038): a job the table says is
// running when a process starts was cut off by the previous one's stop. Here the stopped process
// is stood for by its last write — a job with one range written, one downloading, one waiting —
// and the new process's recovery marks it interrupted: the written range stays done, the others
// failed, the whole registered once; the camera's listing says so, and the stale "running" no
// longer blocks a new backfill. SQLite and PostgreSQL.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { BackfillPiece } from '../../src/gb28181/backfill.service.js';
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
  });
}
