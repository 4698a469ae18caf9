// A live grab reads the camera through the guarded ingest source, never by handing ffmpeg an
// address: the simulator's picture arrives when its endpoint is allowed, and nothing is opened
// when it is not.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/config.schema.js';
import { SourceGuard } from '../ingest/source-guard.js';
import { startSimulator, type Simulator } from '../sim/simulator.js';
import { grabFromLive, SAMPLE_HEIGHT, SAMPLE_WIDTH } from './frame-grab.js';

const NETWORKS = configSchema.parse({}).media.cameraNetworks;
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ cameras: 1, width: 640, height: 360, bitrateKbps: 800 });
});
afterAll(async () => {
  await sim?.close();
});

describe('live frame grab', () => {
  it('decodes keyframes piped from the guarded RTSP source', async () => {
    const guard = new SourceGuard({ fileRoots: [], dataDir: null, networks: NETWORKS });
    const u = new URL(sim.urls[0]!);
    guard.allowEndpoint(u.hostname, Number(u.port));
    const r = await grabFromLive(sim.urls[0]!, { frames: 2, snapshotPath: null, timeoutMs: 20_000 }, guard);
    expect(r.pictures).toHaveLength(2);
    expect(r.pictures[0]).toMatchObject({ width: SAMPLE_WIDTH, height: SAMPLE_HEIGHT });
  }, 60_000);

  it('refuses a camera outside the camera networks: its port sees no connection', async () => {
    let connections = 0;
    const server = createServer((c) => {
      connections++;
      c.destroy();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const guard = new SourceGuard({ fileRoots: [], dataDir: null, networks: NETWORKS });
      await expect(grabFromLive(`rtsp://127.0.0.1:${port}/x`, { frames: 1, snapshotPath: null, timeoutMs: 5000 }, guard)).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
      await expect(grabFromLive(`rtsp://localhost:${port}/x`, { frames: 1, snapshotPath: null, timeoutMs: 5000 }, guard)).rejects.toMatchObject({ code: 'SOURCE_NOT_ALLOWED' });
      expect(connections).toBe(0);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
