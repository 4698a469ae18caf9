// One supervised session per camera: connect (in the recorder-wide stagger order), record until
// the source fails or goes quiet, close the file, back off with jitter, and again — until closed.
// Nothing here awaits another camera: each session has its own loop, source and write queue.
import type { Logger } from 'pino';
import type { CameraEventKind, RecordableCamera, RecordingRepository } from '../db/recording.repository.js';
import type { Clock } from '../domain/clock.js';
import { IngestError, SOURCE_UNAVAILABLE, SourceRefusedError } from '../ingest/errors.js';
import { redactUrl } from '../ingest/registry.js';
import { EventEmitter } from 'node:events';
import type { MediaSource, SourceOptions, StreamInfo, VideoFrame } from '../ingest/source.js';
import { backoffDelay } from './backoff.js';
import { CameraWriter } from './camera-writer.js';
import type { ConnectGate } from './connect-gate.js';
import type { IndexWriter } from './index-writer.js';
import type { RecorderMetrics } from './metrics.js';
import type { SegmentStore } from './segment-store/segment-store.js';

const CLOCK_JUMP_QUIET_MS = 10_000;

export interface CameraSessionOptions {
  fileSeconds: number;
  fragmentMaxMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  /** No frame for this long → the connection is dropped and made again (default 5 s). */
  noDataTimeoutMs?: number;
  connectTimeoutMs?: number;
  /** A connection that recorded this long resets the backoff (default 5 s). */
  healthyAfterMs?: number;
}

export interface CameraSessionDeps {
  store: SegmentStore;
  repo: RecordingRepository;
  index: IndexWriter;
  gate: ConnectGate;
  clock: Clock;
  logger: Logger;
  metrics?: RecorderMetrics;
  acceptingWrites?: () => boolean;
  createSource(url: string, options: SourceOptions): MediaSource;
  random?: () => number;
  /** The lease this session records under (recorder nodes, issue 22); absent in a single process. */
  lease?: SessionLease;
}

export interface SessionLease {
  /** The fencing token written into every index row of this session (set on promotion of a standby one). */
  epoch: number;
  nodeId: string;
  /** Still safe to write under, by this process's monotonic clock. */
  valid(): boolean;
  /** The index refused the epoch. */
  fenced(): void;
  /**
   * Make-before-break: the session records before the lease is this node's. Its file and rows
   * wait for `whenHeld`; `ready` tells the holder once its first fragments are in hand.
   */
  standby?: boolean;
  ready?(): void;
  whenHeld?(): Promise<void>;
}

export type SessionState = 'waiting' | 'connecting' | 'recording' | 'closed';

export interface SessionStats {
  connects: number;
  failures: number;
  framesLost: number;
  frames: number;
}

export class CameraSession {
  state: SessionState = 'waiting';
  readonly stats: SessionStats = { connects: 0, failures: 0, framesLost: 0, frames: 0 };
  readonly writer: CameraWriter;
  private closing = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private abort: (() => void) | undefined;
  private lastError = '';
  private clockJumps = { reportedAt: -Infinity, count: 0 };
  private readonly log: Logger;
  /** What the camera sends, for live viewers on other nodes (issue 22); read at once by listeners. */
  private readonly live = new EventEmitter<{ info: [StreamInfo]; frame: [VideoFrame]; end: [] }>();
  /** The stream description of the current connection. */
  info: StreamInfo | undefined;
  /** The frame being handed to the live viewers, before the writer has it. */
  private delivering: VideoFrame | undefined;

  constructor(
    readonly camera: RecordableCamera,
    private readonly options: CameraSessionOptions,
    private readonly deps: CameraSessionDeps,
  ) {
    this.log = deps.logger.child({ cameraId: camera.id, source: redactUrl(camera.sourceUrl) });
    this.writer = new CameraWriter(camera.id, options, { ...deps, logger: this.log });
  }

  get epoch(): number {
    return this.deps.lease?.epoch ?? 0;
  }

  start(): void {
    this.loopDone ??= this.loop().catch((e: unknown) => {
      this.log.error({ err: e }, 'camera session stopped on an unexpected error');
    });
  }

  /**
   * Live viewers of this session's frames (this process's stream hubs, an API node's through the
   * node's footage server). A viewer is told at once the stream description and the frames since
   * the last keyframe that the writer still holds (none when its fragment began mid-GOP: the
   * viewer then waits for the next keyframe), then each frame as it comes, in order, none twice,
   * and when the session ends. Frames are read at once: their memory may be reused after.
   */
  subscribe(viewer: { onInfo(info: StreamInfo): void; onFrame(frame: VideoFrame): void; onEnd(): void }): () => void {
    // A session already closing would never tell this viewer it ended.
    if (this.closing) {
      queueMicrotask(() => viewer.onEnd());
      return () => undefined;
    }
    const onInfo = (i: StreamInfo) => viewer.onInfo(i);
    const onFrame = (f: VideoFrame) => viewer.onFrame(f);
    const onEnd = () => viewer.onEnd();
    this.live.on('info', onInfo).on('frame', onFrame).on('end', onEnd);
    if (this.info) {
      viewer.onInfo(this.info);
      for (const f of this.writer.heldGop()) viewer.onFrame(f);
      // Joined while a frame is being handed out (by another viewer's handler): that delivery
      // does not reach this viewer, and the writer takes the frame only after it.
      if (this.delivering) viewer.onFrame(this.delivering);
    }
    return () => void this.live.off('info', onInfo).off('frame', onFrame).off('end', onEnd);
  }

  async close(): Promise<void> {
    this.live.emit('end');
    this.live.removeAllListeners();
    this.closing = true;
    this.abort?.();
    this.wake?.();
    await this.loopDone;
    this.writer.abandonStandby();
    await this.writer.drained();
    this.state = 'closed';
  }

  private async loop(): Promise<void> {
    this.writer.lastEndMs = await this.deps.repo.lastRecordedEnd(this.camera.id).catch(() => undefined);
    const bounds = { minMs: this.options.reconnectMinMs, maxMs: this.options.reconnectMaxMs };
    let attempt = 0;
    while (!this.closing) {
      this.state = 'waiting';
      await this.sleep(this.deps.gate.reserve());
      if (this.closing) break;
      const healthy = await this.connectOnce();
      if (this.closing) break;
      if (healthy) attempt = 0;
      this.deps.metrics?.reconnects.inc();
      await this.sleep(backoffDelay(attempt++, bounds, this.deps.random));
    }
  }

  /** One connection, from connect to its end; true when it recorded long enough to count as healthy. */
  private connectOnce(): Promise<boolean> {
    const { clock, metrics } = this.deps;
    const noDataMs = this.options.noDataTimeoutMs ?? 5000;
    this.state = 'connecting';
    this.stats.connects++;
    let source: MediaSource;
    try {
      source = this.deps.createSource(this.camera.sourceUrl, { connectTimeoutMs: this.options.connectTimeoutMs ?? 5000, stallTimeoutMs: noDataMs });
    } catch (e) {
      this.failure(e as Error, false);
      return Promise.resolve(false);
    }
    return new Promise<boolean>((resolve) => {
      let connectedAt = 0;
      let lastFrameAt = clock.now();
      let lostSeen = 0;
      let ended = false;
      const syncLost = () => {
        const lost = source.stats.framesLost - lostSeen;
        if (lost > 0) {
          lostSeen += lost;
          this.stats.framesLost += lost;
          metrics?.framesLost.inc(lost);
        }
      };
      const watchdog = setInterval(() => {
        syncLost();
        if (clock.now() - lastFrameAt > noDataMs) end(new IngestError('INGEST_STALL', `no frames for ${noDataMs} ms`));
      }, Math.min(1000, noDataMs / 2));
      const end = (error: Error | undefined) => {
        if (ended) return;
        ended = true;
        clearInterval(watchdog);
        this.abort = undefined;
        syncLost();
        source.removeAllListeners('frame');
        source.close().catch(() => undefined);
        this.writer.endFile();
        const now = clock.now();
        if (connectedAt) {
          metrics?.sessionsUp.dec();
          this.event('disconnected', now, error ? `${errorCode(error)}: ${error.message}` : 'closed');
        }
        if (error && !this.closing) this.failure(error, connectedAt > 0);
        resolve(connectedAt > 0 && now - connectedAt >= (this.options.healthyAfterMs ?? 5000));
      };
      this.abort = () => end(undefined);
      source.on('info', (info) => {
        this.info = info;
        this.writer.setInfo(info);
        this.live.emit('info', info);
      });
      source.on('frame', (frame) => {
        lastFrameAt = clock.now();
        if (frame.kind === 'audio') return this.writer.audio(frame);
        this.stats.frames++;
        // Before the writer, which may hand the frame's memory back once it is written.
        if (this.live.listenerCount('frame')) {
          this.delivering = frame;
          try {
            this.live.emit('frame', frame);
          } finally {
            this.delivering = undefined;
          }
        }
        this.writer.video(frame);
      });
      source.on('clockJump', (j) => this.clockJump(j.atMs, j.deltaMs));
      source.on('notice', (n) => this.log.warn({ code: n.code }, n.message));
      source.on('error', (e) => end(e));
      source.on('close', () => end(new IngestError('INGEST_STALL', 'source closed')));
      source.start().then(
        () => {
          if (ended) return;
          connectedAt = clock.now();
          lastFrameAt = connectedAt;
          this.state = 'recording';
          metrics?.sessionsUp.inc();
          this.lastError = '';
          this.log.info('camera connected');
          this.event('connected', connectedAt, '');
        },
        (e: unknown) => end(e instanceof Error ? e : new Error(String(e))),
      );
    });
  }

  /** Logs a clock jump; a clock that keeps jumping is reported once per CLOCK_JUMP_QUIET_MS. */
  private clockJump(atMs: number, deltaMs: number): void {
    this.clockJumps.count++;
    const now = this.deps.clock.now();
    if (now - this.clockJumps.reportedAt < CLOCK_JUMP_QUIET_MS) return;
    const more = this.clockJumps.count - 1;
    this.clockJumps = { reportedAt: now, count: 0 };
    const detail = `${deltaMs > 0 ? '+' : ''}${deltaMs} ms${more > 0 ? ` (${more} more since the last report)` : ''}`;
    this.log.warn({ deltaMs, more }, 'camera clock jumped');
    this.event('clock_jump', atMs, detail);
  }

  /**
   * Logs a failure: the first of a streak (or a new reason) loudly, repeats quietly. What failed
   * and how (refused, timed out, no such file) tells what exists or answers at that address, so
   * it goes to the debug log only; the warn line and the camera event, which the timeline API
   * shows, say no more than the viewer is told (issue 14).
   */
  private failure(e: Error, afterConnect: boolean): void {
    this.stats.failures++;
    const reason = `${errorCode(e)}: ${e.message}`;
    if (afterConnect || reason !== this.lastError) {
      const shown = shownFailure(e);
      this.log.warn({ code: shown.code }, 'camera source could not be opened; reconnecting with backoff');
      this.log.debug({ code: errorCode(e), reason: e.message }, 'camera source failure detail');
      this.event('error', this.deps.clock.now(), `${shown.code}: ${shown.message}`);
    } else {
      this.log.debug({ code: errorCode(e) }, 'camera still unreachable');
    }
    this.lastError = reason;
  }

  private event(kind: CameraEventKind, startMs: number, detail: string): void {
    // A standby session writes nothing under the holder's lease, events included.
    if (this.deps.lease?.standby) return;
    this.deps.index.event({ cameraId: this.camera.id, kind, startMs, endMs: null, detail, ...(this.epoch ? { epoch: this.epoch } : {}) });
  }

  private sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closing) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

/** The failure as the warn log and the stored camera events may say it. */
function shownFailure(e: Error): { code: string; message: string } {
  return e instanceof SourceRefusedError ? { code: e.code, message: e.message } : { code: 'SOURCE_UNAVAILABLE', message: SOURCE_UNAVAILABLE };
}

function errorCode(e: Error): string {
  const code: unknown = (e as Error & { code?: unknown }).code;
  return typeof code === 'string' ? code : e.name;
}
