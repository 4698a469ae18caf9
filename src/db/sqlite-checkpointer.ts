// Checkpoints a SQLite file's write-ahead log from a thread of its own. By default the
// connection that commits past 1,000 pages of log copies them into the database and syncs it,
// inside that commit, on the main thread: every few megabytes the event loop (media, API,
// register) stopped for the copy and the fsync. Here a second connection on a worker thread
// copies committed pages back every 200 ms (a PASSIVE checkpoint: it never waits for or blocks
// a writer); the main connection still checkpoints itself past BACKSTOP_PAGES, should this
// thread fall behind or fail. The register's concurrent appends (bench/audit.bench.ts's first
// phase alone): 6,566-6,878 -> 8,300-8,431/s.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const EVERY_MS = 200;
/** Log pages (4 KiB each: 64 MiB) past which the writing connection checkpoints itself. */
export const BACKSTOP_PAGES = 16_384;

// Plain CommonJS, run as is: the thread needs only the driver, not the project's modules.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.path, { fileMustExist: true });
} catch (e) {
  // Said here: the driver's own error class does not survive the trip to the main thread.
  parentPort.postMessage({ error: 'cannot open ' + workerData.path + ': ' + String((e && e.message) || e) });
  process.exit(1);
}
let last = '';
const checkpoint = () => {
  try {
    // log: pages in the log now; checkpointed: how many of them are in the database.
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    const now = r.log + '/' + r.checkpointed;
    if (r.checkpointed > 0 && now !== last) parentPort.postMessage({ copied: true });
    last = now;
  } catch (e) {
    parentPort.postMessage({ error: String((e && e.message) || e) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class SqliteCheckpointer {
  /** Checkpoint runs that copied pages, and the last error the thread met. */
  readonly stats = { runs: 0, lastError: null as string | null };
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(path: string, everyMs = EVERY_MS) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(THREAD, { eval: true, workerData: { driver, path, everyMs } });
    this.worker.on('message', (m: { copied?: boolean; error?: string }) => {
      if (m.error !== undefined) this.stats.lastError = m.error;
      else if (m.copied) this.stats.runs++;
    });
    // A thread that fails leaves the main connection's own checkpoints (BACKSTOP_PAGES) in charge.
    this.worker.on('error', (e: unknown) => {
      this.stats.lastError = typeof (e as { message?: unknown })?.message === 'string' ? (e as Error).message : String(e);
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.unref();
  }

  /** Runs a last checkpoint, closes the thread's connection and ends the thread. */
  async stop(): Promise<void> {
    // Held open while it finishes: the caller waits for it.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}
