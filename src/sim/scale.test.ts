// Fifty cameras from one simulator, all watched at once by our RtspClient: every camera delivers
// 25 frames a second and the simulator's cost stays modest (printed: its CPU and its encoder's).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { H264Depacketizer } from '../media/h264/depacketizer.js';
import { RtspClient } from '../media/rtsp/rtsp-client.js';
import { startSimulator, type Simulator } from './simulator.js';

const CAMERAS = 50;
let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ cameras: CAMERAS });
});
afterAll(async () => {
  await sim?.close();
});

/** CPU seconds (user + system) of a process so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

describe('simulator at scale', () => {
  it(`serves ${CAMERAS} cameras at once from one encoder`, async () => {
    const clients = sim.urls.map((url) => new RtspClient({ url, transport: 'tcp' }));
    const frames = new Array<number>(CAMERAS).fill(0);
    const damaged = new Array<number>(CAMERAS).fill(0);
    // Within the measured window, each camera's pictures by their own time (25 fps: 3,600 ticks).
    let measuring = false;
    const windows = Array.from({ length: CAMERAS }, () => ({ count: 0, first: 0, last: 0 }));
    clients.forEach((c, i) => {
      const depack = new H264Depacketizer();
      c.on('rtp', (p) => {
        for (const au of depack.push(p.packet)) {
          frames[i]!++;
          if (au.damaged) damaged[i]!++;
          if (!measuring) continue;
          const w = windows[i]!;
          if (w.count++ === 0) w.first = au.pts90k;
          w.last = au.pts90k;
        }
      });
    });
    await Promise.all(clients.map((c) => c.start()));
    // Measure once every camera has reached its first keyframe.
    await new Promise((r) => setTimeout(r, 1200));
    const startFrames = [...frames];
    const [encoderPid] = sim.encoders().pids;
    const cpu0 = process.cpuUsage();
    const enc0 = cpuSeconds(encoderPid!);
    const t0 = performance.now();
    measuring = true;
    await new Promise((r) => setTimeout(r, 4000));
    measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // The test process holds both ends here (server and 50 clients), so this is an upper bound.
    const bothEndsPct = ((cpu.user + cpu.system) / 1e6 / seconds) * 100;
    const encoderPct = ((cpuSeconds(encoderPid!) - enc0) / seconds) * 100;
    const rates = frames.map((f, i) => (f - startFrames[i]!) / seconds);
    await Promise.all(clients.map((c) => c.close()));
    process.stdout.write(
      `simulator, ${CAMERAS} cameras: encoder ${encoderPct.toFixed(1)} % of a core; server + ${CAMERAS} clients in this process ${bothEndsPct.toFixed(1)} %; ` +
        `frames/s per camera min ${Math.min(...rates).toFixed(1)} max ${Math.max(...rates).toFixed(1)}\n`,
    );
    // Judged by the pictures' own times, not by how many a busy machine let arrive in 4 s: every
    // camera was served in the window, and every picture between its first and last there came,
    // once, at 25 a second.
    for (const [i, w] of windows.entries()) {
      expect(w.count, `camera ${i + 1}`).toBeGreaterThan(1);
      expect((w.last - w.first) / 3600 + 1, `camera ${i + 1}: pictures by their times`).toBe(w.count);
    }
    expect(damaged.every((d) => d === 0)).toBe(true);
    expect(sim.encoders().running).toEqual(['live']);
    expect(encoderPct).toBeLessThan(100);
  }, 30_000);
});
