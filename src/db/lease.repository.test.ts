// Leases on a real PostgreSQL: the database's clock sets expiry, a node renews every lease it holds
// by renewing its own row (one row a round, migration 0042),
// takeover only after expiry with epoch + 1, and the index refuses rows of an older epoch in the
// same transaction as the write.
import { sql } from 'kysely';
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
    expect(await repos.leases.renewNode({ id: 'a', url: null, capacity: 10 }, LONG)).toEqual({ continuous: false });
    await repos.leases.renewNode({ id: 'b', url: null, capacity: 10 }, LONG);
    expect(await repos.leases.acquire('a', [cams[0]!, cams[1]!])).toEqual([{ cameraId: cams[0], epoch: 1 }, { cameraId: cams[1], epoch: 1 }]);
    expect(await repos.leases.acquire('b', [cams[0]!])).toEqual([]);
    const lease = await repos.leases.lease(cams[0]!);
    expect(lease).toMatchObject({ nodeId: 'a', epoch: 1, expired: false });
    // The lease runs as long as its node's: until the node's last renewal + LONG.
    expect(lease!.expiresAt - (await repos.leases.now())).toBeGreaterThan(LONG - 10_000);
    expect(lease!.expiresAt - (await repos.leases.now())).toBeLessThanOrEqual(LONG);
  });

  it('one statement renews every lease of a node: one row written, whatever the number of cameras', async () => {
    // Each row's version (xmin changes when a row is written).
    const versions = async () => (await sql<{ v: string }>`select camera_id || ':' || xmin::text as v from camera_leases order by camera_id`.execute(db.kysely)).rows.map((r) => r.v);
    const before = await repos.leases.lease(cams[0]!);
    await new Promise((r) => setTimeout(r, 20));
    const v0 = await versions();
    expect(await repos.leases.renewNode({ id: 'a', url: null, capacity: 10 }, LONG)).toEqual({ continuous: true });
    expect(await versions()).toEqual(v0);
    const after = await repos.leases.lease(cams[0]!);
    expect(after!.expiresAt).toBeGreaterThan(before!.expiresAt);
    expect((await repos.leases.lease(cams[1]!))!.expiresAt).toBe(after!.expiresAt);
    expect(await repos.leases.heldBy('a')).toEqual([{ cameraId: cams[0], epoch: 1 }, { cameraId: cams[1], epoch: 1 }]);
  });

  it('when a node\'s lease runs out its cameras are taken with the next epoch, and its next renewal says so', async () => {
    // A renewal for no time at all: the node's lease, and so each of its camera leases, has run out.
    await repos.leases.renewNode({ id: 'a', url: null, capacity: 10 }, 0);
    expect((await repos.leases.lease(cams[1]!))!.expired).toBe(true);
    expect(await repos.leases.acquire('b', [cams[1]!])).toEqual([{ cameraId: cams[1], epoch: 2 }]);
    // Back, the node learns its lease had run out, and which cameras are still its own.
    expect(await repos.leases.renewNode({ id: 'a', url: null, capacity: 10 }, LONG)).toEqual({ continuous: false });
    expect(await repos.leases.heldBy('a')).toEqual([{ cameraId: cams[0], epoch: 1 }]);
    expect(await repos.leases.lease(cams[1]!)).toMatchObject({ nodeId: 'b', epoch: 2, expired: false });
    expect(await repos.leases.lease(cams[0]!)).toMatchObject({ nodeId: 'a', epoch: 1, expired: false });
  });

  it('a takeover waits for a renewal under way and then takes nothing renewed', async () => {
    // Node a's lease has run out; a takeover locks a's row, a's renewal waits for it, then hears its lease had lapsed.
    await repos.leases.renewNode({ id: 'a', url: null, capacity: 10 }, 0);
    let renewal!: Promise<{ continuous: boolean }>;
    await db.kysely.transaction().execute(async (trx) => {
      const lapsed = await sql<{ id: string }>`select id from recorder_nodes where lease_until <= (extract(epoch from clock_timestamp()) * 1000)::bigint for share`.execute(trx);
      expect(lapsed.rows.map((r) => r.id)).toContain('a');
      renewal = repos.leases.renewNode({ id: 'a', url: null, capacity: 10 }, LONG);
      const settled = await Promise.race([renewal.then(() => 'renewed'), new Promise((r) => setTimeout(() => r('waiting'), 300))]);
      expect(settled).toBe('waiting');
    });
    const renewed = await renewal;
    expect(renewed).toEqual({ continuous: false });
    // Renewed now (the lock is gone): a's leases are live again and a takeover takes none.
    expect(await repos.leases.acquire('b', [cams[0]!])).toEqual([]);
  });

  it('release frees a lease at once for the next node', async () => {
    await repos.leases.release('a', [{ cameraId: cams[0]!, epoch: 1 }]);
    expect(await repos.leases.lease(cams[0]!)).toMatchObject({ expired: true });
    await repos.leases.renewNode({ id: 'c', url: null, capacity: 10 }, LONG);
    expect(await repos.leases.acquire('c', [cams[0]!])).toEqual([{ cameraId: cams[0], epoch: 2 }]);
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
    // Only what was written is told on (the event stream): the stale event was not.
    expect(result.events).toEqual([]);
    // The current epoch's row is written; the stale one and the stale event are not.
    const rows = await repos.recordings.fragments(file.id);
    expect(rows.map((r) => r.seq)).toEqual([0]);
    expect(await repos.recordings.events(cams[1]!)).toEqual([]);
  });

  it('the placement digest stays while nothing changes and moves with cameras, priorities and leases', async () => {
    const f0 = await repos.leases.placementFingerprint();
    expect(await repos.leases.placementFingerprint()).toBe(f0);
    await repos.leases.renewNode({ id: 'c', url: null, capacity: 10 }, LONG);
    expect(await repos.leases.placementFingerprint()).toBe(f0);
    await repos.leases.setPriority(cams[2]!, 5);
    const f1 = await repos.leases.placementFingerprint();
    expect(f1).not.toBe(f0);
    expect(await repos.leases.acquire('c', [cams[2]!])).toEqual([{ cameraId: cams[2], epoch: 1 }]);
    const f2 = await repos.leases.placementFingerprint();
    expect(f2).not.toBe(f1);
    await repos.leases.release('c', [{ cameraId: cams[2]!, epoch: 1 }]);
    const f3 = await repos.leases.placementFingerprint();
    expect(f3).not.toBe(f2);
    await sql`update cameras set source_url = 'rtsp://127.0.0.1/moved' where id = ${cams[0]!}`.execute(db.kysely);
    const f4 = await repos.leases.placementFingerprint();
    expect(f4).not.toBe(f3);
    await sql`update cameras set status = 'out_of_service', updated_at = updated_at + 1 where id = ${cams[1]!}`.execute(db.kysely);
    expect(await repos.leases.placementFingerprint()).not.toBe(f4);
  });

  it('lists nodes alive while their lease runs, on the database clock', async () => {
    await repos.leases.renewNode({ id: 'a', url: null, capacity: 10 }, LONG);
    await repos.leases.renewNode({ id: 'b', url: 'http://127.0.0.1:1', capacity: 20 }, LONG);
    await repos.leases.leave('a');
    const nodes = await repos.leases.nodes();
    expect(nodes.map((n) => [n.id, n.alive, n.capacity])).toEqual([['a', false, 10], ['b', true, 20], ['c', true, 10]]);
  });
});
