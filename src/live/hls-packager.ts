// Low-latency HLS (RFC 8216bis §4.4.4.9 EXT-X-PART, §4.4.3.7 EXT-X-SERVER-CONTROL, blocking
// playlist reload §6.2.5.2) from one camera feed, held in memory: fMP4 parts of about
// `partMs` (the muxer cuts a GOP there), a segment per GOP made of its parts, a short window.
// One packager per camera serves every HLS viewer of it; the feed's GOP lets the first segment
// exist at once.
import { EventEmitter } from 'node:events';
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import { Fmp4Muxer, type FragmentOut } from '../media/fmp4/muxer.js';
import type { VideoConfig } from '../media/fmp4/init-segment.js';
import type { FeedSubscription, FeedViewer, StreamHub } from './stream-hub.js';
import { openFeedTranscoder, transcodedOtherFeedKey } from './transcoder.js';
import type { OtherFeed } from './webrtc-viewer.js';

export interface HlsPart {
  bytes: Buffer;
  durationS: number;
  independent: boolean;
}

export interface HlsSegment {
  msn: number;
  /** Wall-clock time of its first picture, epoch ms. */
  startMs: number;
  parts: HlsPart[];
  complete: boolean;
  durationS: number;
}

export interface HlsPackagerOptions {
  /** Target part duration (default 400 ms). */
  partMs?: number;
  /** Completed segments kept in the playlist (default 6). */
  windowSegments?: number;
}

const videoConfig = (info: StreamInfo): VideoConfig => {
  const [a, b, c] = info.video.parameterSets;
  return info.video.codec === 'h264' ? { codec: 'h264', sps: a!, pps: b! } : { codec: 'h265', vps: a!, sps: b!, pps: c! };
};

export class HlsPackager extends EventEmitter<{ update: [] }> {
  private muxer: Fmp4Muxer | undefined;
  private info: StreamInfo | undefined;
  init: Buffer | undefined;
  private segments: HlsSegment[] = [];
  private nextMsn = 0;
  private discontinuity = 0;
  private subscription: FeedSubscription | undefined;
  private pendingStartMs = 0;
  private readonly partMs: number;
  private readonly window: number;
  closed = false;
  /** H.265 made H.264 for a browser that cannot decode H.265 (attachFeed). */
  transcoded = false;

  constructor(options: HlsPackagerOptions = {}) {
    super();
    this.setMaxListeners(0);
    this.partMs = options.partMs ?? 400;
    this.window = options.windowSegments ?? 6;
  }

  private get sink(): FeedViewer {
    return { onInfo: (i) => this.onInfo(i), onFrame: (f) => this.onFrame(f), onEnd: () => this.close() };
  }

  async attach(hub: StreamHub, cameraId: number): Promise<void> {
    this.subscription = await hub.watch(cameraId, this.sink);
  }

  /**
   * Packages a feed that is not a camera's (a device's recording played back, which opens once):
   * as it comes, or, when it is H.265 and the browser cannot decode H.265 (`h265` false), through
   * the one transcoder of that feed, as WebRTC viewers of it do. The feed is held until the
   * transcoder has joined it.
   */
  async attachFeed(hub: StreamHub, feed: OtherFeed, h265: boolean): Promise<void> {
    const held = hub.join(feed.key, feed.open, { onInfo: () => undefined, onFrame: () => undefined, copiesFrames: true });
    try {
      const info = await held.feed.ready(feed.readyMs);
      this.transcoded = info.video.codec === 'h265' && !h265;
      if (this.closed) return;
      this.subscription = this.transcoded ? hub.join(transcodedOtherFeedKey(feed.key), openFeedTranscoder(feed.key, feed.open), this.sink) : hub.join(feed.key, feed.open, this.sink);
    } finally {
      held.close();
    }
  }

  get codecString(): string | undefined {
    return this.info?.video.codecString;
  }

  private onInfo(info: StreamInfo): void {
    this.info = info;
    this.muxer = new Fmp4Muxer({ video: videoConfig(info), maxFragmentMs: this.partMs });
    this.init = this.muxer.init();
    // A new init segment: the window starts over after a discontinuity.
    if (this.segments.length) this.discontinuity++;
    this.segments = [];
    this.emit('update');
  }

  private onFrame(f: VideoFrame): void {
    if (!this.muxer) return;
    let out: FragmentOut | null;
    try {
      out = this.muxer.addVideo(f);
    } catch {
      return;
    }
    if (out) this.addPart(out, f.wallClockMs);
    else if (!this.pendingStartMs) this.pendingStartMs = f.wallClockMs;
  }

  private addPart(out: FragmentOut, nextStartMs: number): void {
    const startMs = this.pendingStartMs || nextStartMs;
    this.pendingStartMs = nextStartMs;
    if (out.init) this.init = out.init;
    const part: HlsPart = { bytes: Buffer.concat(out.bytes, out.byteLength), durationS: (out.endTime90k - out.startTime90k) / 90000, independent: out.keyframe };
    let cur = this.segments[this.segments.length - 1];
    if (out.keyframe || !cur) {
      if (!out.keyframe) return; // a segment must start with a keyframe
      if (cur) cur.complete = true;
      cur = { msn: this.nextMsn++, startMs, parts: [], complete: false, durationS: 0 };
      this.segments.push(cur);
      while (this.segments.filter((s) => s.complete).length > this.window) this.segments.shift();
    }
    cur.parts.push(part);
    cur.durationS += part.durationS;
    this.emit('update');
  }

  segment(msn: number): HlsSegment | undefined {
    return this.segments.find((s) => s.msn === msn);
  }

  part(msn: number, index: number): HlsPart | undefined {
    return this.segment(msn)?.parts[index];
  }

  /** Whether the playlist already shows part `part` of segment `msn` (or the whole segment). */
  has(msn: number, part?: number): boolean {
    const s = this.segment(msn) ?? (msn < (this.segments[0]?.msn ?? 0) ? ({ complete: true } as HlsSegment) : undefined);
    if (!s) return false;
    if (part === undefined) return s.complete;
    return s.complete || (s.parts?.length ?? 0) > part;
  }

  /** Resolves when `has(msn, part)` holds, or after `timeoutMs` (the playlist is then served as is). */
  waitFor(msn: number, part: number | undefined, timeoutMs: number): Promise<boolean> {
    if (this.has(msn, part)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.off('update', check);
        resolve(ok);
      };
      const check = () => {
        if (this.closed) done(false);
        else if (this.has(msn, part)) done(true);
      };
      const timer = setTimeout(() => done(false), timeoutMs);
      this.on('update', check);
    });
  }

  /** Resolves when the first part exists (a new viewer's first playlist should not be empty). */
  ready(timeoutMs = 8000): Promise<boolean> {
    return this.waitFor(this.segments[0]?.msn ?? this.nextMsn, 0, timeoutMs);
  }

  playlist(): string {
    const partTarget = (this.partMs + 120) / 1000;
    const complete = this.segments.filter((s) => s.complete);
    const target = Math.max(1, ...complete.map((s) => Math.ceil(s.durationS)));
    const lines = [
      '#EXTM3U',
      '#EXT-X-VERSION:9',
      `#EXT-X-TARGETDURATION:${target}`,
      `#EXT-X-PART-INF:PART-TARGET=${partTarget.toFixed(3)}`,
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${(partTarget * 3).toFixed(3)}`,
      `#EXT-X-MEDIA-SEQUENCE:${this.segments[0]?.msn ?? this.nextMsn}`,
      `#EXT-X-DISCONTINUITY-SEQUENCE:${this.discontinuity}`,
      '#EXT-X-MAP:URI="init.mp4"',
    ];
    // Parts are listed for the last few segments only (§4.4.4.9: within 3 target durations).
    const partsFrom = Math.max(0, this.segments.length - 3);
    this.segments.forEach((s, i) => {
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startMs).toISOString()}`);
      if (i >= partsFrom) {
        s.parts.forEach((p, j) => lines.push(`#EXT-X-PART:DURATION=${p.durationS.toFixed(3)},URI="part-${s.msn}-${j}.m4s"${p.independent ? ',INDEPENDENT=YES' : ''}`));
      }
      if (s.complete) lines.push(`#EXTINF:${s.durationS.toFixed(3)},`, `seg-${s.msn}.m4s`);
    });
    return lines.join('\n') + '\n';
  }

  segmentBytes(msn: number): Buffer | undefined {
    const s = this.segment(msn);
    if (!s || !s.complete) return undefined;
    return Buffer.concat(s.parts.map((p) => p.bytes));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    this.emit('update');
  }
}
