// Runs test/support/recorder-child.ts as a process of its own (so it can be killed with SIGKILL
// or measured from /proc), and waits for it to say it is recording.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RecorderSettings } from '../../src/recorder/recorder.js';

const CHILD = fileURLToPath(new URL('./recorder-child.ts', import.meta.url));

export interface RecorderProcess {
  child: ChildProcess;
  pid: number;
  /** The recovery report the recorder printed when it started. */
  recovery: Record<string, number>;
  stderr(): string;
  kill9(): Promise<void>;
  /** SIGTERM, then the totals the recorder printed on a clean stop. */
  stop(): Promise<Record<string, number>>;
}

export interface RecorderProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
}

export async function startRecorderProcess(
  dataDir: string,
  dbUrl: string,
  settings: Partial<RecorderSettings> & { logLevel?: string } = {},
  options: RecorderProcessOptions = {},
): Promise<RecorderProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', CHILD, dataDir, dbUrl, JSON.stringify(settings)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    if (err.length < 1 << 20) err += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const lines: string[] = [];
  let wake: (() => void) | undefined;
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    let i;
    while ((i = out.indexOf('\n')) >= 0) {
      lines.push(out.slice(0, i));
      out = out.slice(i + 1);
      wake?.();
    }
  });
  child.once('exit', () => wake?.());
  const nextLine = async (timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (!lines.length) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`recorder exited: ${err.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`recorder silent for ${timeoutMs} ms: ${err.slice(-2000)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
    return lines.shift()!;
  };
  const ready = await nextLine(30_000);
  if (!ready.startsWith('ready ')) throw new Error(`unexpected recorder output: ${ready}`);
  return {
    child,
    pid: child.pid!,
    recovery: JSON.parse(ready.slice(6)) as Record<string, number>,
    stderr: () => err,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      child.kill('SIGTERM');
      const totals = JSON.parse(await nextLine(20_000)) as Record<string, number>;
      await exited;
      return totals;
    },
  };
}
