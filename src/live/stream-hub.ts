// One ingest per camera, shared by every viewer (WebRTC, HLS, re-stream): the source is opened for
// the first viewer and closed a few seconds after the last one leaves, so a viewer who flips
// between cameras does not reconnect each time. The feed keeps the current GOP, so a new viewer
// starts decoding at a keyframe at once instead of waiting up to a GOP for the next one. A feed
// opened cold has no GOP yet: it asks the camera for a keyframe (GB/T 28181 IFameCmd, ONVIF
// SetSynchronizationPoint; MediaSource.requestKeyframe) as soon as the stream runs, without
// waiting for the answer, so the first viewer waits for that rather than for the GOP to come round.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { createSource as createRegisteredSource } from '../ingest/index.js';
import type { SourceGuard } from '../ingest/source-guard.js';
import { SOURCE_UNAVAILABLE, SourceRefusedError } from '../ingest/errors.js';
import type { MediaSource, SourceOptions, StreamInfo, VideoFrame } from '../ingest/source.js';
import { LiveError } from './errors.js';

export interface FeedViewer {
  /** Before the first frame, and again when the codec or its parameters change. */
  onInfo(info: StreamInfo): void;
  onFrame(frame: VideoFrame): void;
  /** The feed was closed for good (hub closing); reconnects of the source are not reported. */
  onEnd?(reason: string): void;
  /**
   * The viewer reads a frame's bytes only during `onFrame` (what it keeps, it copies), so the
   * source may write over them once the hub lets go. A viewer that does not say so may keep
   * frames: the hub claims each frame it is given for it, for good (VideoFrame.retain).
   */
  readonly copiesFrames?: boolean;
}

export interface FeedSubscription {
  readonly feed: CameraFeed;
  /** Leaves the feed; idempotent. */
  close(): void;
}

/** Opens the media of one feed: a camera's ingest, or a transcoder fed by another feed. */
export type FeedOpener = (hub: StreamHub) => Promise<MediaSource>;

export interface StreamHubOptions {
  /** Where a camera's stream comes from; undefined when the camera is unknown or has no URL. */
  sourceUrl(cameraId: number): Promise<string | undefined>;
  /**
   * The camera's stream from the recorder node that holds it (issue 22), asked each time the feed
   * is opened, so a camera that moved is found again; undefined (or a failure to ask): the camera
   * itself is opened.
   */
  relay?(cameraId: number): Promise<MediaSource | undefined>;
  /** The source policy every camera's source is opened through (issue 14). */
  sources: SourceGuard;
  /** Defaults to the scheme registry of src/ingest, through `sources`. */
  createSource?: (url: string, options: SourceOptions) => MediaSource;
  /** How long a feed stays open after its last viewer leaves (default 5 s). */
  lingerMs?: number;
  /** First pause before reopening a source that failed while watched (default 500 ms, doubling to 5 s). */
  retryMs?: number;
  /** The GOP kept for new viewers is dropped past this many bytes (a camera with huge GOPs). */
  maxGopBytes?: number;
  logger?: Logger;
}

export interface HubStats {
  feeds: number;
  viewers: number;
  /** Sources opened since the hub started (ingests and transcoders). */
  sourcesOpened: number;
  /** Keyframe requests sent to cameras (opened cold, or asked for by a viewer's platform). */
  keyframesAsked: number;
}

const MAX_GOP_FRAMES = 600;

/** One shared stream: its source, its viewers and the frames since the last keyframe. */
export class CameraFeed extends EventEmitter<{ info: [StreamInfo]; frame: [VideoFrame] }> {
  info: StreamInfo | undefined;
  private gop: VideoFrame[] = [];
  /** The claims the GOP holds on its frames' memory (VideoFrame.retain). */
  private gopClaims: (() => void)[] = [];
  private gopBytes = 0;
  private readonly viewers = new Set<FeedViewer>();
  private source: MediaSource | undefined;
  private opening: Promise<void> | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private closed = false;
  lastError: Error | undefined;

  constructor(
    readonly key: string,
    private readonly open: FeedOpener,
    private readonly hub: StreamHub,
    private readonly opts: { lingerMs: number; retryMs: number; maxGopBytes: number; logger: Logger | undefined; onIdle: () => void },
  ) {
    super();
    this.setMaxListeners(0);
    this.retryDelay = opts.retryMs;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Resolves with the stream description once the source has sent it. */
  ready(timeoutMs = 8000): Promise<StreamInfo> {
    if (this.info) return Promise.resolve(this.info);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('info', onInfo);
        // Why the source failed (what answered, what exists) is in the server's log, not the viewer's answer.
        const why = this.lastError instanceof SourceRefusedError ? `: ${this.lastError.message}` : this.lastError ? `: ${SOURCE_UNAVAILABLE}` : '';
        reject(new LiveError('LIVE_TIMEOUT', `no stream from ${this.key} within ${timeoutMs} ms${why}`));
      }, timeoutMs);
      const onInfo = (info: StreamInfo) => {
        clearTimeout(timer);
        resolve(info);
      };
      this.once('info', onInfo);
    });
  }

  add(viewer: FeedViewer): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    this.viewers.add(viewer);
    if (this.info) {
      viewer.onInfo(this.info);
      for (const f of this.gop) {
        if (!viewer.copiesFrames) f.retain?.();
        viewer.onFrame(f);
      }
    }
    if (!this.source && !this.opening && !this.retryTimer) this.start();
  }

  remove(viewer: FeedViewer): void {
    if (!this.viewers.delete(viewer) || this.viewers.size || this.closed) return;
    this.lingerTimer = setTimeout(() => void this.close('no viewers'), this.opts.lingerMs);
    this.lingerTimer.unref();
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.lingerTimer);
    clearTimeout(this.retryTimer);
    this.opts.onIdle();
    for (const v of this.viewers) v.onEnd?.(reason);
    this.viewers.clear();
    this.dropGop();
    await this.opening?.catch(() => undefined);
    const s = this.source;
    this.source = undefined;
    await s?.close();
    this.opts.logger?.debug({ feed: this.key, reason }, 'live feed closed');
  }

  private start(): void {
    this.opening = (async () => {
      let source: MediaSource | undefined;
      try {
        source = await this.open(this.hub);
        this.hub.countOpened();
        if (this.closed) return void (await source.close());
        this.source = source;
        source.on('info', (info) => this.onInfo(info));
        source.on('frame', (f) => {
          if (f.kind === 'video') this.onFrame(f);
        });
        source.on('error', (e) => {
          this.lastError = e;
        });
        source.on('close', () => this.onSourceClosed(source!));
        await source.start();
        this.retryDelay = this.opts.retryMs;
        // Opened cold: nobody has had a keyframe of this connection yet, so ask for one now.
        if (!this.gop.length && this.source === source) void this.requestKeyframe();
      } catch (e) {
        this.lastError = e as Error;
        // What answered or exists at the source is for the debug log only (issue 14).
        this.opts.logger?.warn({ feed: this.key, code: e instanceof SourceRefusedError ? e.code : 'SOURCE_UNAVAILABLE' }, 'live source could not be opened');
        this.opts.logger?.debug({ feed: this.key, err: (e as Error).message }, 'live source failure detail');
        if (source && this.source === source) this.source = undefined;
        await source?.close().catch(() => undefined);
        this.scheduleRetry();
      } finally {
        this.opening = undefined;
      }
    })();
  }

  /**
   * Asks the camera for a keyframe where its source can (MediaSource.requestKeyframe); resolves
   * true once asked, false when the source cannot ask or is not open. Never waits for the picture.
   */
  async requestKeyframe(): Promise<boolean> {
    const source = this.source;
    if (!source?.requestKeyframe) return false;
    try {
      const asked = await source.requestKeyframe();
      if (asked) this.hub.countKeyframeAsked();
      return asked;
    } catch (e) {
      this.opts.logger?.debug({ feed: this.key, err: (e as Error).message }, 'the camera could not be asked for a keyframe');
      return false;
    }
  }

  private onSourceClosed(source: MediaSource): void {
    if (this.source !== source) return;
    this.source = undefined;
    this.dropGop();
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    if (!this.viewers.size) return void this.close('source ended with no viewers');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed && !this.source && !this.opening) this.start();
    }, this.retryDelay);
    this.retryTimer.unref();
    this.retryDelay = Math.min(this.retryDelay * 2, 5000);
  }

  private onInfo(info: StreamInfo): void {
    this.info = info;
    this.dropGop();
    this.emit('info', info);
    for (const v of this.viewers) v.onInfo(info);
  }

  /**
   * Delivers a frame, then gives its memory back to the source (`release`): whoever keeps it past
   * the delivery (the GOP, the feed's listeners, a viewer that may keep frames) has claimed it by
   * then (`retain`), so a camera's slabs go back to its pool as soon as the last of them lets go,
   * as the recorder's do once written, instead of every picture taking fresh memory. A frame
   * whose memory cannot be claimed is released only when nothing kept it.
   */
  private onFrame(f: VideoFrame): void {
    if (!this.info) return void f.release?.();
    let kept = false;
    if (f.keyframe) this.dropGop();
    if (f.keyframe || this.gop.length) {
      let bytes = 0;
      for (const n of f.nalus) bytes += n.length;
      if (this.gop.length < MAX_GOP_FRAMES && this.gopBytes + bytes <= this.opts.maxGopBytes) {
        this.gop.push(f);
        const claim = f.retain?.();
        if (claim) this.gopClaims.push(claim);
        this.gopBytes += bytes;
        kept = true;
      } else this.dropGop();
    }
    // Listeners of the feed's own event, and viewers that may keep the frame, hold it for good.
    let held = this.listenerCount('frame') > 0;
    if (held) f.retain?.();
    this.emit('frame', f);
    for (const v of this.viewers) {
      if (!held && !v.copiesFrames) {
        f.retain?.();
        held = true;
      }
      v.onFrame(f);
    }
    if (f.release && (f.retain || !(kept || held))) f.release();
  }

  private dropGop(): void {
    this.gop = [];
    this.gopBytes = 0;
    const claims = this.gopClaims;
    this.gopClaims = [];
    for (const letGo of claims) letGo();
  }
}

export class StreamHub {
  private readonly feeds = new Map<string, CameraFeed>();
  private opened = 0;
  private keyframesAsked = 0;
  private closed = false;

  constructor(private readonly options: StreamHubOptions) {}

  /** Joins the camera's feed, opening its source if nobody is watching yet. */
  async watch(cameraId: number, viewer: FeedViewer): Promise<FeedSubscription> {
    const url = await this.options.sourceUrl(cameraId);
    if (!url) throw new LiveError('LIVE_NO_CAMERA', `camera ${cameraId} does not exist or has no source URL`);
    const create = this.options.createSource ?? createRegisteredSource;
    const relay = this.options.relay;
    return this.join(
      `camera:${cameraId}`,
      async () => (relay && (await relay(cameraId).catch((e: unknown) => void this.options.logger?.warn({ err: e, cameraId }, 'the recorder node holding the camera could not be looked up; opening the camera')))) || create(url, { guard: this.options.sources }),
      viewer,
    );
  }

  /** Joins a feed by key, opened by `open` when it does not run yet (derived feeds: transcoders). */
  join(key: string, open: FeedOpener, viewer: FeedViewer): FeedSubscription {
    if (this.closed) throw new LiveError('LIVE_SOURCE', 'the stream hub is closed');
    let feed = this.feeds.get(key);
    if (!feed) {
      const created: CameraFeed = new CameraFeed(key, open, this, {
        lingerMs: this.options.lingerMs ?? 5000,
        retryMs: this.options.retryMs ?? 500,
        maxGopBytes: this.options.maxGopBytes ?? 32 << 20,
        logger: this.options.logger,
        onIdle: () => {
          if (this.feeds.get(key) === created) this.feeds.delete(key);
        },
      });
      feed = created;
      this.feeds.set(key, feed);
    }
    const f = feed;
    f.add(viewer);
    let left = false;
    return {
      feed: f,
      close: () => {
        if (left) return;
        left = true;
        f.remove(viewer);
      },
    };
  }

  feed(key: string): CameraFeed | undefined {
    return this.feeds.get(key);
  }

  /** Asks a camera watched now for a keyframe (CameraFeed.requestKeyframe); false when nobody watches it. */
  async requestKeyframe(cameraId: number): Promise<boolean> {
    return (await this.feeds.get(`camera:${cameraId}`)?.requestKeyframe()) ?? false;
  }

  /** Called by a feed when it asked its camera for a keyframe. */
  countKeyframeAsked(): void {
    this.keyframesAsked++;
  }

  /** Called by a feed when one of its sources opened (for the shared-ingest figures). */
  countOpened(): void {
    this.opened++;
  }

  stats(): HubStats {
    let viewers = 0;
    for (const f of this.feeds.values()) viewers += f.viewerCount;
    return { feeds: this.feeds.size, viewers, sourcesOpened: this.opened, keyframesAsked: this.keyframesAsked };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.feeds.values()].map((f) => f.close('hub closed')));
    this.feeds.clear();
  }
}
