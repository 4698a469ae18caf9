// A full recordings volume: no new fragment is written, the camera says so once (log and event),
// nothing recorded is touched, and writing resumes at a keyframe when there is room again.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { recorderHarness, sleep, type RecorderHarness } from '../../test/support/recorder-harness.js';
import { DiskGate } from './disk-gate.js';

describe('a full disk', () => {
  let sim: Simulator;
  let h: RecorderHarness;
  beforeAll(async () => {
    sim = await startSimulator({ cameras: 1, width: 320, height: 240, bitrateKbps: 300, gop: 12 });
    h = await recorderHarness([sim.urls[0]!]);
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  it('stops new fragments, keeps what was written, says so once, and resumes with room', async () => {
    let full = false;
    const recorder = h.recorder({ fragmentMaxMs: 500 }, {}, { acceptingWrites: () => !full });
    await recorder.start();
    await sleep(3000);
    const [cameraId] = h.cameraIds;
    const before = await h.repos.recordings.fragments(((await h.repos.recordings.files(cameraId!))[0]!).id);
    expect(before.length).toBeGreaterThan(0);
    const file = (await h.repos.recordings.files(cameraId!))[0]!;
    const last = before.at(-1)!;

    full = true;
    await sleep(2500);
    const duringFragments = (await h.repos.recordings.fragments(file.id)).length;
    await sleep(2000);
    // Nothing more is indexed or written while the disk is full (one fragment may have been in
    // flight); the file ends with its last written fragment (so what was lost is a gap between
    // files, not a hole in one), and everything it held is kept.
    expect((await h.repos.recordings.fragments(file.id)).length).toBe(duringFragments);
    expect(statSync(join(h.dataDir, file.path)).size).toBeGreaterThanOrEqual(last.byteOffset + last.size);
    expect((await h.repos.recordings.files(cameraId!))[0]!.closed).toBe(true);
    const errors = (await h.repos.recordings.events(cameraId!)).filter((e) => e.kind === 'error' && /DISK_FULL/.test(e.detail ?? ''));
    expect(errors).toHaveLength(1);
    expect(h.logs.filter((l) => l.msg === 'recording storage full: new fragments are not written; everything recorded is kept')).toHaveLength(1);

    full = false;
    await sleep(3000);
    await recorder.close();
    const files = await h.repos.recordings.files(cameraId!);
    const total = (await Promise.all(files.map((f) => h.repos.recordings.fragments(f.id)))).flat().length;
    expect(total).toBeGreaterThan(duringFragments);
    expect(h.logs.some((l) => l.msg === 'recording storage has room again: writing resumes')).toBe(true);
  }, 60_000);

  it('reads the volume against the full threshold', async () => {
    let free = 10;
    const gate = new DiskGate(h.dataDir, h.logger, { warning: 0.85, critical: 0.9, full: 0.95 }, 1000, async () => ({ freeBytes: free, totalBytes: 100 }));
    expect(await gate.check()).toBe(true);
    free = 4;
    expect(await gate.check()).toBe(false);
    expect(gate.acceptingWrites()).toBe(false);
    free = 30;
    expect(await gate.check()).toBe(true);
  });
});
