// The parent's side of the browserless live viewers (webrtc-viewers.child.ts): processes of up to
// `perProcess` werift viewers each, opened a few at a time, and one measurement window marked in
// all of them at once.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { BenchRun } from './bench-run.js';
import type { ViewerWindow } from './webrtc-viewers.child.js';

type Reply = { ready?: true; opened?: { ok: number; failed: number; retried?: number; errors: string[] }; marked?: string; window?: ViewerWindow[]; cpuSeconds?: number };

class ViewerProcess {
  private readonly waiting: ((m: Reply) => void)[] = [];
  private err = '';

  constructor(readonly child: ChildProcess) {
    child.on('message', (m: Reply) => this.waiting.shift()?.(m));
    child.stderr!.on('data', (d: Buffer) => {
      this.err = (this.err + d.toString()).slice(-4000);
    });
    child.once('exit', (code, signal) => {
      for (const w of this.waiting.splice(0)) w({ opened: { ok: 0, failed: 0, errors: [`viewer process exited (${code ?? signal}): ${this.err.slice(-500)}`] } });
    });
  }

  next(): Promise<Reply> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async ask(m: object): Promise<Reply> {
    const reply = this.next();
    this.child.send(m);
    return reply;
  }

  tail(): string {
    return this.err;
  }
}

export interface ViewerFleet {
  open(server: string, bearer: string, cameraId: number): Promise<{ ok: number; failed: number; retried: number; errors: string[] }>;
  /** Starts the window in every viewer, then ends it after `ms`; what each viewer received meanwhile. */
  window(ms: number, during?: () => Promise<void>): Promise<{ viewers: ViewerWindow[]; clientCpuSeconds: number }>;
  close(): Promise<void>;
}

export async function startViewerFleet(run: BenchRun, count: number, perProcess: number, parallel: number, arrivalMs = 0): Promise<ViewerFleet> {
  const procs: { p: ViewerProcess; count: number }[] = [];
  for (let left = count, i = 0; left > 0; left -= perProcess, i++) {
    const child = fork(join(import.meta.dirname, 'webrtc-viewers.child.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const p = new ViewerProcess(child);
    run.watchChild(`viewer process ${i + 1}`, child, () => p.tail());
    procs.push({ p, count: Math.min(perProcess, left) });
    await p.next();
  }
  const cpuAtOpen: number[] = [];
  return {
    async open(server, bearer, cameraId) {
      const all = await Promise.all(procs.map(({ p, count }) => p.ask({ open: { count, parallel, arrivalMs, server, bearer, cameraId } })));
      return all.reduce((s, r) => ({ ok: s.ok + (r.opened?.ok ?? 0), failed: s.failed + (r.opened?.failed ?? 0), retried: s.retried + (r.opened?.retried ?? 0), errors: [...s.errors, ...(r.opened?.errors ?? [])] }), { ok: 0, failed: 0, retried: 0, errors: [] as string[] });
    },
    async window(ms, during) {
      const ends = await Promise.all(procs.map(({ p }) => p.ask({ mark: 'end' })));
      cpuAtOpen.splice(0, cpuAtOpen.length, ...ends.map((e) => e.cpuSeconds ?? 0));
      await Promise.all(procs.map(({ p }) => p.ask({ mark: 'start' })));
      await Promise.all([during?.(), new Promise((r) => setTimeout(r, ms))]);
      const out = await Promise.all(procs.map(({ p }) => p.ask({ mark: 'end' })));
      return { viewers: out.flatMap((o) => o.window ?? []), clientCpuSeconds: out.reduce((s, o, i) => s + (o.cpuSeconds ?? 0) - cpuAtOpen[i]!, 0) };
    },
    async close() {
      await Promise.all(
        procs.map(({ p }) => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return undefined;
          const exited = new Promise((r) => p.child.once('exit', r));
          p.child.send({ close: true });
          const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
          return exited.then(() => clearTimeout(timer));
        }),
      );
    },
  };
}
