import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { seedRecordableCameras } from '../../test/support/recorder-cameras.js';
import type { Db } from './database.js';
import type { RecordingFragment } from './recording.repository.js';
import { createRepositories, type Repositories } from './repositories.js';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

const fragment = (fileId: number, cameraId: number, seq: number, over: Partial<RecordingFragment> = {}): RecordingFragment => ({
  fileId,
  cameraId,
  seq,
  byteOffset: 700 + seq * 1000,
  size: 1000,
  startMs: T0 + seq * 1000,
  endMs: T0 + (seq + 1) * 1000,
  keyframe: true,
  samples: 25,
  sha256: String(seq).padStart(64, '0'),
  // Recorded live, as every row here; backfilled footage (origin: device) is test/gb28181/gb-backfill.test.ts's.
  origin: 'recorder',
  ...over,
});

for (const dialect of DIALECTS) {
  describe(`recording index on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let cams: number[];
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      cams = await seedRecordableCameras(repos, ['rtsp://127.0.0.1/a', 'rtsp://127.0.0.1/b', null]);
    });
    afterAll(() => db.close());

    it('lists only cameras in service with a source URL', async () => {
      await repos.cameras.update(cams[1]!, { ...(await repos.cameras.get(cams[1]!))!, status: 'fault' }, T0);
      expect(await repos.recordings.recordableCameras()).toEqual([{ id: cams[0], sourceUrl: 'rtsp://127.0.0.1/a', priority: 0 }]);
    });

    it('writes fragments, progress and events of many cameras in one batch, and reads them back', async () => {
      const a = await repos.recordings.createFile({ cameraId: cams[0]!, path: 'recordings/a.mp4', codec: 'avc1.64001f', width: 1280, height: 720, initSize: 700, startedAt: T0 });
      const b = await repos.recordings.createFile({ cameraId: cams[1]!, path: 'recordings/b.mp4', codec: 'avc1.64001f', width: 640, height: 360, initSize: 650, startedAt: T0 });
      expect(a).toMatchObject({ closed: false, bytes: 700, endedAt: T0 });
      // 1200 rows: more than one multi-row INSERT.
      const many = Array.from({ length: 1200 }, (_, i) => fragment(a.id, cams[0]!, i));
      await repos.recordings.commit({
        fragments: [...many, fragment(b.id, cams[1]!, 0, { byteOffset: 650, keyframe: false })],
        fileProgress: [{ fileId: a.id, endedAt: T0 + 1_200_000, bytes: 700 + 1200 * 1000 }],
        events: [{ cameraId: cams[0]!, kind: 'gap', startMs: T0 - 5000, endMs: T0, detail: 'camera returned' }],
      });
      expect((await repos.recordings.fragments(a.id)).length).toBe(1200);
      expect(await repos.recordings.lastFragment(a.id)).toEqual(fragment(a.id, cams[0]!, 1199));
      expect(await repos.recordings.fragments(b.id)).toEqual([fragment(b.id, cams[1]!, 0, { byteOffset: 650, keyframe: false })]);
      expect(await repos.recordings.file(a.id)).toMatchObject({ endedAt: T0 + 1_200_000, bytes: 1_200_700, closed: false });
      expect(await repos.recordings.events(cams[0]!, 'gap')).toEqual([{ cameraId: cams[0], kind: 'gap', startMs: T0 - 5000, endMs: T0, detail: 'camera returned' }]);
      expect(await repos.recordings.lastRecordedEnd(cams[0]!)).toBe(T0 + 1_200_000);
      expect(await repos.recordings.lastRecordedEnd(cams[1]!)).toBeUndefined(); // its progress is not written yet
      expect((await repos.recordings.openFiles()).map((f) => f.id)).toEqual([a.id, b.id]);
      expect(await repos.recordings.earliestOpenStart()).toEqual(new Map([[cams[0]!, T0], [cams[1]!, T0]]));
    });

    it('rolls back a whole batch when one row is refused', async () => {
      const f = await repos.recordings.createFile({ cameraId: cams[0]!, path: 'recordings/c.mp4', codec: 'avc1.64001f', width: 1, height: 1, initSize: 10, startedAt: T0 });
      const dup = fragment(f.id, cams[0]!, 0);
      await expect(repos.recordings.commit({ fragments: [dup, dup], fileProgress: [], events: [] })).rejects.toThrow();
      expect(await repos.recordings.fragments(f.id)).toEqual([]);
    });

    it('closes and deletes files', async () => {
      const f = await repos.recordings.createFile({ cameraId: cams[0]!, path: 'recordings/d.mp4', codec: 'avc1.64001f', width: 1, height: 1, initSize: 10, startedAt: T0 });
      await repos.recordings.commit({ fragments: [fragment(f.id, cams[0]!, 0)], fileProgress: [], events: [] });
      await repos.recordings.closeFile(f.id, T0 + 1000, 1710);
      expect(await repos.recordings.file(f.id)).toMatchObject({ closed: true, endedAt: T0 + 1000, bytes: 1710 });
      expect(await repos.recordings.pathsSince(cams[0]!, T0)).toEqual(new Set(['recordings/a.mp4', 'recordings/c.mp4', 'recordings/d.mp4']));
      await repos.recordings.deleteFile(f.id);
      expect(await repos.recordings.file(f.id)).toBeUndefined();
      expect(await repos.recordings.fragments(f.id)).toEqual([]);
    });
  });
}
