// Batches index rows from every camera into one transaction every few hundred milliseconds, so
// a hundred cameras cost a few transactions a second. Only rows for bytes already fsynced are
// ever queued here; a failed commit keeps the rows and retries on the next tick.
import type { Logger } from 'pino';
import type { CameraEvent, IndexBatch, RecordingFragment, RecordingRepository } from '../db/recording.repository.js';
import type { Clock } from '../domain/clock.js';
import type { RecorderMetrics } from './metrics.js';

export interface IndexWriterOptions {
  intervalMs?: number;
  /** Fragments kept while the database is unreachable; the oldest go past this (default 200 000). */
  maxQueued?: number;
  /** The index refused a camera's rows: its lease epoch is no longer current (issue 22). */
  onFenced?: (cameraId: number, epoch: number) => void;
  /** A commit failed (the database unreachable, most likely); the rows stay queued. */
  onFailed?: () => void;
}

type Progress = IndexBatch['fileProgress'][number];

/** What a camera writer tells the index: the recorder's IndexWriter, or a backfill's collector. */
export interface IndexSink {
  fragment(f: RecordingFragment, fileBytes: number): void;
  event(e: CameraEvent): void;
  closeFile(fileId: number, endedAt: number, bytes: number): void;
}

export class IndexWriter implements IndexSink {
  private fragments: RecordingFragment[] = [];
  private events: CameraEvent[] = [];
  private progress = new Map<number, Progress>();
  /** When the oldest queued row became durable on disk. */
  private oldestAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly maxQueued: number;
  private readonly onFenced: ((cameraId: number, epoch: number) => void) | undefined;
  private readonly onFailed: (() => void) | undefined;
  private failures = 0;

  constructor(
    private readonly repo: RecordingRepository,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: RecorderMetrics | undefined,
    options: IndexWriterOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 300;
    this.maxQueued = options.maxQueued ?? 200_000;
    this.onFenced = options.onFenced;
    this.onFailed = options.onFailed;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  /** A fragment now durable in its file, and where the file ends after it. */
  fragment(f: RecordingFragment, fileBytes: number): void {
    this.fragments.push(f);
    this.oldestAt ??= this.clock.now();
    const p = this.progress.get(f.fileId);
    this.progress.set(f.fileId, { fileId: f.fileId, endedAt: Math.max(f.endMs, p?.endedAt ?? 0), bytes: fileBytes, closed: p?.closed ?? false });
    if (this.fragments.length > this.maxQueued) {
      const lost = this.fragments.splice(0, this.fragments.length - this.maxQueued);
      this.logger.error({ lost: lost.length }, 'index queue full: oldest fragments left unindexed (recovery trims them)');
    }
  }

  event(e: CameraEvent): void {
    this.events.push(e);
    this.oldestAt ??= this.clock.now();
  }

  /** The file is complete: after its queued fragments, mark it closed. */
  closeFile(fileId: number, endedAt: number, bytes: number): void {
    const p = this.progress.get(fileId);
    this.progress.set(fileId, { fileId, endedAt: Math.max(endedAt, p?.endedAt ?? 0), bytes, closed: true });
    this.oldestAt ??= this.clock.now();
  }

  get queued(): number {
    return this.fragments.length + this.events.length + this.progress.size;
  }

  /** Commits what is queued (one transaction). Concurrent calls share one flush. */
  flush(): Promise<void> {
    this.flushing ??= this.commit().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    if (this.queued) await this.flush();
  }

  /** Rows refused for an epoch no longer held are dropped (never retried); the recorder is told. */
  private fenced(batch: IndexBatch, cameraIds: number[]): void {
    const epochs = new Map<number, number>();
    // The oldest epoch of each refused camera is the one refused (a newer one in the same batch was written).
    for (const r of [...batch.fragments, ...batch.events]) if (r.epoch && cameraIds.includes(r.cameraId) && !epochs.has(r.cameraId)) epochs.set(r.cameraId, r.epoch);
    this.logger.warn({ cameras: cameraIds }, 'index rows refused: these cameras\' leases moved to another node');
    for (const [cameraId, epoch] of epochs) this.onFenced?.(cameraId, epoch);
  }

  private async commit(): Promise<void> {
    if (!this.queued) return;
    const batch: IndexBatch = { fragments: this.fragments, events: this.events, fileProgress: [...this.progress.values()] };
    const since = this.oldestAt!;
    this.fragments = [];
    this.events = [];
    this.progress = new Map();
    this.oldestAt = undefined;
    try {
      const { fenced } = await this.repo.commit(batch);
      this.failures = 0;
      if (fenced.length) this.fenced(batch, fenced);
      this.metrics?.indexLag.set((this.clock.now() - since) / 1000);
      this.metrics?.indexCommits.inc();
    } catch (e) {
      // Put the rows back in front of anything queued meanwhile, and try again next tick.
      this.fragments = batch.fragments.concat(this.fragments);
      this.events = batch.events.concat(this.events);
      for (const p of batch.fileProgress) {
        const later = this.progress.get(p.fileId);
        this.progress.set(p.fileId, later ? { ...later, endedAt: Math.max(later.endedAt, p.endedAt), closed: later.closed || p.closed } : p);
      }
      this.oldestAt = Math.min(since, this.oldestAt ?? since);
      this.onFailed?.();
      if (this.failures++ % 20 === 0) this.logger.error({ err: e, queued: this.queued }, 'recording index commit failed; retrying');
    }
  }
}
