// The simulator's fault modes, recorded by the real recorder and decoded by real ffmpeg: each
// is named by ONE diagnostic cycle after it starts, and the healthy camera gets no finding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import type { Health } from '../../src/health/index.js';
import type { Recorder } from '../../src/recorder/recorder.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { adminActor } from '../support/auth.js';
import { recorderHarness, type RecorderHarness } from '../support/recorder-harness.js';
import { healthFor } from './support.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let sim: Simulator;
let h: RecorderHarness;
let recorder: Recorder;
let health: Health;

beforeAll(async () => {
  sim = await startSimulator({ cameras: 5, width: 640, height: 360, bitrateKbps: 1200, lingerMs: 300 });
  h = await recorderHarness(sim.urls);
  recorder = h.recorder({ fileSeconds: 120 });
  await recorder.start();
  health = healthFor({ repos: h.repos, dataDir: h.dataDir, clock: systemClock, settings: { grabTimeoutSeconds: 4 } });
  // Long enough for two keyframes two seconds apart in every camera's recording.
  const deadline = Date.now() + 20_000;
  for (const id of h.cameraIds) {
    while ((await h.repos.recordingIndex.latestKeyframes(id, 5)).length < 4 && Date.now() < deadline) await sleep(250);
  }
}, 60_000);

afterAll(async () => {
  await health?.close();
  await recorder?.close();
  await h?.close();
  await sim?.close();
});

describe('diagnostics against the simulator', () => {
  it('all healthy: no finding, and each camera gets its reference view', async () => {
    const report = await health.diagnostics.runCycle();
    expect(report.cameras).toBe(5);
    expect(report.results.map((r) => [r.cameraId, r.source, r.findings.map((f) => f.kind)])).toEqual(h.cameraIds.map((id) => [id, 'recording', []]));
    for (const id of h.cameraIds) expect(await h.repos.health.reference(id)).toBeDefined();
    expect(await h.repos.workOrders.workOrders({ limit: 10, offset: 0 })).toEqual([]);
  }, 30_000);

  it('drop, black, frozen and moved are each named in the next cycle; the healthy camera still has none', async () => {
    const [healthy, dropped, black, frozen, moved] = h.cameraIds as [number, number, number, number, number];
    sim.setFault('cam2', 'drop');
    sim.setFault('cam3', 'black');
    sim.setFault('cam4', 'frozen');
    sim.setFault('cam5', 'moved');
    // The fault pictures start at their encoder's next keyframe; then two seconds of them are recorded.
    await sleep(6000);
    const report = await health.diagnostics.runCycle();
    const kinds = new Map(report.results.map((r) => [r.cameraId, r.findings.map((f) => f.kind)]));
    expect(kinds.get(healthy)).toEqual([]);
    expect(kinds.get(dropped)).toEqual(['signal_loss']);
    expect(kinds.get(black)).toEqual(['too_dark']);
    expect(kinds.get(frozen)).toEqual(['frozen']);
    expect(kinds.get(moved)).toEqual(['scene_change']);
    const bySource = new Map(report.results.map((r) => [r.cameraId, r.source]));
    expect(bySource.get(dropped)).toBe('none');
    expect(bySource.get(black)).toBe('recording');

    // Each finding is kept with its snapshot, a JPEG ffmpeg wrote.
    for (const r of report.results.filter((x) => x.findings.length && x.source !== 'none')) {
      const jpeg = readFileSync(join(h.dataDir, ...r.snapshot!.split('/')));
      expect(jpeg.subarray(0, 3).toString('hex')).toBe('ffd8ff');
    }
    // Work orders for the maintainer, one per faulty camera; an outage is its own cause.
    const orders = await h.repos.workOrders.workOrders({ limit: 10, offset: 0 });
    expect(orders.map((o) => [o.camera_id, o.cause, o.state]).sort()).toEqual(
      [[dropped, 'offline', 'open'], [black, 'fault', 'open'], [frozen, 'fault', 'open'], [moved, 'fault', 'open']].sort(),
    );
    const alarms = await h.repos.health.alarms({ limit: 20 });
    expect(alarms.filter((a) => a.kind === 'finding' || a.kind === 'offline').map((a) => a.camera_id).sort()).toEqual([dropped, black, frozen, moved].sort());
  }, 40_000);

  it('after an approved move, the new view approved as reference: "moved" stops firing', async () => {
    const moved = h.cameraIds[4]!;
    const before = await h.repos.health.reference(moved);
    const approved = await health.diagnostics.approveView(adminActor({ adminId: 1 }), (await h.repos.health.watchedCameras()).find((c) => c.id === moved)!, 'relocation approved by the managing unit');
    expect(approved.diagnosticId).toBeGreaterThan(0);
    const after = await h.repos.health.reference(moved);
    expect(after).toMatchObject({ set_by: 1, reason: 'relocation approved by the managing unit' });
    expect(after!.signature).not.toBe(before!.signature);
    const report = await health.diagnostics.runCycle();
    expect(report.results.find((r) => r.cameraId === moved)!.findings.map((f) => f.kind)).toEqual([]);
  }, 30_000);
});
