// Starts test/support/cluster-node-child.ts as a process of its own, so a test or the cluster
// benchmark can kill -9 it, SIGSTOP and SIGCONT it, and read its lease rounds line by line.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { testChildEntry } from './vigil-entry.js';

const CHILD = fileURLToPath(new URL('./cluster-node-child.ts', import.meta.url));

export interface NodeLine {
  round?: number;
  held?: number;
  lost?: number[];
  acquired?: { cameraId: number; epoch: number }[];
  released?: number[];
  fenced?: number;
  /** Why the round read every camera and lease. */
  look?: string;
  epoch?: number;
  at: number;
}

export interface ClusterNode {
  id: string;
  dataDir: string;
  child: ChildProcess;
  pid: number;
  /** Every line the node printed after "ready", in order. */
  lines: NodeLine[];
  /** Resolves at the first line after now that `match` accepts. */
  next(match: (l: NodeLine) => boolean, timeoutMs?: number): Promise<NodeLine>;
  stderr(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

export async function startClusterNode(dataDir: string, dbUrl: string, options: { nodeId: string; leaseMs: number; capacity?: number; handOversPerRound?: number; settings?: Record<string, unknown>; logLevel?: string; leasesOnly?: boolean; peer?: boolean; indexIntervalMs?: number }): Promise<ClusterNode> {
  const child = spawn(process.execPath, [...testChildEntry(CHILD), dataDir, dbUrl, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { UV_THREADPOOL_SIZE: '16', ...process.env },
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-20_000);
  });
  const lines: NodeLine[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  let ready: (() => void) | undefined;
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.startsWith('ready')) ready?.();
      else if (line.startsWith('{')) lines.push(JSON.parse(line) as NodeLine);
      for (const w of [...waiters]) w();
    }
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${options.nodeId} did not start: ${err}`)), 120_000);
    ready = () => (clearTimeout(timer), resolve());
    child.once('exit', () => reject(new Error(`node ${options.nodeId} exited: ${err}`)));
  });
  return {
    id: options.nodeId,
    dataDir,
    child,
    pid: child.pid!,
    lines,
    next(match, timeoutMs = 120_000) {
      const from = lines.length;
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = lines.slice(from).find(match);
          if (hit) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(hit);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`node ${options.nodeId}: no matching line in ${timeoutMs} ms: ${err.slice(-2000)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stderr: () => err,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
