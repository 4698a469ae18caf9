// The I/O half of domain/job-holder.ts: this process's name as the holder of the jobs it runs
// (host, process id, a random part), whether a process id runs on this host, and the heartbeat
// that renews a service's jobs and looks for those of stopped processes.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';

export function processHolder(host = hostname(), pid = process.pid): string {
  return `${host}:${pid}:${randomBytes(4).toString('hex')}`;
}

/** This process as a holder: its name, its host, and how a process of this host is known to run. */
export function thisProcess(heartbeatMs = 5000): { self: string; host: string; heartbeatMs: number; pidAlive(pid: number): boolean } {
  return { self: processHolder(), host: hostname(), heartbeatMs, pidAlive: pidAliveHere };
}

/** Whether a process of this id runs on this host (signal 0 is sent to nobody; EPERM: it runs as another user). */
export function pidAliveHere(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Runs `beat` every `ms` (the timer keeps no process alive), never two at once; `stop` waits for the one under way. */
export function everyBeat(ms: number, beat: () => Promise<unknown>, onError: (err: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = beat().catch(onError).finally(() => (running = undefined));
  }, ms);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
