// A camera put in service in this process is recorded at once: the recorder follows the
// registry's change event, not its poll (set here to an hour, so only the event can start it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../domain/clock.js';
import { CameraChanges } from '../registry/camera-changes.js';
import { Recorder } from './recorder.js';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { recorderHarness, sleep, type RecorderHarness } from '../../test/support/recorder-harness.js';
import { testSources } from '../../test/support/sources.js';

describe('the recorder and camera changes', () => {
  let sim: Simulator;
  let h: RecorderHarness;
  beforeAll(async () => {
    sim = await startSimulator({ cameras: 1, width: 320, height: 240, bitrateKbps: 300 });
    h = await recorderHarness([null]); // in service, no stream address yet: nothing to record
  }, 30_000);
  afterAll(async () => {
    await h?.close();
    await sim?.close();
  });

  it('starts recording a camera as soon as a change makes it recordable', async () => {
    const changes = new CameraChanges();
    const recorder = new Recorder(
      { dataDir: h.dataDir, settings: { fileSeconds: 600, fragmentMaxMs: 1000, reconnectMinMs: 200, reconnectMaxMs: 1000, staggerMs: 0 }, repo: h.repos.recordings, clock: systemClock, logger: h.logger, sources: testSources(h.dataDir), cameraChanges: changes },
      { refreshMs: 3_600_000 },
    );
    await recorder.start();
    const [id] = h.cameraIds;
    expect(recorder.sessions.size).toBe(0);
    await h.db.kysely.updateTable('cameras').set({ source_url: sim.urls[0]! }).where('id', '=', id!).execute();
    changes.changed([id!]);
    while (!(recorder.sessions.get(id!)?.stats.frames ?? 0)) await sleep(50);
    expect(recorder.sessions.get(id!)!.camera.sourceUrl).toBe(sim.urls[0]);
    await recorder.close();
  }, 30_000);
});
