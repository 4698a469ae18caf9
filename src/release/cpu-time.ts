// CPU seconds from Linux's /proc, for saying where masking's time goes independently of how busy
// the machine is (on a shared machine the wall clock measures the others' work too). Each reader
// returns NaN where /proc is not there.
import { readFileSync } from 'node:fs';

const TICKS = 100;

/** utime, stime, cutime, cstime of a /proc stat line, in seconds. */
function fields(path: string): number[] {
  try {
    const stat = readFileSync(path, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return [11, 12, 13, 14].map((i) => Number(f[i]) / TICKS);
  } catch {
    return [NaN, NaN, NaN, NaN];
  }
}

/** This process, every thread of it. */
export function processCpuSeconds(): number {
  const [u, s] = fields('/proc/self/stat');
  return u! + s!;
}

/** Child processes that have ended and been waited for (an ffmpeg is counted once it closes). */
export function childrenCpuSeconds(): number {
  const [, , cu, cs] = fields('/proc/self/stat');
  return cu! + cs!;
}

/** The calling thread alone (the main thread, or a worker thread asking for itself). */
export function threadCpuSeconds(): number {
  const [u, s] = fields('/proc/thread-self/stat');
  return u! + s!;
}
