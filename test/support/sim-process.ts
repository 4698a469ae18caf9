// The camera simulator in a process of its own (test/support/recorder-sim.ts), so a benchmark
// can leave its CPU out of what it measures.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { testChildEntry } from './vigil-entry.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * `picture`: the cameras' size and bitrate (the simulator's defaults otherwise: 1280×720, 3,000
 * kbit/s). `staggerGops`: the cameras' GOPs start spread over one GOP (SimulatorOptions.staggerGops).
 * `keyframeOnDemand`: the cameras answer keyframe requests and are ONVIF devices on the control
 * endpoint, whose address is then given (SimulatorOptions.keyframeOnDemand).
 */
export async function startSimProcess(n: number, picture?: { width: number; height: number; bitrateKbps: number }, staggerGops = false, keyframeOnDemand = false): Promise<{ urls: string[]; controlUrl?: string; pid: number; child: ChildProcess; stderr(): string; stop(): Promise<void> }> {
  const args = [...(picture ? [String(picture.width), String(picture.height), String(picture.bitrateKbps)] : []), ...(staggerGops ? ['--stagger-gops'] : []), ...(keyframeOnDemand ? ['--keyframe-on-demand'] : [])];
  const child = spawn(process.execPath, [...testChildEntry(join(ROOT, 'test/support/recorder-sim.ts')), String(n), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-8000);
  });
  const started = await new Promise<string[] | { urls: string[]; controlUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start: ${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('\n')) return;
      clearTimeout(timer);
      resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as string[] | { urls: string[]; controlUrl: string });
    });
    child.once('exit', () => reject(new Error(`simulator exited: ${err}`)));
  });
  const urls = Array.isArray(started) ? started : started.urls;
  return {
    urls,
    ...(Array.isArray(started) ? {} : { controlUrl: started.controlUrl }),
    pid: child.pid!,
    child,
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      // A simulator too starved to handle SIGTERM in time is killed.
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Simulated cameras served by several processes (each its own encoder and RTSP server). */
export interface SimProcesses {
  urls: string[];
  /** The simulator processes' ids (their ffmpeg encoders are their children). */
  pids: number[];
  children: ChildProcess[];
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * `n` cameras over `processes` simulator processes, as evenly as they divide: one Node process
 * serves a few hundred 3 Mbit/s cameras on one core, so past that the simulator, not the
 * recorder, would set the limit of a benchmark. Each process runs its own live encoder.
 */
export async function startSimProcesses(n: number, processes: number, staggerGops = false): Promise<SimProcesses> {
  const k = Math.max(1, Math.min(n, Math.floor(processes)));
  const started: Awaited<ReturnType<typeof startSimProcess>>[] = [];
  try {
    for (let i = 0; i < k; i++) started.push(await startSimProcess(Math.floor(n / k) + (i < n % k ? 1 : 0), undefined, staggerGops));
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }
  return {
    urls: started.flatMap((s) => s.urls),
    pids: started.map((s) => s.pid),
    children: started.map((s) => s.child),
    stderr: () => started.map((s, i) => (s.stderr().trim() ? `simulator ${i + 1}: ${s.stderr().trim()}\n` : '')).join(''),
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
