// The connection fault modes (drop, stall) as a client sees them, switched through the HTTP
// control endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grabFrames } from '../../test/support/sim-frames.js';
import { RtspClient } from '../media/rtsp/rtsp-client.js';
import type { RtspError } from '../media/rtsp/errors.js';
import { startSimulator, type Simulator } from './simulator.js';

let sim: Simulator;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  sim = await startSimulator({ cameras: 3, controlPort: 0, lingerMs: 300 });
});
afterAll(async () => {
  await sim?.close();
});

async function setFault(name: string, mode: string): Promise<Response> {
  return fetch(`${sim.controlUrl}/cameras/${name}/fault`, { method: 'POST', body: JSON.stringify({ mode }) });
}

async function playing(url: string) {
  const client = new RtspClient({ url, stallTimeoutMs: 60_000 });
  let packets = 0;
  let closed = false;
  const errors: RtspError[] = [];
  client.on('rtp', () => packets++);
  client.on('error', (e) => errors.push(e));
  client.on('close', () => (closed = true));
  await client.start();
  return { client, errors, packets: () => packets, closed: () => closed };
}

describe('simulator fault modes: connections', () => {
  it('answers the control endpoint with typed errors for unknown cameras and modes', async () => {
    expect((await setFault('cam99', 'drop')).status).toBe(404);
    const bad = await setFault('cam1', 'melt');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'SIM_FAULT' });
    const list = (await (await fetch(`${sim.controlUrl}/cameras`)).json()) as { name: string; fault: string }[];
    expect(list.map((c) => [c.name, c.fault])).toEqual([['cam1', 'none'], ['cam2', 'none'], ['cam3', 'none']]);
  });

  it('drop: closes the viewers\' connections and refuses new ones until restored', async () => {
    const viewer = await playing(sim.urls[1]!);
    await sleep(1500);
    expect(viewer.packets()).toBeGreaterThan(0);
    expect((await setFault('cam2', 'drop')).status).toBe(200);
    await sleep(300);
    expect(viewer.closed()).toBe(true);
    const refused = new RtspClient({ url: sim.urls[1]! });
    await expect(refused.start()).rejects.toMatchObject({ code: 'RTSP_STATUS', rtspStatus: 404 });
    await refused.close();
    // Other cameras are untouched.
    expect((await grabFrames(sim.urls[0]!, 1)).length).toBe(1);
    await setFault('cam2', 'none');
    expect((await grabFrames(sim.urls[1]!, 1)).length).toBe(1);
    await viewer.client.close();
  }, 30_000);

  it('stall: keeps the connection but sends no packets, then resumes', async () => {
    const viewer = await playing(sim.urls[2]!);
    await sleep(1500);
    expect(viewer.packets()).toBeGreaterThan(0);
    await setFault('cam3', 'stall');
    await sleep(200);
    const before = viewer.packets();
    await sleep(1500);
    expect(viewer.packets()).toBe(before);
    expect(viewer.closed()).toBe(false);
    await setFault('cam3', 'none');
    await sleep(500);
    expect(viewer.packets()).toBeGreaterThan(before);
    await viewer.client.close();
  }, 30_000);
});
