// The fast proof that a large register is intact: the chain is cut into stretches hashed by worker
// threads at once (each with its own database connection), then the joins are checked — each
// stretch's first entry must state the hash its predecessor stretch ended with — and the signed
// checkpoints are compared with the hashes computed at their entries. It only ever answers
// "intact" or "not sure": on any doubt the caller walks the chain one entry after another, whose
// report (the first break and its kind) is the reference.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../project-root.js';
import { Worker } from 'node:worker_threads';
import type { SegmentSummary, SegmentTask } from './verify-segment.js';

export interface ParallelOptions {
  workers?: number;
  /** Stretches per worker: more even out a busy machine (default 4). */
  segmentsPerWorker?: number;
}

export interface IntactChain {
  lastHash: string;
  /** Computed hash of each entry asked for. */
  hashes: Map<number, string>;
}

/** Proves entries 1…end follow each other from `genesis` and match their hashes; undefined when not proven. */
export async function parallelIntact(url: string, end: number, genesis: string, want: readonly number[], options: ParallelOptions = {}): Promise<IntactChain | undefined> {
  const workerCount = Math.max(1, options.workers ?? Math.min(2, availableParallelism()));
  const count = Math.min(end, workerCount * (options.segmentsPerWorker ?? 4));
  const tasks: SegmentTask[] = [];
  const wanted = [...want].sort((a, b) => a - b);
  for (let i = 0; i < count; i++) {
    const after = Math.floor((end * i) / count);
    const through = Math.floor((end * (i + 1)) / count);
    tasks.push({ after, through, want: wanted.filter((s) => s > after && s <= through) });
  }
  const summaries: SegmentSummary[] = new Array(tasks.length);
  const workers: Worker[] = [];
  let failed = false;
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(workerCount, tasks.length) }, () => {
        const w = startWorker(url);
        workers.push(w);
        return new Promise<void>((resolve, reject) => {
          const give = () => {
            if (failed || next >= tasks.length) return resolve();
            const i = next++;
            w.once('message', (m: { summary?: SegmentSummary; error?: string }) => {
              if (!m.summary) return reject(new Error(m.error ?? 'verifier thread failed'));
              summaries[i] = m.summary;
              if (!m.summary.intact) failed = true;
              give();
            });
            w.postMessage(tasks[i]);
          };
          w.once('error', reject);
          w.once('exit', (code) => reject(new Error(`verifier thread exited with ${code}`)));
          give();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  if (failed) return undefined;
  let prev = genesis;
  const hashes = new Map<number, string>();
  for (const s of summaries) {
    if (!s?.intact || s.firstPrev !== prev || s.lastHash === null) return undefined;
    for (const [seq, h] of s.hashes) hashes.set(seq, h);
    prev = s.lastHash;
  }
  return { lastHash: prev, hashes };
}

// From source (tests, benchmarks) the thread first registers the TypeScript loader (tsx, a
// development dependency; execArgv loaders do not reach worker threads); built, it is plain .js.
function startWorker(url: string): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = new URL(fromSource ? './verify-worker.ts' : './verify-worker.js', import.meta.url).href;
  const code = fromSource
    ? `import(${JSON.stringify(tsxApi())}).then((t) => { t.register(); return import(${JSON.stringify(file)}); })`
    : `import(${JSON.stringify(file)})`;
  return new Worker(code, { eval: true, workerData: { url } });
}

/** tsx's ESM API, found from this file (import.meta.resolve where the runtime has it, else node_modules above). */
function tsxApi(): string {
  const resolve = (import.meta as { resolve?: (s: string) => string }).resolve;
  if (typeof resolve === 'function') {
    try {
      return resolve('tsx/esm/api');
    } catch {
      // fall through
    }
  }
  return pathToFileURL(join(projectRoot(), 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href;
}
