// Crash recovery on states a crash can leave, made from a real recording: an unindexed fragment
// and a torn one after the last indexed fragment, a file with no indexed fragment, and a file
// that no row names.
import { appendFile, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../domain/clock.js';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { recorderHarness, sleep, type RecorderHarness } from '../../test/support/recorder-harness.js';
import { verifyRecordings } from '../../test/support/recorder-verify.js';
import { recoverRecordings } from './recovery.js';
import { SegmentStore } from './segment-store/segment-store.js';

describe('crash recovery', () => {
  let sim: Simulator;
  let h: RecorderHarness;
  beforeAll(async () => {
    sim = await startSimulator({ cameras: 2, width: 320, height: 240, bitrateKbps: 300 });
    h = await recorderHarness(sim.urls);
    const recorder = h.recorder();
    await recorder.start();
    await sleep(3500);
    await recorder.close();
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  it('indexes complete fragments the crash left unindexed, trims the torn one, deletes unindexed files and orphans', async () => {
    const db = h.db.kysely;
    const [a, b] = h.cameraIds;
    const fileA = (await h.repos.recordings.files(a!))[0]!;
    const fileB = (await h.repos.recordings.files(b!))[0]!;
    const fragsA = await h.repos.recordings.fragments(fileA.id);
    expect(fragsA.length).toBeGreaterThanOrEqual(3);
    const lastA = fragsA[fragsA.length - 1]!;
    const keptA = fragsA[fragsA.length - 2]!;

    // A: its last fragment fsynced but never indexed, then half a fragment torn by the crash.
    await db.deleteFrom('recording_fragments').where('file_id', '=', fileA.id).where('seq', '=', lastA.seq).execute();
    await db.updateTable('recording_files').set({ closed: 0, ended_at: keptA.endMs, bytes: keptA.byteOffset + keptA.size }).where('id', '=', fileA.id).execute();
    const bytesA = await readFile(join(h.dataDir, fileA.path));
    await appendFile(join(h.dataDir, fileA.path), bytesA.subarray(lastA.byteOffset, lastA.byteOffset + Math.floor(lastA.size / 2)));
    // B: created, init written, nothing indexed yet.
    await db.deleteFrom('recording_fragments').where('file_id', '=', fileB.id).execute();
    await db.updateTable('recording_files').set({ closed: 0 }).where('id', '=', fileB.id).execute();
    // An orphan with our naming, and a file that is not ours.
    const day = new Date().toISOString().slice(0, 10);
    const orphan = join(h.dataDir, 'recordings', String(a), day, `${a}-${Date.now() + 5}.mp4`);
    await mkdir(join(h.dataDir, 'recordings', String(a), day), { recursive: true });
    await writeFile(orphan, bytesA.subarray(0, fileA.initSize));
    const notOurs = join(h.dataDir, 'recordings', String(a), day, 'README.txt');
    await writeFile(notOurs, 'operator notes');

    // The fragment that was durable but not yet indexed is indexed again, exactly as the recorder
    // had it (bytes, hash, samples; its time from the media timeline); the torn half and the
    // padding after it go.
    const tornSize = (await stat(join(h.dataDir, fileA.path))).size;
    const endA = lastA.byteOffset + lastA.size;
    expect(tornSize).toBeGreaterThanOrEqual(endA + Math.floor(lastA.size / 2));
    const report = await recoverRecordings(h.repos.recordings, new SegmentStore(h.dataDir), systemClock, h.logger);
    expect(report).toEqual({ closed: 1, trimmedBytes: tornSize - endA, reindexed: 1, deleted: 1, orphans: 1, damaged: 0, keptAside: 0 });

    const again = (await h.repos.recordings.fragments(fileA.id)).at(-1)!;
    expect(again).toMatchObject({ seq: lastA.seq, byteOffset: lastA.byteOffset, size: lastA.size, sha256: lastA.sha256, samples: lastA.samples, keyframe: lastA.keyframe });
    expect(again.startMs).toBe(keptA.endMs);
    expect(again.endMs - again.startMs).toBe(lastA.endMs - lastA.startMs);
    expect(await h.repos.recordings.file(fileA.id)).toMatchObject({ closed: true, endedAt: again.endMs, bytes: endA });
    expect((await readFile(join(h.dataDir, fileA.path))).length).toBe(endA);
    expect(await h.repos.recordings.file(fileB.id)).toBeUndefined();
    expect(existsSync(join(h.dataDir, fileB.path))).toBe(false);
    expect(existsSync(orphan)).toBe(false);
    expect(existsSync(notOurs)).toBe(true);
    await rm(notOurs); // the check below accepts only indexed files

    const v = await verifyRecordings(h.repos.recordings, h.dataDir, h.cameraIds, { requireClosed: true });
    expect(v.problems).toEqual([]);
    // Running it again finds nothing to do.
    expect(await recoverRecordings(h.repos.recordings, new SegmentStore(h.dataDir), systemClock, h.logger)).toEqual({ closed: 0, trimmedBytes: 0, reindexed: 0, deleted: 0, orphans: 0, damaged: 0, keptAside: 0 });
  }, 20_000);
});
