// Batches index rows from every camera into one transaction every few hundred milliseconds, so
// a hundred cameras cost a few transactions a second. Only rows for bytes already fsynced are
// ever queued here; a failed commit keeps the rows and retries on the next tick.
import type { Logger } from 'pino';
import { LeaseFencedError, type CameraEvent, type IndexBatch, type NewRecordingFile, type RecordingFragment, type RecordingRepository } from '../db/recording.repository.js';
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
  /** Camera events (gaps, connects, errors) now in the index, in the order they were seen. */
  onEvents?: (events: CameraEvent[]) => void;
}

type Progress = IndexBatch['fileProgress'][number];

/** What a camera writer tells the index: the recorder's IndexWriter, or a backfill's collector. */
export interface IndexSink {
  fragment(f: RecordingFragment, fileBytes: number): void;
  event(e: CameraEvent): void;
  closeFile(fileId: number, endedAt: number, bytes: number): void;
  /**
   * A file opened while the database is away (a camera reconnecting, a file rotating during an
   * outage): a stand-in id at once, its row inserted (lease epoch checked) before the rows that
   * name it at the first commit that reaches the database.
   */
  deferFile?(f: NewRecordingFile): number;
}

/** The database did not answer (down, restarting, cut off), as opposed to refusing the statement. */
export function databaseUnreachable(e: unknown): boolean {
  const code = String((e as { code?: unknown }).code ?? '');
  return /^(08|57P0[123])/.test(code) || /^E(CONNREFUSED|CONNRESET|PIPE|TIMEDOUT|HOSTUNREACH|NETUNREACH)$/.test(code) ||
    /connection terminated|terminating connection|connection (is )?closed|not queryable|the database system is (starting up|shutting down|in recovery mode)|timeout exceeded when trying to connect/i.test(String((e as Error)?.message ?? e));
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
  private readonly onEvents: ((events: CameraEvent[]) => void) | undefined;
  private failures = 0;
  /** Files opened during an outage, by stand-in id (negative), in order; and their real ids once inserted. */
  private readonly deferred = new Map<number, NewRecordingFile>();
  private readonly realIds = new Map<number, number>();
  /** Stand-ins whose row was refused (the lease moved meanwhile): their rows are dropped. */
  private readonly refused = new Set<number>();
  private nextStandIn = -1;

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
    this.onEvents = options.onEvents;
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

  deferFile(f: NewRecordingFile): number {
    const id = this.nextStandIn--;
    this.deferred.set(id, f);
    this.oldestAt ??= this.clock.now();
    return id;
  }

  get queued(): number {
    return this.fragments.length + this.events.length + this.progress.size + this.deferred.size;
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

  /** A listener's failure is logged, never taken for a failed commit (the rows are in). */
  private tellEvents(events: CameraEvent[]): void {
    try {
      this.onEvents?.(events);
    } catch (e) {
      this.logger.warn({ err: e }, 'camera events indexed, but could not be announced');
    }
  }

  /** Rows refused for an epoch no longer held are dropped (never retried); the recorder is told. */
  private fenced(batch: IndexBatch, cameraIds: number[]): void {
    const epochs = new Map<number, number>();
    // The oldest epoch of each refused camera is the one refused (a newer one in the same batch was written).
    for (const r of [...batch.fragments, ...batch.events]) if (r.epoch && cameraIds.includes(r.cameraId) && !epochs.has(r.cameraId)) epochs.set(r.cameraId, r.epoch);
    this.logger.warn({ cameras: cameraIds }, 'index rows refused: these cameras\' leases moved to another node');
    for (const [cameraId, epoch] of epochs) this.onFenced?.(cameraId, epoch);
  }

  /**
   * Inserts the rows of files opened during an outage, oldest first; false while the database is
   * still away. A row refused because the camera's lease moved meanwhile drops that file's rows
   * (the recorder is told, as for any fenced row); one refused for another reason is logged and
   * its rows dropped, so it cannot hold every other camera's rows back.
   */
  private async insertDeferred(): Promise<boolean> {
    for (const [standIn, f] of this.deferred) {
      try {
        this.realIds.set(standIn, (await this.repo.createFile(f)).id);
      } catch (e) {
        if (databaseUnreachable(e)) return false;
        // The row went in before, its answer lost as the database went away (the writer's own
        // attempt, or an earlier one of these): the same file, not a second row.
        const there = /unique|duplicate/i.test(String((e as Error).message)) ? await this.repo.fileAt(f.path).catch(() => undefined) : undefined;
        if (there && there.cameraId === f.cameraId && there.startedAt === f.startedAt && (there.epoch ?? 0) === (f.epoch ?? 0)) {
          this.realIds.set(standIn, there.id);
          this.deferred.delete(standIn);
          continue;
        }
        this.refused.add(standIn);
        if (e instanceof LeaseFencedError) this.onFenced?.(f.cameraId, f.epoch ?? 0);
        else this.logger.error({ err: e, cameraId: f.cameraId, path: f.path }, 'a file opened during the database outage could not be indexed; its fragments stay on disk unindexed');
      }
      this.deferred.delete(standIn);
    }
    return true;
  }

  /** The batch with stand-in file ids replaced by the real ones, rows of refused files left out. */
  private resolve(batch: IndexBatch): IndexBatch {
    if (!this.realIds.size && !this.refused.size) return batch;
    const id = (fileId: number) => (fileId < 0 ? this.realIds.get(fileId) : fileId);
    const fragments = batch.fragments.flatMap((f) => (f.fileId >= 0 ? [f] : this.realIds.has(f.fileId) ? [{ ...f, fileId: id(f.fileId)! }] : []));
    const fileProgress = batch.fileProgress.flatMap((p) => (p.fileId >= 0 ? [p] : this.realIds.has(p.fileId) ? [{ ...p, fileId: id(p.fileId)! }] : []));
    // A closed stand-in is never named again once this batch is in.
    for (const p of batch.fileProgress) if (p.fileId < 0 && p.closed) (this.realIds.delete(p.fileId), this.refused.delete(p.fileId));
    return { ...batch, fragments, fileProgress };
  }

  private async commit(): Promise<void> {
    if (!this.queued) return;
    if (this.deferred.size && !(await this.insertDeferred())) {
      this.onFailed?.();
      if (this.failures++ % 20 === 0) this.logger.error({ queued: this.queued, files: this.deferred.size }, 'recording index: the database is still away; files opened meanwhile wait for their rows');
      return;
    }
    const batch: IndexBatch = this.resolve({ fragments: this.fragments, events: this.events, fileProgress: [...this.progress.values()] });
    const since = this.oldestAt!;
    this.fragments = [];
    this.events = [];
    this.progress = new Map();
    this.oldestAt = undefined;
    try {
      const { fenced, events } = await this.repo.commit(batch);
      this.failures = 0;
      if (fenced.length) this.fenced(batch, fenced);
      if (events.length) this.tellEvents(events);
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
