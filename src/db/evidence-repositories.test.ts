import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { seedRecordableCameras } from '../../test/support/recorder-cameras.js';
import type { Db } from './database.js';
import { createRepositories, type Repositories } from './repositories.js';

const T0 = Date.UTC(2027, 0, 1);

for (const dialect of DIALECTS) {
  describe(`evidence repositories on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let cam: number;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      [cam] = (await seedRecordableCameras(repos, ['rtsp://127.0.0.1/a'], T0)) as [number];
    });
    afterAll(() => db.close());

    it('appends leaves only onto the size it read, so two sealers cannot fork a log', async () => {
      const leaf = (i: number) => ({ fragmentId: i + 1, fileId: 1, leafHash: String(i).padStart(64, '0') });
      const state = (size: number, last: number) => ({ size, frontier: ['aa'], lastFragmentId: last });
      expect(await db.kysely.transaction().execute((t) => repos.integrityLog.appendLeaves(t, cam, 0, [leaf(0), leaf(1)], [], state(2, 2), T0))).toBe(true);
      expect(await db.kysely.transaction().execute((t) => repos.integrityLog.appendLeaves(t, cam, 0, [leaf(0)], [], state(1, 1), T0))).toBe(false);
      expect(await db.kysely.transaction().execute((t) => repos.integrityLog.appendLeaves(t, cam, 1, [leaf(1)], [], state(2, 2), T0))).toBe(false);
      expect(await db.kysely.transaction().execute((t) => repos.integrityLog.appendLeaves(t, cam, 2, [leaf(2)], [], state(3, 3), T0))).toBe(true);
      expect(await repos.integrityLog.logState(cam)).toEqual({ size: 3, frontier: ['aa'], lastFragmentId: 3 });
      expect(await repos.integrityLog.leafHashes(cam, 3)).toEqual([0, 1, 2].map((i) => String(i).padStart(64, '0')));
    });

    it('moves a hold only from the state it is in', async () => {
      const h = await db.kysely.transaction().execute((t) =>
        repos.legalHolds.insertHold(t, { camera_id: cam, range_from: null, range_to: T0, case_ref: 'C1', reason: 'r', state: 'active', placed_by: 1, placed_at: T0, release_requested_by: null, release_requested_at: null, release_reason: null, released_by: null, released_at: null }),
      );
      expect(await db.kysely.transaction().execute((t) => repos.legalHolds.updateHold(t, h.id, 'release_requested', { state: 'released' }))).toBe(false);
      expect(await db.kysely.transaction().execute((t) => repos.legalHolds.updateHold(t, h.id, 'active', { state: 'release_requested', release_requested_by: 2 }))).toBe(true);
      expect((await repos.legalHolds.holds()).map((x) => [x.id, x.state])).toEqual([[h.id, 'release_requested']]);
      expect(await repos.legalHolds.holds(['active'])).toEqual([]);
    });

    it('removes a file\'s index rows only while it is closed and unchanged; the garbage table keeps what to unlink', async () => {
      const f = await repos.recordings.createFile({ cameraId: cam, path: 'recordings/x.mp4', codec: 'avc1', width: 1, height: 1, initSize: 10, startedAt: T0 });
      await repos.recordings.commit({ fragments: [{ fileId: f.id, cameraId: cam, seq: 0, byteOffset: 10, size: 5, startMs: T0, endMs: T0 + 1, keyframe: true, samples: 1, sha256: 'ab'.repeat(32) }], fileProgress: [{ fileId: f.id, endedAt: T0 + 1, bytes: 15, closed: true }], events: [] });
      const [file] = await repos.recordingIndex.files(cam);
      const stale = { ...file!, bytes: 14 };
      expect(await db.kysely.transaction().execute((t) => repos.recordings.removeClosedFile(t, stale))).toBe(false);
      expect(await repos.recordings.file(f.id)).toBeDefined();
      const moved = await db.kysely.transaction().execute(async (t) => {
        expect(await repos.recordings.removeClosedFile(t, file!)).toBe(true);
        return [await repos.retentionGarbage.insert(t, { cameraId: cam, fileId: f.id, path: file!.path }, T0)];
      });
      expect(moved).toMatchObject([{ fileId: f.id, path: 'recordings/x.mp4' }]);
      expect(await repos.recordings.file(f.id)).toBeUndefined();
      expect(await repos.recordingIndex.fileFragments(f.id)).toEqual([]);
      expect(await repos.retentionGarbage.garbage()).toEqual(moved);
      await repos.retentionGarbage.removeGarbage(moved.map((m) => m.id));
      expect(await repos.retentionGarbage.garbage()).toEqual([]);
    });

    it('keeps alarms and exports', async () => {
      await repos.storageAlarms.insertAlarm({ at: T0, level: 'full', used_permille: 960, free_bytes: 1, message: 'full' });
      expect(await repos.storageAlarms.alarms()).toMatchObject([{ level: 'full', used_permille: 960 }]);
      const e = await repos.evidenceExports.insertExport({ request_id: 1, camera_id: cam, range_from: T0, range_to: T0 + 1, state: 'running', bytes_total: 9, bytes_done: 0, path: 'exports/1', manifest_sha256: null, error: null, created_by: 1, created_at: T0, finished_at: null });
      await repos.evidenceExports.updateExport(e.id, { state: 'done', bytes_done: 9 });
      expect(await repos.evidenceExports.export(e.id)).toMatchObject({ state: 'done', bytes_done: 9 });
      expect(await repos.evidenceExports.exportsInState('running')).toEqual([]);
    });
  });
}
