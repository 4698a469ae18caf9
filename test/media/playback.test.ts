// Playback in Debian's Chromium of what the real recorder wrote from the real simulator: seeking
// to a wall-clock instant inside the second file shows the frame recorded at that instant — the
// canvas capture is compared with every frame ffmpeg decodes from the original file — and the
// fragments served are the bytes on disk. The timeline reports the recording and its coverage.
import { correlation, decodeGrey } from '../support/frame-compare.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import type { RecordingFile } from '../../src/db/recording.repository.js';
import { launchBrowser } from '../support/browser.js';
import { sleep } from '../support/recorder-harness.js';
import { startMediaServer, type ApiClient, type MediaServer } from './media-server.js';
import { preparePage } from './page.js';

const W = 160;
const H = 90;

let sim: Simulator;
let server: MediaServer;
let browser: Browser;
let page: Page;
let operator: ApiClient;
let files: RecordingFile[];
let cameraId: number;

beforeAll(async () => {
  sim = await startSimulator({ cameras: 1 });
  server = await startMediaServer(sim.urls);
  cameraId = server.harness.cameraIds[0]!;
  const recorder = server.harness.recorder({ fileSeconds: 3, fragmentMaxMs: 2000 });
  await recorder.start();
  await sleep(8000);
  await recorder.close();
  files = (await server.harness.repos.recordings.files(cameraId)).filter((f) => f.bytes > f.initSize);
  operator = await server.client('operator', 'duty_operator', 'cameras');
  browser = await launchBrowser();
  page = await browser.newPage();
  await preparePage(page, server.url);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sim?.close();
});

describe('playback by wall-clock time', () => {
  it('recorded several files', () => {
    expect(files.length).toBeGreaterThanOrEqual(2);
  });

  it('seeking to an instant in the second file shows the frame recorded at that instant', async () => {
    const file = files[1]!;
    const fragments = await server.harness.repos.recordings.fragments(file.id);
    const target = fragments[0]!.startMs + 1320; // mid-GOP: decoding must start at the keyframe before it
    const token = await operator.streamToken(cameraId, 'playback', { from: files[0]!.startedAt, to: files[files.length - 1]!.endedAt });
    const res = await fetch(`${server.url}/api/v1/playback/${cameraId}?from=${new Date(target).toISOString()}&token=${token}`);
    expect(res.status).toBe(200);
    const plan = (await res.json()) as { playlistUrl: string; offsetS: number; startMs: number; segments: { fileId: number; seq: number; keyframe: boolean; startMs: number; url: string; sha256: string }[]; requestedInGap: boolean };
    expect(plan.requestedInGap).toBe(false);
    expect(plan.segments[0]!.keyframe).toBe(true);
    expect(plan.segments[0]!.fileId).toBe(file.id);
    expect(plan.startMs).toBeLessThanOrEqual(target);
    expect(plan.offsetS).toBeCloseTo((target - plan.startMs) / 1000, 3);
    // Continuous across files: the plan runs on into the third file when there is one.
    if (files.length > 2) expect(plan.segments.some((s) => s.fileId === files[2]!.id)).toBe(true);

    // The first fragment is served byte for byte as it lies in the file.
    const fragRes = await fetch(`${server.url}${plan.segments[0]!.url}`);
    const bytes = Buffer.from(await fragRes.arrayBuffer());
    if (fragRes.status !== 200) throw new Error(`${fragRes.status} ${bytes.toString()} ${plan.segments[0]!.url}`);
    const served = fragments.find((f) => f.seq === plan.segments[0]!.seq)!;
    expect(served.startMs).toBeLessThanOrEqual(target);
    const onDisk = readFileSync(join(server.harness.dataDir, file.path)).subarray(served.byteOffset, served.byteOffset + served.size);
    expect(bytes.equals(onDisk)).toBe(true);

    const shown = (await page.evaluate(`(async () => {
      const v = document.createElement('video'); v.muted = true; document.body.append(v);
      const hls = new Hls({ startPosition: ${plan.offsetS} });
      hls.loadSource(${JSON.stringify(plan.playlistUrl)}); hls.attachMedia(v);
      await new Promise((r, f) => { v.addEventListener('seeked', r, { once: true }); v.addEventListener('canplay', r, { once: true }); setTimeout(() => f(new Error('no picture')), 8000); });
      v.pause();
      if (Math.abs(v.currentTime - ${plan.offsetS}) > 0.001) { v.currentTime = ${plan.offsetS}; await new Promise((r) => { v.addEventListener('seeked', r, { once: true }); setTimeout(r, 3000); }); }
      await new Promise((r) => setTimeout(r, 300));
      return { t: v.currentTime, grey: greyOf(v, ${W}, ${H}) };
    })()`)) as { t: number; grey: number[] };
    expect(shown.t).toBeCloseTo(plan.offsetS, 2);

    const decoded = await decodeGrey(join(server.harness.dataDir, file.path), W, H);
    const scores = decoded.map((f) => correlation(f, shown.grey));
    const best = scores.indexOf(Math.max(...scores));
    const frameMs = 40;
    // The frame recorded at the instant: the served keyframe fragment's first frame (counted in
    // the file) plus the frames from its start to the instant.
    const framesBefore = fragments.filter((f) => f.seq < served.seq).reduce((n, f) => n + f.samples, 0);
    const expected = framesBefore + Math.floor((target - served.startMs) / frameMs + 1e-6);
    expect(Math.abs(best - expected)).toBeLessThanOrEqual(1);
    expect(scores[best]!).toBeGreaterThan(0.9);
    // The picture moves: frames a fifth of a second away match clearly worse.
    expect(scores[best - 5]!).toBeLessThan(scores[best]! - 0.02);
    expect(scores[best + 5]!).toBeLessThan(scores[best]! - 0.02);
  });

  it('the timeline shows the recording with its coverage, and refuses an operator of another unit', async () => {
    const from = files[0]!.startedAt - 60_000;
    const to = files[files.length - 1]!.endedAt;
    const res = await fetch(`${server.url}/api/v1/timeline/${cameraId}?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${operator.bearer}` } });
    expect(res.status).toBe(200);
    const t = (await res.json()) as { ranges: { startMs: number; endMs: number }[]; gaps: unknown[]; coveragePct: number; recordedMs: number };
    expect(t.ranges).toEqual([{ startMs: files[0]!.startedAt, endMs: to }]);
    expect(t.recordedMs).toBe(to - files[0]!.startedAt);
    expect(t.coveragePct).toBeCloseTo((100 * (to - files[0]!.startedAt)) / (to - from), 1);
    expect(t.gaps).toEqual([{ startMs: from, endMs: files[0]!.startedAt }]);
    expect(t).toMatchObject({ keptAside: [] });
    const outsider = await server.client('outsider', 'duty_operator', 'elsewhere');
    const refused = await fetch(`${server.url}/api/v1/timeline/${cameraId}?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${outsider.bearer}` } });
    expect(refused.status).toBe(404);
  });

  it('the timeline shows footage kept aside after a lost lease, apart from the recording', async () => {
    const f = files[1]!;
    await server.harness.repos.fencedFootage.register({
      cameraId, nodeId: 'n1', epoch: 3, sourcePath: f.path, path: `fenced/${cameraId}/epoch-3-x.mp4`, startMs: f.startedAt + 500, endMs: f.startedAt + 1500,
      fragments: 1, bytes: 1000, sha256: '0'.repeat(64), overlapsHolder: true, keptAt: Date.now(),
    });
    const from = files[0]!.startedAt;
    const to = files[files.length - 1]!.endedAt;
    const res = await fetch(`${server.url}/api/v1/timeline/${cameraId}?from=${from}&to=${to}`, { headers: { authorization: `Bearer ${operator.bearer}` } });
    const t = (await res.json()) as { ranges: unknown[]; keptAside: unknown[] };
    expect(t.keptAside).toEqual([{ startMs: f.startedAt + 500, endMs: f.startedAt + 1500, node: 'n1', epoch: 3, overlapsRecording: true }]);
    // Not part of the recording: the recorded ranges are what they were.
    expect(t.ranges).toEqual([{ startMs: from, endMs: to }]);
    // Outside the asked span it is not listed.
    const before = await fetch(`${server.url}/api/v1/timeline/${cameraId}?from=${from - 60_000}&to=${from}`, { headers: { authorization: `Bearer ${operator.bearer}` } });
    expect(((await before.json()) as { keptAside: unknown[] }).keptAside).toEqual([]);
  });
});
