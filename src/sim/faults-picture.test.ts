// The picture fault modes (black, frozen, moved) as ffmpeg decodes them, switched through the
// HTTP control endpoint.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameDifference, grabFrames, meanLuma } from '../../test/support/sim-frames.js';
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

describe('simulator fault modes: pictures', () => {
  it('black: a black picture (mean luma ≈ 16) from an encoder that runs only while needed', async () => {
    expect(sim.encoders().running).toEqual(['live']);
    await setFault('cam1', 'black');
    await sleep(1500);
    expect(sim.encoders().running).toContain('black');
    const [frame] = await grabFrames(sim.urls[0]!, 1);
    expect(Math.abs(meanLuma(frame!) - 16)).toBeLessThan(1.5);
    await setFault('cam1', 'none');
    await sleep(1500);
    expect(meanLuma((await grabFrames(sim.urls[0]!, 1))[0]!)).toBeGreaterThan(60);
    expect(sim.encoders().running).toEqual(['live']);
  }, 30_000);

  it('frozen: consecutive frames are the same picture, where the live one moves', async () => {
    const live = await grabFrames(sim.urls[0]!, 20, 3);
    const liveChange = frameDifference(live[0]!, live[19]!);
    await setFault('cam1', 'frozen');
    await sleep(1500);
    const frozen = await grabFrames(sim.urls[0]!, 20, 3);
    const frozenChange = frameDifference(frozen[0]!, frozen[19]!);
    expect(frozenChange).toBeLessThan(0.5);
    expect(liveChange).toBeGreaterThan(frozenChange * 4 + 0.5);
    await setFault('cam1', 'none');
  }, 30_000);

  it('moved: another view of the scene than the normal picture', async () => {
    await setFault('cam2', 'moved');
    await sleep(1500);
    const [[normal], [moved]] = await Promise.all([grabFrames(sim.urls[0]!, 1), grabFrames(sim.urls[1]!, 1)]);
    const [, later] = await grabFrames(sim.urls[0]!, 2, 0);
    const byTime = frameDifference(normal!, later!);
    const byView = frameDifference(normal!, moved!);
    expect(byView).toBeGreaterThan(20);
    expect(byView).toBeGreaterThan(byTime * 3);
    await setFault('cam2', 'none');
  }, 30_000);
});
