// What every benchmark runs inside, so that on a busy machine it ends and says why:
// - each phase has a time limit (scaled by BENCH_TIME_SCALE for a slower machine);
// - the first error is the one reported, with the phase it happened in and what each child
//   process said (exit code or signal, the last lines it logged);
// - clean-up runs after that report, children first (so nothing is still writing into a folder
//   being removed), folders removed with retries, and a clean-up error never replaces the first;
// - the last line is always one JSON object: on success the benchmark's own keys, on failure the
//   keys of the phases it completed, `"phases"` (their names) and `"failed":"…"`.
// Usage: `await runBench('record', async (run) => { … run.result.key = …; })`.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

const SCALE = Number(process.env.BENCH_TIME_SCALE ?? 1) || 1;
const TAIL_BYTES = 4000;
const TAIL_LINES = 12;
const CLEANUP_LIMIT_MS = 60_000;

/** Something that can say what happened to it: a child process, a server, a browser. */
export interface Watched {
  label: string;
  /** One line: running, or how it ended. */
  state(): string;
  /** What it logged last. */
  tail(): string | Promise<string>;
}

/** An error that names the phase it happened in. */
export class PhaseError extends Error {
  constructor(readonly phase: string, override readonly cause: unknown) {
    super(`${phase}: ${messageOf(cause)}`);
  }
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const lastLines = (text: string, n = TAIL_LINES) => text.trimEnd().split('\n').slice(-n).join('\n');

/** Keeps the last few kilobytes a stream wrote. */
function tailOf(stream: NodeJS.ReadableStream | null | undefined): () => string {
  let buf = '';
  stream?.on('data', (d: Buffer | string) => {
    buf += d.toString();
    if (buf.length > TAIL_BYTES * 2) buf = buf.slice(-TAIL_BYTES);
  });
  return () => buf.slice(-TAIL_BYTES);
}

export class BenchRun {
  /** The keys of the last JSON line, filled as phases complete. */
  readonly result: Record<string, unknown> = {};
  readonly phases: string[] = [];
  private current: string | undefined;
  private readonly watched: Watched[] = [];
  private readonly cleanups: { what: string; fn: () => unknown }[] = [];

  constructor(readonly name: string) {}

  /** The phase running now (for a failure outside any phase: 'setup'). */
  get currentPhase(): string {
    return this.current ?? 'setup';
  }

  /**
   * Runs one phase within `limitSeconds` (× BENCH_TIME_SCALE). On time-out the phase's work is
   * abandoned: the run fails, reports, and the clean-up stops the children it was waiting on.
   */
  async phase<T>(name: string, limitSeconds: number, fn: () => Promise<T>): Promise<T> {
    const limitMs = limitSeconds * 1000 * SCALE;
    this.current = name;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const out = await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not finish within its limit of ${(limitMs / 1000).toFixed(0)} s (BENCH_TIME_SCALE=${SCALE})`)), limitMs);
        }),
      ]);
      this.phases.push(name);
      process.stderr.write(`[${this.name}] phase ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${loadAverage()}\n`);
      return out;
    } catch (e) {
      throw e instanceof PhaseError ? e : new PhaseError(name, e);
    } finally {
      clearTimeout(timer);
      this.current = undefined;
    }
  }

  /** Reports on `w` if the run fails. */
  watch(w: Watched): void {
    this.watched.push(w);
  }

  /** Watches a child process: its exit code or signal and the last lines of its piped output. */
  watchChild(label: string, child: ChildProcess, tail?: () => string): void {
    const own = tail ?? ((out: () => string, err: () => string) => () => `${out()}${err()}`)(tailOf(child.stdout), tailOf(child.stderr));
    this.watch({
      label: `${label} (pid ${child.pid})`,
      state: () => (child.exitCode !== null ? `exited with code ${child.exitCode}` : child.signalCode !== null ? `killed by ${child.signalCode}` : 'running'),
      tail: own,
    });
  }

  /** Runs `fn` at the end, success or not, after the report; the last registered runs first. */
  onCleanup(what: string, fn: () => unknown): void {
    this.cleanups.push({ what, fn });
  }

  /** A temporary folder removed at the end (with retries: a child may have just stopped writing). */
  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.onCleanup(`remove ${prefix}…`, () => removeDir(dir));
    return dir;
  }

  /** What each watched thing said, for the failure report. */
  async describeChildren(): Promise<string> {
    const out: string[] = [];
    for (const w of this.watched) {
      let tail: string;
      try {
        tail = lastLines(await w.tail());
      } catch (e) {
        tail = `(its log could not be read: ${messageOf(e)})`;
      }
      out.push(`  ${w.label}: ${w.state()}${tail ? `\n${tail.replace(/^/gm, '    | ')}` : ' (said nothing)'}`);
    }
    return out.join('\n');
  }

  /** Runs every clean-up, last first, each within a limit; returns the errors they raised. */
  async cleanUp(): Promise<string[]> {
    const errors: string[] = [];
    for (const { what, fn } of this.cleanups.splice(0).reverse()) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve().then(fn),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not done after ${CLEANUP_LIMIT_MS / 1000} s`)), CLEANUP_LIMIT_MS))),
        ]);
      } catch (e) {
        errors.push(`${what}: ${messageOf(e)}`);
      } finally {
        clearTimeout(timer);
      }
    }
    return errors;
  }
}

/** Removes a folder, retrying while something still holds or fills it (ENOTEMPTY, EBUSY). */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}

export const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/**
 * Runs a benchmark body and ends the process: exit 0 and the result's JSON line on success;
 * on the first error (thrown, unhandled, or a signal) the report described at the top, then the
 * partial JSON line, exit 1.
 */
export async function runBench(name: string, body: (run: BenchRun) => Promise<void>): Promise<never> {
  const run = new BenchRun(name);
  let first: unknown;
  let firstPhase: string | undefined;
  const fail = (e: unknown) => {
    if (first !== undefined) return;
    first = e;
    firstPhase = e instanceof PhaseError ? e.phase : run.currentPhase;
  };
  let abort!: (e: unknown) => void;
  const aborted = new Promise<void>((resolve) => (abort = (e) => (fail(e), resolve())));
  const onSignal = (sig: NodeJS.Signals) => abort(new Error(`interrupted by ${sig}`));
  const onUnhandled = (e: unknown) => abort(e);
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal).on('unhandledRejection', onUnhandled).on('uncaughtException', onUnhandled);
  await Promise.race([body(run).catch(fail), aborted]);

  if (first !== undefined) {
    const cause = first instanceof PhaseError ? first.cause : first;
    process.stderr.write(`\n[${name}] FAILED in phase ${firstPhase}: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`);
    process.stderr.write(`[${name}] load average ${loadAverage()}; phases completed: ${run.phases.join(', ') || 'none'}\n`);
    const children = await run.describeChildren();
    if (children) process.stderr.write(`[${name}] child processes:\n${children}\n`);
  }
  const cleanupErrors = await run.cleanUp();
  // Reported after the first error and never instead of it.
  if (cleanupErrors.length) process.stderr.write(`[${name}] clean-up also failed:\n${cleanupErrors.map((e) => `  ${e}`).join('\n')}\n`);
  const json = first === undefined ? run.result : { ...run.result, phases: run.phases, failed: `${firstPhase}: ${messageOf(first instanceof PhaseError ? first.cause : first)}` };
  process.stdout.write(`${JSON.stringify(json)}\n`);
  process.exit(first === undefined ? 0 : 1);
}

/** With BENCH_PROFILE_DIR set, a CPU profile of the step written there as NAME.cpuprofile. */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
