// A camera whose RTP timestamps jump while its frames keep coming (an encoder restart, a bad
// clock): the recorded files never carry the jump. The file ends at the break and the next starts
// at a keyframe, every file's decode times step by one frame duration (ffprobe, a reader we did
// not write), and the break is an event that names its size.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { recorderHarness, sleep, type RecorderHarness } from '../../test/support/recorder-harness.js';
import { verifyRecordings } from '../../test/support/recorder-verify.js';

const run = promisify(execFile);

async function videoDts(path: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=dts_time', '-of', 'csv=p=0', path], { maxBuffer: 1 << 26 });
  return stdout.trim().split('\n').filter(Boolean).map(Number);
}

describe('a camera whose timestamps jump', () => {
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

  it('ends the file at the jump, keeps every file continuous, and records the jump', async () => {
    const recorder = h.recorder({ fragmentMaxMs: 500 });
    await recorder.start();
    const [cameraId] = h.cameraIds;
    const framesAt = async (n: number) => {
      while (recorder.sessions.get(cameraId!)!.stats.frames < n) await sleep(100);
    };
    await framesAt(50);
    sim.jumpClock(sim.names[0]!, 44_000);
    const after = recorder.sessions.get(cameraId!)!.stats.frames;
    await framesAt(after + 50);
    await recorder.close();

    const v = await verifyRecordings(h.repos.recordings, h.dataDir, h.cameraIds, { requireClosed: true });
    expect(v.problems).toEqual([]);
    expect(v.files.length).toBeGreaterThanOrEqual(2);
    for (const f of v.files) {
      const dts = await videoDts(join(h.dataDir, f.file.path));
      const steps = dts.slice(1).map((t, i) => t - dts[i]!);
      expect(Math.max(...steps), f.file.path).toBeLessThanOrEqual(2 * 0.04 + 0.001);
      expect(Math.min(...steps), f.file.path).toBeGreaterThan(0);
    }
    const jumps = (await h.repos.recordings.events(cameraId!)).filter((e) => e.kind === 'clock_jump' && /stepped \+4\d{4} ms/.test(e.detail ?? ''));
    expect(jumps).toHaveLength(1);
  }, 60_000);
});

// A camera whose sender reports step its wall clock back (its NTP client corrected the clock, or
// it caught up after running late) while its RTP timestamps run on: one connection's frames come
// one after another, so the index never gives two fragments the same instant, and fragments in
// wall-clock order are fragments in the order they were recorded (what playback plans from).
describe('a camera whose sender reports step its clock back', () => {
  let sim: Simulator;
  let h: RecorderHarness;
  beforeAll(async () => {
    sim = await startSimulator({ cameras: 1, width: 320, height: 240, bitrateKbps: 300, gop: 10, senderReportIntervalMs: 200 });
    h = await recorderHarness([sim.urls[0]!]);
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  it('keeps every fragment after the one before it, in the order it was recorded', async () => {
    const recorder = h.recorder({ fragmentMaxMs: 400 });
    await recorder.start();
    const [cameraId] = h.cameraIds;
    const framesAt = async (n: number) => {
      while (recorder.sessions.get(cameraId!)!.stats.frames < n) await sleep(100);
    };
    await framesAt(40);
    sim.shiftWallClock(sim.names[0]!, -1500);
    const after = recorder.sessions.get(cameraId!)!.stats.frames;
    await framesAt(after + 40);
    await recorder.close();

    const v = await verifyRecordings(h.repos.recordings, h.dataDir, h.cameraIds, { requireClosed: true });
    expect(v.problems).toEqual([]);
    const recorded = (await Promise.all(v.files.map((f) => h.repos.recordingIndex.fileFragments(f.file.id)))).flat();
    expect(recorded.length).toBeGreaterThan(4);
    const byTime = await h.repos.recordingIndex.fragments(cameraId!, 0, Number.MAX_SAFE_INTEGER, 10_000);
    expect(byTime.map((g) => `${g.fileId}/${g.seq}`)).toEqual(recorded.map((g) => `${g.fileId}/${g.seq}`));
    for (let i = 1; i < recorded.length; i++) {
      expect(recorded[i]!.startMs, `fragment ${i} starts after fragment ${i - 1} ends`).toBeGreaterThanOrEqual(recorded[i - 1]!.endMs);
    }
    // The sender reports did step back: the recorder saw it and moved fragments on.
    expect(h.logs.some((l) => typeof l.movedMs === 'number' && l.movedMs > 1000)).toBe(true);
  }, 60_000);
});
