// Runs test/support/recorder-child.ts as a process of its own (so it can be killed with SIGKILL
// or measured from /proc), and waits for it to say it is recording.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RecorderSettings } from '../../src/recorder/recorder.js';
import { compiledTestChild, testChildEntry } from './vigil-entry.js';

const CHILD = fileURLToPath(new URL('./recorder-child.ts', import.meta.url));

/** What the recorder prints on a clean stop: metric totals, memory, garbage collection by kind. */
export interface RecorderTotals {
  framesLost: number;
  bytesWritten: number;
  fragments: number;
  reconnects: number;
  [memory: string]: number | Record<string, unknown>;
}

export interface RecorderProcess {
  child: ChildProcess;
  pid: number;
  /** The recovery report the recorder printed when it started. */
  recovery: Record<string, number>;
  stderr(): string;
  kill9(): Promise<void>;
  /** SIGTERM, then the totals the recorder printed on a clean stop (within `timeoutMs`, default 20 s). */
  stop(timeoutMs?: number): Promise<RecorderTotals>;
}

export interface RecorderProcessOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra node flags, e.g. ['--cpu-prof']. */
  nodeArgs?: string[];
  /**
   * Run the built JavaScript in dist/ (as `npm start` does) instead of the TypeScript sources
   * under tsx. The caller builds dist/ first (`npm run build:server`).
   */
  compiled?: boolean;
  /** How long the recorder may take to say it is ready (default 120 s: migrating and recovering took over 30 s at load 30). */
  readyTimeoutMs?: number;
}

export async function startRecorderProcess(
  dataDir: string,
  dbUrl: string,
  settings: Partial<RecorderSettings> & { logLevel?: string } = {},
  options: RecorderProcessOptions = {},
): Promise<RecorderProcess> {
  const entry = options.compiled ? ['--enable-source-maps', compiledTestChild(CHILD)] : testChildEntry(CHILD);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry, dataDir, dbUrl, JSON.stringify(settings)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // The pool is sized before any module code runs: only the environment can size it (see bin/vigil.cjs).
    env: { UV_THREADPOOL_SIZE: '64', ...process.env, ...options.env },
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
  // Its output ends after its exit is seen, sometimes with the last line still unread: a line is
  // looked for until the output has closed, not merely until the process exited.
  let outClosed = false;
  child.stdout!.once('close', () => {
    outClosed = true;
    wake?.();
  });
  const nextLine = async (timeoutMs: number): Promise<string> => {
    const deadline = Date.now() + timeoutMs;
    while (!lines.length) {
      if (outClosed) throw new Error(`recorder exited (code ${child.exitCode}, signal ${child.signalCode}): ${err.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`recorder silent for ${timeoutMs} ms: ${err.slice(-2000)}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
    return lines.shift()!;
  };
  let ready: string;
  try {
    ready = await nextLine(options.readyTimeoutMs ?? 120_000);
    if (!ready.startsWith('ready ')) throw new Error(`unexpected recorder output: ${ready}`);
  } catch (e) {
    // Never ready: not left running behind the failed test (one recorded on for half an hour).
    child.kill('SIGKILL');
    throw e;
  }
  return {
    child,
    pid: child.pid!,
    recovery: JSON.parse(ready.slice(6)) as Record<string, number>,
    stderr: () => err,
    async kill9() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop(timeoutMs = 20_000) {
      child.kill('SIGTERM');
      const totals = JSON.parse(await nextLine(timeoutMs)) as RecorderTotals;
      await exited;
      return totals;
    },
  };
}
