// The disk side of one camera: frames in, fragmented MP4 files out, index rows queued only after
// each write is fsynced. Frames are handled synchronously and cheaply (muxing keeps views of the
// network buffers); the file work runs in a per-camera queue, so a slow disk or database for one
// camera never holds up another camera's event handling. The queue is bounded: past its limit
// whole GOPs are dropped (and counted) rather than memory growing. A frame's memory is released
// to its source once the fragment holding it is copied for a direct write or written (or the
// frame is not recorded at all).
import type { Logger } from 'pino';
import { LeaseFencedError, type CameraEvent, type CameraEventKind, type FootageOrigin, type RecordingRepository } from '../db/recording.repository.js';
import type { AudioFrame, StreamInfo, VideoFrame } from '../ingest/source.js';
import { Fmp4Muxer, type FragmentOut } from '../media/fmp4/muxer.js';
import type { AudioConfig, VideoConfig } from '../media/fmp4/init-segment.js';
import { detectGap } from './gap.js';
import { followOn, timelineBreak } from './media-timeline.js';
import { databaseUnreachable, type IndexSink } from './index-writer.js';
import type { RecorderMetrics } from './metrics.js';
import { RecordingFile, type WrittenFragment } from './recording-file.js';
import type { SegmentStore } from './segment-store/segment-store.js';

export interface CameraWriterOptions {
  fileSeconds: number;
  fragmentMaxMs: number;
  /** Bytes of fragments waiting for the disk past which GOPs are dropped (default 8 MiB). */
  maxQueuedBytes?: number;
}

export interface CameraWriterDeps {
  store: SegmentStore;
  repo: RecordingRepository;
  index: IndexSink;
  logger: Logger;
  /** Whose footage the files are (default the recorder's; 'device' for a backfill). */
  origin?: FootageOrigin;
  metrics?: RecorderMetrics;
  /** False while the recordings volume is full: new fragments are not written, nothing is deleted. */
  acceptingWrites?: () => boolean;
  /** The camera's lease on a recorder node: nothing is written once it may have run out. */
  lease?: { epoch: number; nodeId: string; valid(): boolean; fenced(): void; standby?: boolean; ready?(): void; whenHeld?(): Promise<void> };
}

interface OpenFile {
  startMs: number;
  info: StreamInfo;
  muxer: Fmp4Muxer;
  /** Resolved by the queue once the file exists on disk. */
  file?: RecordingFile;
  fileId?: number;
  failed?: boolean;
  seq: number;
  endMs: number;
  /** The latest video frame's times: audio is placed on the video clock through wall-clock time. */
  videoPts: number;
  videoWallMs: number;
  /**
   * Audio's own clock tied to the video's once, by wall-clock time, at the file's first audio
   * frame: from there audio follows its own timestamps, so a wall-clock correction (a sender
   * report) never moves it.
   */
  audioAnchor?: { pts: number; pts90k: number };
  /** Fragments written to the file, waiting for a sync to make them durable, in order. */
  unsynced: Unsynced[];
  /** The loop syncing this file while fragments wait (one at a time a file). */
  syncing?: Promise<void>;
  /** The append under way, if any: an undo waits for it. */
  appending?: Promise<unknown>;
  /** An undo under way: appends wait for it. */
  undoing?: Promise<void>;
}

/** A fragment written, not yet durable; `previousEnd` is where the file's data ended before it. */
interface Unsynced {
  job: FragmentJob;
  written: WrittenFragment;
  previousEnd: number;
}

/**
 * Fragments a standby session holds before it says it is ready: the holder then writes its last
 * row, so the first of them starts at least a fragment before the holder's footage ends.
 */
const STANDBY_READY_FRAGMENTS = 2;

/** A camera whose timestamps keep breaking is reported at most once in this long. */
const BREAK_QUIET_MS = 10_000;
/** Audio further than this from where the wall clock puts it is anchored again. */
const AUDIO_REANCHOR_90K = 90_000;

type Release = () => void;

type FragmentJob = { kind: 'fragment'; target: OpenFile; out: FragmentOut; startMs: number; endMs: number; releases: Release[] };
type Job = { kind: 'create'; target: OpenFile } | FragmentJob | { kind: 'close'; target: OpenFile };

export class CameraWriter {
  /** End of the last fragment on disk, wall-clock ms (for gap detection). */
  lastEndMs: number | undefined;
  framesDropped = 0;
  /** End of the last fragment this writer wrote itself: its next one starts no earlier. */
  private writtenEndMs: number | undefined;
  private info: StreamInfo | undefined;
  private current: OpenFile | undefined;
  /** Wall-clock time of the first frame the muxer holds for its next fragment. */
  private pendingStartMs = 0;
  private readonly jobs: Job[] = [];
  /** Releases of the frames the current muxer holds for its next fragment. */
  private held: Release[] = [];
  /**
   * The frames the current muxer holds for its next fragment, in order: their memory is held
   * until written anyway, so a live viewer joining now can start from them (`heldGop`).
   */
  private building: VideoFrame[] = [];
  private queuedBytes = 0;
  private running = false;
  /** The files' sync loops under way: `drained` waits for them too. */
  private readonly syncLoops = new Set<Promise<void>>();
  private idle: (() => void)[] = [];
  private dropping = false;
  private diskFull = false;
  private leaseLapsed = false;
  private standbyFragments = 0;
  private standbyAbandoned = false;
  private abandonWait: (() => void) | undefined;
  private lastErrorAt = 0;
  private readonly maxQueuedBytes: number;
  /** Decode time of the previous video frame of this connection (unwrapped RTP, 90 kHz). */
  private lastVideo90k: number | undefined;
  private breaks = { reportedAt: -Infinity, count: 0 };

  constructor(
    readonly cameraId: number,
    private readonly options: CameraWriterOptions,
    private readonly deps: CameraWriterDeps,
  ) {
    this.maxQueuedBytes = options.maxQueuedBytes ?? 8 << 20;
  }

  private get epoch(): number {
    return this.deps.lease?.epoch ?? 0;
  }

  /** The stream's description; a change closes the current file (the next keyframe opens one). */
  setInfo(info: StreamInfo): void {
    const prev = this.info;
    this.info = info;
    if (this.current && prev && !sameVideo(prev, info)) this.endFile();
  }

  /** One video frame from the source, in order. */
  video(frame: VideoFrame): void {
    const info = this.info;
    if (!info) return frame.release?.();
    let cur = this.current;
    const t90k = frame.dts90k ?? frame.pts90k;
    const step = timelineBreak(this.lastVideo90k, t90k, frameIntervalMs(info));
    if (step !== undefined && cur) {
      // The frames before the break are written as they are; the file ends there.
      this.timelineBroke(step, frame.wallClockMs);
      this.endFile();
      cur = undefined;
    }
    this.lastVideo90k = t90k;
    if (frame.keyframe && cur && frame.wallClockMs - cur.startMs >= this.options.fileSeconds * 1000) {
      this.endFile();
      cur = undefined;
      this.lastVideo90k = t90k;
    }
    if (!cur) {
      if (!frame.keyframe) return frame.release?.(); // a file starts with a random access point
      // After fragments were dropped, a new file waits until there is room again.
      if (this.dropping && !this.roomAgain()) return frame.release?.();
      cur = this.openFile(info, frame.wallClockMs);
    }
    let out: FragmentOut | null;
    try {
      out = cur.muxer.addVideo(frame);
    } catch (e) {
      // The muxer refused this frame: the run held is no longer every frame since its start.
      this.building = [];
      throw e;
    }
    // The fragment closed here holds the frames before this one, not this one.
    const done = out ? this.takeHeld() : undefined;
    if (frame.release) this.held.push(frame.release);
    this.building.push(frame);
    cur.videoPts = frame.pts90k;
    cur.videoWallMs = frame.wallClockMs;
    if (out && !this.fragment(cur, out, frame.wallClockMs, done!)) this.abandon(cur);
  }

  /**
   * A fragment was dropped (disk too slow, or full): the file ends with the fragment before it,
   * so the time lost is a gap between files, never a hole inside one. The frames held for the
   * next fragment go too; the next file starts at a keyframe once there is room.
   */
  private abandon(cur: OpenFile): void {
    if (this.current !== cur) return;
    releaseAll(this.takeHeld());
    this.current = undefined;
    this.pendingStartMs = 0;
    this.lastVideo90k = undefined;
    this.enqueue({ kind: 'close', target: cur });
  }

  private roomAgain(): boolean {
    if (this.deps.acceptingWrites && !this.deps.acceptingWrites()) return false;
    return this.queuedBytes <= this.maxQueuedBytes / 2;
  }

  /** The stream's timestamps broke: an event (at most one per BREAK_QUIET_MS) and a log line. */
  private timelineBroke(stepMs: number, atMs: number): void {
    this.breaks.count++;
    if (atMs - this.breaks.reportedAt < BREAK_QUIET_MS) return;
    const more = this.breaks.count - 1;
    this.breaks = { reportedAt: atMs, count: 0 };
    const detail = `stream timestamps stepped ${stepMs > 0 ? '+' : ''}${stepMs} ms between two frames: the file ends there, the next starts at a keyframe${more > 0 ? ` (${more} more since the last report)` : ''}`;
    this.deps.logger.warn({ cameraId: this.cameraId, stepMs, more }, 'camera stream timestamps broke; new file');
    this.event('clock_jump', atMs, null, detail);
  }

  /** One audio frame; recorded into the current file when it has an audio track. */
  audio(frame: AudioFrame): void {
    const cur = this.current;
    const audio = cur?.info.audio;
    if (!cur || !audio || cur.videoWallMs === 0) return;
    const byWall = cur.videoPts + (frame.wallClockMs - cur.videoWallMs) * 90;
    let anchor = cur.audioAnchor;
    let pts90k = anchor ? anchor.pts90k + ((frame.pts - anchor.pts) * 90000) / audio.sampleRate : byWall;
    if (!anchor || Math.abs(pts90k - byWall) > AUDIO_REANCHOR_90K) {
      anchor = cur.audioAnchor = { pts: frame.pts, pts90k: byWall };
      pts90k = byWall;
    }
    cur.muxer.addAudio({ pts90k: Math.round(pts90k), data: frame.data });
  }

  /** The connection ended: write what is held and close the file. */
  endFile(): void {
    const cur = this.current;
    if (!cur) return;
    const out = cur.muxer.flush();
    if (out) this.fragment(cur, out, undefined, this.takeHeld());
    else releaseAll(this.takeHeld());
    this.current = undefined;
    this.pendingStartMs = 0;
    this.lastVideo90k = undefined;
    this.enqueue({ kind: 'close', target: cur });
  }

  /** The session closes: a file waiting for a hand-over's lease gives up waiting. */
  abandonStandby(): void {
    this.standbyAbandoned = true;
    this.abandonWait?.();
  }

  /** Resolves when every queued write has been done and made durable (or given up). */
  drained(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private isIdle(): boolean {
    return !this.running && this.jobs.length === 0 && this.syncLoops.size === 0;
  }

  private settleIdle(): void {
    if (this.isIdle()) for (const resolve of this.idle.splice(0)) resolve();
  }

  private openFile(info: StreamInfo, startMs: number): OpenFile {
    const audio = audioConfig(info);
    const muxer = new Fmp4Muxer({ video: videoConfig(info), ...(audio ? { audio } : {}), maxFragmentMs: this.options.fragmentMaxMs });
    const target: OpenFile = { startMs, info, muxer, seq: 0, endMs: startMs, videoPts: 0, videoWallMs: 0, unsynced: [] };
    this.current = target;
    this.pendingStartMs = startMs;
    this.enqueue({ kind: 'create', target });
    return target;
  }

  /** A fragment the muxer closed; `nextStartMs` is the wall-clock time of the frame after it. */
  /** False when the fragment was dropped rather than queued for the disk. */
  private fragment(target: OpenFile, out: FragmentOut, nextStartMs: number | undefined, releases: Release[]): boolean {
    const startMs = this.pendingStartMs || target.startMs;
    const endMs = startMs + Math.round((out.endTime90k - out.startTime90k) / 90);
    this.pendingStartMs = nextStartMs ?? 0;
    // Over the limit, drop whole GOPs: a fragment after a dropped one is useless until a keyframe.
    if (this.dropping && out.keyframe && this.queuedBytes + out.byteLength <= this.maxQueuedBytes) this.dropping = false;
    if (this.dropping || this.queuedBytes + out.byteLength > this.maxQueuedBytes) {
      if (!this.dropping) this.deps.logger.warn({ cameraId: this.cameraId, queuedBytes: this.queuedBytes }, 'disk too slow for this camera: dropping until the next keyframe');
      this.dropping = true;
      this.framesDropped += out.videoSamples;
      this.deps.metrics?.framesLost.inc(out.videoSamples);
      releaseAll(releases);
      return false;
    }
    if (this.deps.acceptingWrites && !this.deps.acceptingWrites()) {
      // A full disk stops new fragments for every camera and says so; footage within retention is
      // never deleted to make room. Writing resumes at a keyframe once there is space again.
      if (!this.diskFull) {
        this.deps.logger.error({ cameraId: this.cameraId }, 'recording storage full: new fragments are not written; everything recorded is kept');
        this.event('error', startMs, null, 'DISK_FULL: recording storage full, new fragments not written');
      }
      this.diskFull = true;
      this.dropping = true;
      this.framesDropped += out.videoSamples;
      this.deps.metrics?.framesLost.inc(out.videoSamples);
      releaseAll(releases);
      return false;
    }
    if (this.diskFull) this.deps.logger.warn({ cameraId: this.cameraId }, 'recording storage has room again: writing resumes');
    this.diskFull = false;
    this.enqueue({ kind: 'fragment', target, out, startMs, endMs, releases });
    // Make-before-break: with its first fragments in hand a standby session says it is ready.
    if (this.deps.lease?.standby && ++this.standbyFragments === STANDBY_READY_FRAGMENTS) this.deps.lease.ready?.();
    return true;
  }

  private takeHeld(): Release[] {
    const held = this.held;
    this.held = [];
    this.building = [];
    return held;
  }

  /**
   * The frames since the last keyframe that this writer still holds (the fragment being built,
   * when it starts at a keyframe), in order; empty when the fragment began mid-GOP (cut for its
   * length) or nothing is held. Their memory stays valid until the caller returns: read at once.
   */
  heldGop(): readonly VideoFrame[] {
    return this.building[0]?.keyframe ? this.building : [];
  }

  /**
   * What waits for the disk now (for a stalled caller's report): jobs queued, their bytes, the
   * next job's kind, and fragments written but waiting for their sync (their pictures already freed).
   */
  backlog(): { jobs: number; queuedBytes: number; running: boolean; next: string | undefined; building: number; unsynced: number; syncing: number } {
    const unsynced = this.current?.unsynced.length ?? 0;
    return { jobs: this.jobs.length, queuedBytes: this.queuedBytes, running: this.running, next: this.jobs[0]?.kind, building: this.building.length, unsynced, syncing: this.syncLoops.size };
  }

  private enqueue(job: Job): void {
    if (job.kind === 'fragment') this.queuedBytes += job.out.byteLength;
    this.jobs.push(job);
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      for (let job = this.jobs.shift(); job; job = this.jobs.shift()) {
        // Fragments of one file queued behind this one are written with it. Their sync runs apart
        // (`syncLater`): the pump writes on while it runs, and the next sync makes durable all
        // that was written meanwhile: a disk that lags gets fewer, not more, syncs to do.
        const group: FragmentJob[] = [];
        if (job.kind === 'fragment') {
          group.push(job);
          while (this.jobs[0]?.kind === 'fragment' && this.jobs[0].target === job.target) group.push(this.jobs.shift() as FragmentJob);
        }
        try {
          await (group.length ? this.writeFragments(group) : this.run(job));
        } catch (e) {
          this.failed(job, e);
        } finally {
          for (const f of group) {
            this.queuedBytes -= f.out.byteLength;
            // Written (or given up): nothing reads these frames any more.
            releaseJob(f);
          }
        }
      }
    } finally {
      this.running = false;
      this.settleIdle();
    }
  }

  /** A file that cannot be created or written is given up; the next keyframe opens a new one. */
  private failed(job: Job, e: unknown): void {
    job.target.failed = true;
    if (e instanceof LeaseFencedError) this.deps.lease?.fenced();
    if (this.current === job.target) {
      this.current = undefined;
      releaseAll(this.takeHeld()); // the abandoned muxer's frames are never written
      this.pendingStartMs = 0;
      this.jobs.push({ kind: 'close', target: job.target });
    }
    const now = Date.now();
    // A full disk fails every second; say so once a minute per camera, not every time.
    if (now - this.lastErrorAt < 60_000) return;
    this.lastErrorAt = now;
    this.deps.logger.error({ err: e, cameraId: this.cameraId }, `recording ${job.kind} failed`);
    this.event('error', now, null, `${job.kind}: ${(e as Error).message}`);
  }

  private async run(job: Job): Promise<void> {
    const t = job.target;
    if (job.kind === 'create') return this.create(t);
    if (!t.file || t.fileId === undefined) return;
    if (job.kind === 'close') {
      // Every fragment written is synced and indexed (or given up) before the file closes, and so
      // before the next file's first fragment: rows reach the index in order.
      for (this.syncLater(t); t.syncing; this.syncLater(t)) await t.syncing;
      // After a failed write the file may hold a partial fragment past what is durable.
      if (t.failed) await this.deps.store.truncate(t.file.path, t.file.bytes).catch(() => undefined);
      await t.file.close();
      this.deps.index.closeFile(t.fileId, t.endMs, t.file.dataEnd);
      return;
    }
  }

  /**
   * Fragments of one file, in order: each appended (its frames' memory released once the bytes
   * are in the kernel, or copied for a direct write), then handed to the file's sync loop. Nothing
   * is indexed before a sync begun after its append has returned.
   */
  private async writeFragments(jobs: FragmentJob[]): Promise<void> {
    const t = jobs[0]!.target;
    if (!t.file || t.fileId === undefined || t.failed) return;
    if (this.deps.lease && !this.deps.lease.valid()) {
      // A lease not renewed in time may already be another node's: not one byte more under it.
      if (!this.leaseLapsed) this.deps.logger.warn({ cameraId: this.cameraId, epoch: this.deps.lease.epoch }, 'lease not renewed in time: fragments are not written under it');
      this.leaseLapsed = true;
      return this.lost(jobs);
    }
    this.leaseLapsed = false;
    const file = t.file;
    for (const job of jobs) {
      while (t.undoing) await t.undoing;
      if (t.failed) return;
      const previousEnd = file.dataEnd;
      const appending = file.append(job.out.bytes, () => releaseJob(job));
      t.appending = appending;
      const written = await appending.finally(() => (t.appending = undefined));
      t.unsynced.push({ job, written, previousEnd });
    }
    this.syncLater(t);
  }

  private lost(jobs: readonly FragmentJob[]): void {
    const frames = jobs.reduce((n, j) => n + j.out.videoSamples, 0);
    this.framesDropped += frames;
    this.deps.metrics?.framesLost.inc(frames);
  }

  /** Starts the file's sync loop unless one runs (it takes what is written meanwhile). */
  private syncLater(t: OpenFile): void {
    if (t.syncing || t.failed || !t.unsynced.length) return;
    const loop = this.syncLoop(t).finally(() => {
      t.syncing = undefined;
      this.syncLoops.delete(loop);
      // A fragment written between the loop's last look and here found it still running.
      this.syncLater(t);
      this.settleIdle();
    });
    t.syncing = loop;
    this.syncLoops.add(loop);
  }

  /**
   * One sync for every fragment of the file written so far, then their rows to the index in order;
   * again while more were written meanwhile. The lease is checked after each sync: a process paused
   * (or starved) past it takes the whole batch back, and whatever was written after it.
   */
  private async syncLoop(t: OpenFile): Promise<void> {
    const file = t.file!;
    while (t.unsynced.length && !t.failed) {
      const batch = t.unsynced.splice(0);
      try {
        await file.sync();
      } catch (e) {
        // The file ends at its last durable fragment (the close job cuts it there).
        t.unsynced.length = 0;
        this.failed(batch[0]!.job, e);
        if (!this.running && this.jobs.length) void this.pump();
        return;
      }
      if (this.deps.lease && !this.deps.lease.valid()) {
        const undo = (async () => {
          if (t.appending) await t.appending.catch(() => undefined);
          await file.undo(batch[0]!.written, batch[0]!.previousEnd);
        })();
        t.undoing = undo;
        try {
          await undo;
        } catch (e) {
          t.unsynced.length = 0;
          this.failed(batch[0]!.job, e);
          if (!this.running && this.jobs.length) void this.pump();
          return;
        } finally {
          t.undoing = undefined;
        }
        // Cut from the file with the batch: the fragments written after it.
        this.lost([...batch, ...t.unsynced.splice(0)].map((u) => u.job));
        continue;
      }
      for (const u of batch) this.indexed(t, u.job, u.written);
    }
  }

  /** A fragment now durable in its file: its row (and any gap before it) to the index. */
  private indexed(t: OpenFile, job: FragmentJob, written: WrittenFragment): void {
    const span = followOn(job.startMs, job.endMs, this.writtenEndMs);
    if (span.movedMs > 0) this.deps.logger.debug({ cameraId: this.cameraId, movedMs: span.movedMs }, 'the clock mapping stepped back: fragment moved to follow the one before');
    this.writtenEndMs = span.endMs;
    const gap = detectGap(this.lastEndMs, span.startMs, frameIntervalMs(t.info));
    if (gap) this.event('gap', gap.startMs, gap.endMs, '');
    this.lastEndMs = Math.max(span.endMs, this.lastEndMs ?? 0);
    t.endMs = Math.max(t.endMs, span.endMs);
    this.deps.index.fragment(
      {
        fileId: t.fileId!,
        cameraId: this.cameraId,
        seq: t.seq++,
        byteOffset: written.byteOffset,
        size: written.size,
        startMs: span.startMs,
        endMs: span.endMs,
        keyframe: job.out.keyframe,
        samples: job.out.sampleCount,
        sha256: written.sha256,
        ...(this.epoch ? { epoch: this.epoch } : {}),
      },
      // Where the file ends after this fragment (the last of a group: after all of them).
      written.byteOffset + written.size,
    );
    this.deps.metrics?.bytesWritten.inc(written.size);
    this.deps.metrics?.fragments.inc();
  }

  /** Index row first (an intent: open, no fragments), then the file with its init segment durable. */
  private async create(t: OpenFile): Promise<void> {
    if (this.deps.lease?.standby && this.deps.lease.whenHeld) {
      // A standby session's file waits for the lease (its fragments wait in memory behind it).
      const whenHeld = this.deps.lease.whenHeld;
      await new Promise<void>((resolve, reject) => {
        if (this.standbyAbandoned) return reject(new Error('the standby session was closed'));
        this.abandonWait = () => reject(new Error('the standby session was closed'));
        whenHeld().then(resolve, reject);
      }).finally(() => (this.abandonWait = undefined));
      await this.joinPrevious(t);
    }
    if (this.deps.lease && !this.deps.lease.valid()) {
      // No file under a lease that may have run out; its fragments are skipped. Not for the
      // file's whole length, though (a lease round late under load, renewed a moment later):
      // the next keyframe opens a new file, created once the lease is valid again.
      t.failed = true;
      if (this.current === t) {
        this.current = undefined;
        releaseAll(this.takeHeld());
        this.pendingStartMs = 0;
      }
      return;
    }
    const lease = this.deps.lease ? { epoch: this.deps.lease.epoch, nodeId: this.deps.lease.nodeId } : {};
    const init = t.muxer.init();
    const video = t.muxer.tracks.find((k) => k.kind === 'video');
    if (this.writtenEndMs !== undefined) t.startMs = Math.max(t.startMs, this.writtenEndMs);
    for (let startMs = Math.round(t.startMs), attempt = 0; ; startMs++, attempt++) {
      const path = this.deps.store.pathFor(this.cameraId, startMs);
      const intent = { cameraId: this.cameraId, path, codec: video?.codec ?? t.info.video.codecString, width: t.info.video.width, height: t.info.video.height, initSize: init.length, startedAt: startMs, ...lease, ...(this.deps.origin ? { origin: this.deps.origin } : {}) };
      let away = false;
      const row = await this.deps.repo.createFile(intent).catch((e: unknown) => {
        if (attempt < 5 && /unique|duplicate/i.test(String((e as Error).message))) return undefined;
        // The database is away (a restart, an outage): the file is recorded all the same and its
        // row inserted, under the same fencing check, when the index reaches the database again.
        if (this.deps.index.deferFile && databaseUnreachable(e)) return (away = true), undefined;
        throw e;
      });
      if (away) {
        try {
          t.file = await RecordingFile.create(this.deps.store, path, init);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue;
          throw e;
        }
        t.fileId = this.deps.index.deferFile!(intent);
        this.deps.metrics?.bytesWritten.inc(init.length);
        return;
      }
      if (!row) continue; // same camera, same millisecond: the next one
      try {
        t.file = await RecordingFile.create(this.deps.store, path, init);
      } catch (e) {
        await this.deps.repo.deleteFile(row.id).catch(() => undefined);
        if ((e as NodeJS.ErrnoException).code === 'EEXIST' && attempt < 5) continue;
        throw e;
      }
      t.fileId = row.id;
      this.deps.metrics?.bytesWritten.inc(init.length);
      return;
    }
  }

  /**
   * A promoted standby session starts where the previous holder's footage ends: its buffered
   * fragments from the last keyframe at or before that end are kept, those before it dropped (the
   * previous holder recorded that time), so the hand-over leaves neither a hole nor more overlap
   * than a part of one GOP.
   */
  private async joinPrevious(t: OpenFile): Promise<void> {
    const previousEnd = await this.deps.repo.lastRecordedEnd(this.cameraId).catch(() => undefined);
    if (previousEnd === undefined) return;
    this.lastEndMs = previousEnd;
    const mine = this.jobs.filter((j): j is Extract<Job, { kind: 'fragment' }> => j.kind === 'fragment' && j.target === t);
    let from = -1;
    for (let i = 0; i < mine.length; i++) if (mine[i]!.out.keyframe && mine[i]!.startMs <= previousEnd) from = i;
    if (from <= 0) return;
    const dropped = new Set<Job>(mine.slice(0, from));
    for (const j of dropped) {
      const f = j as Extract<Job, { kind: 'fragment' }>;
      this.queuedBytes -= f.out.byteLength;
      releaseAll(f.releases);
    }
    this.jobs.splice(0, this.jobs.length, ...this.jobs.filter((j) => !dropped.has(j)));
    t.startMs = mine[from]!.startMs;
  }

  private event(kind: CameraEventKind, startMs: number, endMs: number | null, detail: string): void {
    if (this.deps.lease?.standby) return;
    const e: CameraEvent = { cameraId: this.cameraId, kind, startMs, endMs, detail, ...(this.epoch ? { epoch: this.epoch } : {}) };
    this.deps.index.event(e);
  }
}

function releaseAll(releases: readonly Release[]): void {
  for (const r of releases) r();
}

/** Releases a fragment's frames once, whichever comes first: copied for the disk, or done. */
function releaseJob(job: { releases: Release[] }): void {
  const releases = job.releases;
  job.releases = [];
  releaseAll(releases);
}

function videoConfig(info: StreamInfo): VideoConfig {
  const [a, b, c] = info.video.parameterSets;
  return info.video.codec === 'h264' ? { codec: 'h264', sps: a!, pps: b! } : { codec: 'h265', vps: a!, sps: b!, pps: c! };
}

function audioConfig(info: StreamInfo): AudioConfig | undefined {
  const a = info.audio;
  if (!a) return undefined;
  if (a.codec === 'aac') return a.config ? { codec: 'aac', config: a.config } : undefined;
  return { codec: a.codec, sampleRate: a.sampleRate, channels: a.channels };
}

function sameVideo(a: StreamInfo, b: StreamInfo): boolean {
  const x = a.video.parameterSets;
  const y = b.video.parameterSets;
  return a.video.codec === b.video.codec && x.length === y.length && x.every((p, i) => p.equals(y[i]!));
}

function frameIntervalMs(info: StreamInfo): number {
  const fps = info.video.fps;
  return fps && fps > 0 ? 1000 / fps : 40;
}
