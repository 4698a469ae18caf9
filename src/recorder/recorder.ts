// The recorder: recovers what a crash left, then keeps one session per recordable camera (in
// service, with a source URL), following changes to the camera list, and batches the index.
import type { Logger } from 'pino';
import type { CameraEvent, RecordableCamera, RecordingRepository } from '../db/recording.repository.js';
import type { Clock } from '../domain/clock.js';
import { createSource as createRegisteredSource } from '../ingest/index.js';
import type { MediaSource, SourceOptions } from '../ingest/source.js';
import type { SourceGuard } from '../ingest/source-guard.js';
import { CameraSession, type CameraSessionOptions, type SessionLease } from './camera-session.js';
import { ConnectGate } from './connect-gate.js';
import { IndexWriter } from './index-writer.js';
import type { CameraLeases } from './leases.js';
import type { RecorderMetrics } from './metrics.js';
import { recoverLostEpoch, recoverRecordings, type RecoveryReport } from './recovery.js';
import type { FencedFootageRepository } from '../db/fenced-footage.repository.js';
import { SegmentStore } from './segment-store/segment-store.js';

export interface RecorderSettings {
  fileSeconds: number;
  fragmentMaxMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
  staggerMs: number;
  /** Direct I/O for recording files where the filesystem allows it (default false: through the page cache, then fdatasync). */
  directIo?: boolean;
}

export interface RecorderDeps {
  dataDir: string;
  settings: RecorderSettings;
  repo: RecordingRepository;
  clock: Clock;
  logger: Logger;
  metrics?: RecorderMetrics;
  /** False while the recordings volume is full (see disk-gate.ts). */
  acceptingWrites?: () => boolean;
  /** The source policy every camera's source is opened through (issue 14). */
  sources: SourceGuard;
  /** Told of camera changes made in this process: the camera list is read again at once. */
  cameraChanges?: { on(listener: () => void): () => void };
  /** Defaults to the scheme registry of src/ingest, through `sources`. */
  createSource?: (url: string, options: SourceOptions) => MediaSource;
  /**
   * Camera leases (recorder nodes over PostgreSQL, issue 22): only the cameras this node holds
   * are recorded, each under its lease's epoch. Without, every recordable camera, epoch 0.
   */
  leases?: CameraLeases;
  /**
   * Where fragments written under a lease this node lost are registered when kept aside
   * (fenced-footage.ts); without, they are cut off as before.
   */
  fencedFootage?: FencedFootageRepository;
  /** Told of camera events (gaps, connects, errors) once they are in the index. */
  onCameraEvents?: (events: CameraEvent[]) => void;
}

export interface RecorderOptions {
  /** How often the camera list is read again (default 10 s). */
  refreshMs?: number;
  noDataTimeoutMs?: number;
  connectTimeoutMs?: number;
  indexIntervalMs?: number;
}

export class Recorder {
  readonly sessions = new Map<number, CameraSession>();
  readonly store: SegmentStore;
  readonly index: IndexWriter;
  recovery: RecoveryReport | undefined;
  private readonly gate: ConnectGate;
  private timer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  /** A change came while the list was being read: read it once more after. */
  private again = false;
  private unlisten: (() => void) | undefined;
  private unlistenLeases: (() => void) | undefined;
  /** Cameras being stopped for a hand-over: not started again meanwhile. */
  private readonly stopping = new Set<number>();
  private closed = false;

  constructor(
    private readonly deps: RecorderDeps,
    private readonly options: RecorderOptions = {},
  ) {
    this.store = new SegmentStore(deps.dataDir, { directIo: deps.settings.directIo ?? false });
    this.index = new IndexWriter(deps.repo, deps.clock, deps.logger, deps.metrics, {
      intervalMs: options.indexIntervalMs ?? 300,
      // The index refused an epoch: another node holds the camera; this one stops recording it.
      onFenced: (cameraId, epoch) => deps.leases?.fenced(cameraId, epoch),
      // Noticed within an index interval, before a lease round would: the leases are not let lapse.
      onFailed: () => deps.leases?.databaseUnreachable?.(),
      ...(deps.onCameraEvents ? { onEvents: deps.onCameraEvents } : {}),
    });
    this.gate = new ConnectGate(deps.settings.staggerMs, deps.clock);
  }

  async start(): Promise<void> {
    const leases = this.deps.leases;
    this.recovery = await recoverRecordings(this.deps.repo, this.store, this.deps.clock, this.deps.logger, leases?.nodeId, this.deps.fencedFootage);
    this.index.start();
    leases?.attach((ids) => this.stopCameras(ids));
    this.unlistenLeases = leases?.onChange(() => void this.refresh());
    await this.refresh();
    // Changes made in this process arrive as events; the poll catches those made elsewhere.
    this.unlisten = this.deps.cameraChanges?.on(() => void this.refresh());
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs ?? 10_000);
    this.timer.unref();
    // Known by now (the first file probed it), or probed here for the log.
    const directIo = (await this.store.directBuffers().catch(() => null)) !== null;
    this.deps.logger.info({ cameras: this.sessions.size, directIo }, 'recorder started');
  }

  /** Starts sessions for new cameras, stops those no longer recordable or whose URL changed. */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.again = true;
      return this.refreshing;
    }
    const round = async (): Promise<void> => {
      do {
        this.again = false;
        await this.sync();
      } while (this.again && !this.closed);
    };
    this.refreshing = round().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.unlisten?.();
    this.unlistenLeases?.();
    if (this.timer) clearInterval(this.timer);
    await this.refreshing?.catch(() => undefined);
    await Promise.all([...this.sessions.values()].map((s) => s.close()));
    this.sessions.clear();
    await this.index.close();
    await this.store.close();
  }

  /** The session recording the camera, for its live viewers on other nodes; undefined when none. */
  liveTap(cameraId: number): CameraSession | undefined {
    const s = this.sessions.get(cameraId);
    return s && s.state !== 'closed' ? s : undefined;
  }

  /**
   * Stops cameras about to be handed over: their files closed and their last fragments indexed
   * under the epoch still held, before the lease is given up.
   */
  async stopCameras(ids: number[]): Promise<void> {
    for (const id of ids) this.stopping.add(id);
    try {
      const sessions = ids.flatMap((id) => {
        const s = this.sessions.get(id);
        this.sessions.delete(id);
        return s ? [s] : [];
      });
      await Promise.all(sessions.map((s) => s.close()));
      await this.index.flush();
      if (this.index.queued) await this.index.flush();
    } finally {
      for (const id of ids) this.stopping.delete(id);
    }
  }

  private async sync(): Promise<void> {
    let cameras: RecordableCamera[];
    try {
      cameras = await this.deps.repo.recordableCameras();
    } catch (e) {
      this.deps.logger.error({ err: e }, 'camera list could not be read; keeping the sessions as they are');
      return;
    }
    if (this.closed) return;
    const held = this.deps.leases?.held();
    // Make-before-break: cameras being handed to this node are recorded already, without rows,
    // by a standby session that is promoted when the lease arrives.
    const incoming = this.deps.leases?.incoming?.() ?? new Set<number>();
    if (held) cameras = cameras.filter((c) => (held.has(c.id) || incoming.has(c.id)) && !this.stopping.has(c.id));
    const epochOf = (id: number) => held?.get(id) ?? 0;
    const wanted = new Map(cameras.map((c) => [c.id, c]));
    const stopping: Promise<void>[] = [];
    /** Cameras whose lease this node lost while recording them (not handed over): camera → epoch. */
    const lost = new Map<number, number>();
    for (const [id, session] of this.sessions) {
      if (wanted.get(id)?.sourceUrl === session.camera.sourceUrl && session.epoch === epochOf(id)) continue;
      if (held && session.epoch > 0 && session.epoch !== epochOf(id)) lost.set(id, session.epoch);
      this.sessions.delete(id);
      stopping.push(session.close());
    }
    await Promise.all(stopping);
    if (lost.size) await this.setAsideLost(lost);
    for (const camera of cameras) {
      if (this.sessions.has(camera.id) || this.closed) continue;
      const leases = this.deps.leases;
      const session = new CameraSession(camera, this.sessionOptions(), {
        ...(leases ? { lease: sessionLease(leases, camera.id, epochOf(camera.id)) } : {}),
        store: this.store,
        repo: this.deps.repo,
        index: this.index,
        gate: this.gate,
        clock: this.deps.clock,
        logger: this.deps.logger,
        ...(this.deps.metrics ? { metrics: this.deps.metrics } : {}),
        ...(this.deps.acceptingWrites ? { acceptingWrites: this.deps.acceptingWrites } : {}),
        createSource: this.deps.createSource ?? ((url, options) => createRegisteredSource(url, { ...options, guard: this.deps.sources })),
      });
      this.sessions.set(camera.id, session);
      session.start();
    }
  }

  /**
   * The files of lost leases, closed by their sessions but left open in the index (their rows were
   * refused), are settled now rather than at the next restart: fragments the index refused are
   * kept aside, a file the lease still covers (it lapsed here, nobody took it) is indexed to its end.
   */
  private async setAsideLost(lost: Map<number, number>): Promise<void> {
    const nodeId = this.deps.leases?.nodeId;
    if (!nodeId) return;
    await this.index.flush().catch(() => undefined);
    for (const [cameraId, epoch] of lost) {
      try {
        await recoverLostEpoch(cameraId, epoch, this.deps.repo, this.store, this.deps.clock, this.deps.logger, nodeId, this.deps.fencedFootage);
      } catch (e) {
        // The database away: the file stays open, and the next start's recovery settles it.
        this.deps.logger.warn({ err: e, cameraId, epoch }, 'files of a lost lease left for the next recovery');
      }
    }
  }

  private sessionOptions(): CameraSessionOptions {
    const s = this.deps.settings;
    const o: CameraSessionOptions = {
      fileSeconds: s.fileSeconds,
      fragmentMaxMs: s.fragmentMaxMs,
      reconnectMinMs: s.reconnectMinMs,
      reconnectMaxMs: s.reconnectMaxMs,
    };
    if (this.options.noDataTimeoutMs !== undefined) o.noDataTimeoutMs = this.options.noDataTimeoutMs;
    if (this.options.connectTimeoutMs !== undefined) o.connectTimeoutMs = this.options.connectTimeoutMs;
    return o;
  }
}

/**
 * The lease a camera's session records under. Epoch 0 on a node with leases is a standby session
 * of a hand-over: it writes no row until `whenHeld` gives it the epoch the holder passed on.
 */
function sessionLease(leases: CameraLeases, cameraId: number, heldEpoch: number): SessionLease {
  const lease: SessionLease = {
    epoch: heldEpoch,
    nodeId: leases.nodeId,
    valid: () => leases.valid(cameraId, lease.epoch),
    fenced: () => leases.fenced(cameraId, lease.epoch),
  };
  if (heldEpoch === 0 && leases.whenHeld && leases.ready) {
    const { whenHeld, ready } = leases;
    lease.standby = true;
    lease.ready = () => ready.call(leases, cameraId);
    lease.whenHeld = async () => {
      lease.epoch = await whenHeld.call(leases, cameraId);
      lease.standby = false;
    };
  }
  return lease;
}
