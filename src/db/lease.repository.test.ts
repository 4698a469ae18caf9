// Leases on a real PostgreSQL: the database's clock sets expiry, renewal needs node and epoch,
// takeover only after expiry with epoch + 1, and the index refuses rows of an older epoch in the
// same transaction as the write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase } from '../../test/support/databases.js';
import { seedRecordableCameras } from '../../test/support/recorder-cameras.js';
import type { Db } from './database.js';
import { LeaseFencedError } from './recording.repository.js';
import { createRepositories, type Repositories } from './repositories.js';

const LONG = 60_000;

describe('camera leases on postgres', () => {
  let db: Db;
  let repos: Repositories;
  let cams: number[];
  beforeAll(async () => {
    db = await freshDatabase('postgres');
    repos = createRepositories(db);
    cams = await seedRecordableCameras(repos, ['rtsp://127.0.0.1/a', 'rtsp://127.0.0.1/b', 'rtsp://127.0.0.1/c']);
  });
  afterAll(() => db.close());

  it('acquires free cameras with epoch 1 and never takes a live lease', async () => {
    expect(await repos.leases.acquire('a', [cams[0]!, cams[1]!], LONG)).toEqual([{ cameraId: cams[0], epoch: 1 }, { cameraId: cams[1], epoch: 1 }]);
    expect(await repos.leases.acquire('b', [cams[0]!], LONG)).toEqual([]);
    const lease = await repos.leases.lease(cams[0]!);
    expect(lease).toMatchObject({ nodeId: 'a', epoch: 1, expired: false });
    expect(lease!.expiresAt - (await repos.leases.now())).toBeGreaterThan(LONG - 10_000);
  });

  it('renews only with the right node and epoch', async () => {
    // The answer is what was NOT renewed.
    expect(await repos.leases.renew('b', [{ cameraId: cams[0]!, epoch: 1 }], LONG)).toEqual([cams[0]]);
    expect(await repos.leases.renew('a', [{ cameraId: cams[0]!, epoch: 2 }], LONG)).toEqual([cams[0]]);
    expect(await repos.leases.renew('a', [{ cameraId: cams[0]!, epoch: 1 }, { cameraId: cams[1]!, epoch: 1 }], LONG)).toEqual([]);
  });

  it('takes an expired lease over with the next epoch; the old holder can no longer renew', async () => {
    // A lease renewed for no time at all has expired by the database's clock.
    await repos.leases.renew('a', [{ cameraId: cams[1]!, epoch: 1 }], 0);
    expect((await repos.leases.lease(cams[1]!))!.expired).toBe(true);
    expect(await repos.leases.acquire('b', [cams[1]!], LONG)).toEqual([{ cameraId: cams[1], epoch: 2 }]);
    expect(await repos.leases.renew('a', [{ cameraId: cams[1]!, epoch: 1 }], LONG)).toEqual([cams[1]]);
  });

  it('release frees a lease at once for the next node', async () => {
    await repos.leases.release('a', [{ cameraId: cams[0]!, epoch: 1 }]);
    expect(await repos.leases.acquire('c', [cams[0]!], LONG)).toEqual([{ cameraId: cams[0], epoch: 2 }]);
  });

  it('refuses index rows and new files of an older epoch, and writes the current epoch', async () => {
    // cams[1] is held by b at epoch 2 now; a still believes it holds epoch 1.
    await expect(repos.recordings.createFile({ cameraId: cams[1]!, path: 'x/1.mp4', codec: 'avc1', width: 1, height: 1, initSize: 10, startedAt: 1000, epoch: 1, nodeId: 'a' })).rejects.toBeInstanceOf(LeaseFencedError);
    const file = await repos.recordings.createFile({ cameraId: cams[1]!, path: 'x/2.mp4', codec: 'avc1', width: 1, height: 1, initSize: 10, startedAt: 1000, epoch: 2, nodeId: 'b' });
    expect(file.epoch).toBe(2);
    const frag = (seq: number, epoch: number) => ({ fileId: file.id, cameraId: cams[1]!, seq, byteOffset: 10 + seq * 100, size: 100, startMs: 1000 + seq * 1000, endMs: 2000 + seq * 1000, keyframe: true, samples: 25, sha256: 'a'.repeat(64), epoch });
    const result = await repos.recordings.commit({
      fragments: [frag(0, 2), frag(1, 1)],
      events: [{ cameraId: cams[1]!, kind: 'connected', startMs: 1000, endMs: null, detail: '', epoch: 1 }],
      fileProgress: [{ fileId: file.id, endedAt: 3000, bytes: 210 }],
    });
    expect(result.fenced).toEqual([cams[1]]);
    // The current epoch's row is written; the stale one and the stale event are not.
    const rows = await repos.recordings.fragments(file.id);
    expect(rows.map((r) => r.seq)).toEqual([0]);
    expect(await repos.recordings.events(cams[1]!)).toEqual([]);
  });

  it('lists nodes alive by heartbeat age on the database clock', async () => {
    await repos.leases.heartbeat({ id: 'a', url: null, capacity: 10 });
    await repos.leases.heartbeat({ id: 'b', url: 'http://127.0.0.1:1', capacity: 20 });
    await repos.leases.leave('a');
    const nodes = await repos.leases.nodes(LONG);
    expect(nodes.map((n) => [n.id, n.alive, n.capacity])).toEqual([['a', false, 10], ['b', true, 20]]);
  });
});
