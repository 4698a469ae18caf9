// Recovery of a file whose camera another node took over while its last fragments were on disk
// but not indexed (issue 22), on both dialects, from a real recording: the refused fragments are
// kept aside in a file of their own and registered, not indexed into the recording nor lost.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DialectName } from '../db/database.js';
import { systemClock } from '../domain/clock.js';
import { scanFragments } from '../media/fmp4/scan.js';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { recorderHarness, sleep, type RecorderHarness } from '../../test/support/recorder-harness.js';
import { recoverRecordings } from './recovery.js';
import { SegmentStore } from './segment-store/segment-store.js';

describe.each(['sqlite', 'postgres'] as DialectName[])('the register of kept footage (%s)', (dialect) => {
  it('registers a kept file once, however often it is registered, and lists a camera\'s oldest first', async () => {
    const h = await recorderHarness([null, null], { dialect });
    try {
      const [a, b] = h.cameraIds;
      const base = { nodeId: 'n1', epoch: 2, sourcePath: 'recordings/1/d/1-1.mp4', fragments: 3, bytes: 900, sha256: 'a'.repeat(64), overlapsHolder: false, keptAt: 5 };
      const first = await h.repos.fencedFootage.register({ ...base, cameraId: a!, path: 'fenced/1/epoch-2-1-2.mp4', startMs: 2000, endMs: 3000 });
      await h.repos.fencedFootage.register({ ...base, cameraId: a!, path: 'fenced/1/epoch-2-1-1.mp4', startMs: 1000, endMs: 2000, overlapsHolder: true });
      await h.repos.fencedFootage.register({ ...base, cameraId: b!, path: 'fenced/2/epoch-2-2-1.mp4', startMs: 1000, endMs: 2000 });
      expect(await h.repos.fencedFootage.register({ ...base, cameraId: a!, path: 'fenced/1/epoch-2-1-2.mp4', startMs: 2000, endMs: 3000 })).toEqual(first);
      const mine = await h.repos.fencedFootage.list(a!);
      expect(mine.map((k) => [k.path, k.overlapsHolder])).toEqual([['fenced/1/epoch-2-1-1.mp4', true], ['fenced/1/epoch-2-1-2.mp4', false]]);
      expect(first).toMatchObject({ ...base, cameraId: a, startMs: 2000, endMs: 3000 });
      expect(await h.repos.fencedFootage.list()).toHaveLength(3);
    } finally {
      await h.close();
    }
  });
});

// Leases exist on PostgreSQL only (one SQLite process records every camera): so does fencing.
describe.each(['postgres'] as DialectName[])('fragments refused for a lost lease, kept aside at recovery (%s)', (dialect) => {
  let sim: Simulator;
  let h: RecorderHarness;
  beforeAll(async () => {
    sim = await startSimulator({ cameras: 2, width: 320, height: 240, bitrateKbps: 300 });
    h = await recorderHarness(sim.urls, { dialect });
    const recorder = h.recorder({ fragmentMaxMs: 500 });
    await recorder.start();
    await sleep(4000);
    await recorder.close();
  }, 60_000);
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  it('copies the init segment and the refused fragments to fenced/, registers them, and cuts the recording back', async () => {
    const db = h.db.kysely;
    const [a, b] = h.cameraIds;
    // Camera a was recorded by node n1 under epoch 3; its last two fragments never reached the
    // index; n2 holds it now under epoch 4 and its footage begins inside the refused ones' time.
    const file = (await h.repos.recordings.files(a!))[0]!;
    const frags = await h.repos.recordings.fragments(file.id);
    expect(frags.length).toBeGreaterThanOrEqual(4);
    const refused = frags.slice(-2);
    const kept = frags.at(-3)!;
    await db.updateTable('recording_files').set({ node_id: 'n1', epoch: 3 }).where('camera_id', '=', a!).execute();
    await db.updateTable('recording_files').set({ closed: 0, ended_at: kept.endMs, bytes: kept.byteOffset + kept.size }).where('id', '=', file.id).execute();
    await db.updateTable('recording_fragments').set({ epoch: 3 }).where('camera_id', '=', a!).execute();
    await db.deleteFrom('recording_fragments').where('file_id', '=', file.id).where('seq', '>=', refused[0]!.seq).execute();
    await db.insertInto('camera_leases').values({ camera_id: a!, node_id: 'n2', epoch: 4, expires_at: Date.now() + 60_000, acquired_at: Date.now(), successor_ready: 0 }).execute();
    const other = (await h.repos.recordings.files(b!))[0]!;
    const holder = await h.repos.recordings.createFile({ cameraId: a!, path: `recordings/${a}/x/${a}-1.mp4`, codec: other.codec, width: 1, height: 1, initSize: 10, startedAt: refused[1]!.startMs });
    await db.updateTable('recording_files').set({ epoch: 4, node_id: 'n2', closed: 1 }).where('id', '=', holder.id).execute();
    await h.repos.recordings.commit({ fragments: [{ fileId: holder.id, cameraId: a!, seq: 1, byteOffset: 10, size: 1, startMs: refused[1]!.startMs, endMs: refused[1]!.endMs + 500, keyframe: true, samples: 1, sha256: 'x'.repeat(64), epoch: 4 }], events: [], fileProgress: [] });
    // Camera b stays this node's: recovery leaves it to the node (and recovers it as always).
    await db.updateTable('recording_files').set({ node_id: 'n1' }).where('camera_id', '=', b!).execute();

    const onDisk = await readFile(join(h.dataDir, file.path));
    const tailEnd = refused[1]!.byteOffset + refused[1]!.size;
    const want = Buffer.concat([onDisk.subarray(0, file.initSize), onDisk.subarray(refused[0]!.byteOffset, tailEnd)]);

    const report = await recoverRecordings(h.repos.recordings, new SegmentStore(h.dataDir), systemClock, h.logger, 'n1', h.repos.fencedFootage);
    expect(report.keptAside).toBe(1);
    const [row, ...more] = await h.repos.fencedFootage.list(a!);
    expect(more).toEqual([]);
    expect(row).toMatchObject({ cameraId: a, nodeId: 'n1', epoch: 3, sourcePath: file.path, fragments: 2, bytes: want.length, overlapsHolder: true });
    expect(row!.path.startsWith(`fenced/${a}/`)).toBe(true);
    const body = await readFile(join(h.dataDir, row!.path));
    expect(body.equals(want)).toBe(true);
    expect(row!.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    const scan = await scanFragments(body);
    expect(scan.fragments.map((f) => f.length)).toEqual(refused.map((f) => f.size));
    expect(row!.startMs).toBe(kept.endMs);
    expect(row!.endMs).toBeGreaterThan(row!.startMs);
    // The recording is what the index says: cut back, closed, no row of epoch 3 added.
    expect((await stat(join(h.dataDir, file.path))).size).toBe(kept.byteOffset + kept.size);
    expect(await h.repos.recordings.file(file.id)).toMatchObject({ closed: true, bytes: kept.byteOffset + kept.size });
    expect((await h.repos.recordings.fragments(file.id)).length).toBe(frags.length - 2);
    const events = await h.repos.recordings.events(a!, 'error');
    expect(events.filter((e) => e.detail?.startsWith('FENCED: 2 fragment(s) node n1 wrote under lost lease epoch 3') && e.detail.includes(row!.path) && e.detail.includes('overlap'))).toHaveLength(1);
    // The kept file is not an orphan to the next recovery's sweep, and nothing is kept twice.
    const again = await recoverRecordings(h.repos.recordings, new SegmentStore(h.dataDir), systemClock, h.logger, 'n1', h.repos.fencedFootage);
    expect(again.keptAside).toBe(0);
    expect(await readFile(join(h.dataDir, row!.path))).toEqual(body);
  }, 60_000);
});
