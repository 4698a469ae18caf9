// The index writer tells of camera events (gaps, connects, errors) once they are in the index, so
// the event stream can announce them (issue 20): not while they wait in the queue, not when their
// commit failed (they are told after the retry that writes them, once), in the order they were seen.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { seedRecordableCameras } from '../../test/support/recorder-cameras.js';
import type { Db } from '../db/database.js';
import type { CameraEvent, IndexBatch, RecordingRepository } from '../db/recording.repository.js';
import { createRepositories, type Repositories } from '../db/repositories.js';
import { systemClock } from '../domain/clock.js';
import { IndexWriter } from './index-writer.js';

const T0 = Date.UTC(2026, 2, 1, 8, 0, 0);

for (const dialect of DIALECTS) {
  describe(`camera events told once indexed, on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let cams: number[];
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      cams = await seedRecordableCameras(repos, ['rtsp://127.0.0.1/a', 'rtsp://127.0.0.1/b']);
    });
    afterAll(() => db.close());

    it('tells the events of a commit after it is in, in the order seen, and nothing while they are queued', async () => {
      const told: { events: CameraEvent[]; stored: number }[] = [];
      const writer = new IndexWriter(repos.recordings, systemClock, pino({ level: 'silent' }), undefined, {
        // What the index holds when the listener hears: the events must be there already.
        onEvents: (events) => void Promise.all(events.map((e) => repos.recordings.events(e.cameraId, e.kind))).then((rows) => told.push({ events, stored: rows.flat().length })),
      });
      const gap: CameraEvent = { cameraId: cams[0]!, kind: 'gap', startMs: T0, endMs: T0 + 4000, detail: 'camera returned' };
      const connected: CameraEvent = { cameraId: cams[0]!, kind: 'connected', startMs: T0 + 4000, endMs: null, detail: '' };
      const error: CameraEvent = { cameraId: cams[1]!, kind: 'error', startMs: T0 + 5000, endMs: null, detail: 'SOURCE_UNAVAILABLE: refused' };
      writer.event(gap);
      writer.event(connected);
      writer.event(error);
      expect(told).toEqual([]);
      await writer.flush();
      await expect.poll(() => told.length).toBe(1);
      expect(told[0]!.events).toEqual([gap, connected, error]);
      expect(told[0]!.stored).toBe(3);
      // A commit with no event tells nothing.
      await writer.flush();
      expect(told.length).toBe(1);
    });

    it('tells nothing of a commit that failed, and tells its events once when the retry writes them', async () => {
      let failNext = true;
      const failingOnce = new Proxy(repos.recordings, {
        get(target, prop, receiver) {
          if (prop === 'commit') {
            return (batch: IndexBatch) => {
              if (failNext) {
                failNext = false;
                return Promise.reject(Object.assign(new Error('connection terminated unexpectedly'), { code: 'ECONNRESET' }));
              }
              return target.commit(batch);
            };
          }
          return Reflect.get(target, prop, receiver) as unknown;
        },
      }) as RecordingRepository;
      const told: CameraEvent[][] = [];
      const writer = new IndexWriter(failingOnce, systemClock, pino({ level: 'silent' }), undefined, { onEvents: (events) => told.push(events) });
      const disconnected: CameraEvent = { cameraId: cams[1]!, kind: 'disconnected', startMs: T0 + 9000, endMs: null, detail: '' };
      writer.event(disconnected);
      await writer.flush();
      expect(told).toEqual([]);
      expect(writer.queued).toBe(1);
      await writer.flush();
      expect(told).toEqual([[disconnected]]);
      expect(await repos.recordings.events(cams[1]!, 'disconnected')).toEqual([disconnected]);
      await writer.flush();
      expect(told.length).toBe(1);
    });

    it('a listener that throws does not put the written events back in the queue', async () => {
      const writer = new IndexWriter(repos.recordings, systemClock, pino({ level: 'silent' }), undefined, {
        onEvents: () => {
          throw new Error('listener broke');
        },
      });
      writer.event({ cameraId: cams[0]!, kind: 'clock_jump', startMs: T0 + 20_000, endMs: null, detail: '' });
      await writer.flush();
      expect(writer.queued).toBe(0);
      expect((await repos.recordings.events(cams[0]!, 'clock_jump')).length).toBe(1);
    });
  });
}
