// The I/O half of domain/job-holder.ts: this process's name as the holder of the jobs it runs
// (host, process id, a random part), whether a process id runs on this host, and the heartbeat
// that renews a service's jobs and looks for those of stopped processes.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { HolderCheck } from './domain/job-holder.js';

export function processHolder(host = hostname(), pid = process.pid): string {
  return `${host}:${pid}:${randomBytes(4).toString('hex')}`;
}

/** This process as a holder: its name, its host, and how a process of this host is known to run. */
export function thisProcess(): HolderCheck {
  return { self: processHolder(), host: hostname(), heartbeatMs: 5000, pidAlive: pidAliveHere };
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

/**
 * Every `ms` (the timer keeps no process alive): the service renews the jobs it runs, then looks
 * for those of stopped processes. Never two beats at once; `stop` waits for the one under way.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly ms: number, private readonly beat: () => Promise<unknown>, private readonly onError: (err: unknown) => void) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.running ??= this.beat().catch(this.onError).finally(() => (this.running = undefined));
    }, this.ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
