// rtsp:// and rtsps:// cameras through our RtspClient (RFC 2326), TCP interleaved by default,
// UDP with `?rtsp_transport=udp` (removed before the URL goes to the camera) or the `transport`
// option. The client reorders UDP packets and maps RTP time to wall-clock time from RTCP sender
// reports (arrival time before the first one); this file only depacketizes and watches the clock.
import { EventEmitter } from 'node:events';
import { RtspClient, type ClientTrack, type TrackPacket } from '../media/rtsp/rtsp-client.js';
import { H264TrackHandler, type VideoTrackHandler } from './h264-track.js';
import { IngestError } from './errors.js';
import { redactUrl } from './registry.js';
import type { MediaSource, SourceEvents, SourceOptions, SourceStats, StreamInfo, VideoFrame } from './source.js';

/** A camera clock moving this far against its own media time is logged as a jump. */
const CLOCK_JUMP_MS = 1000;

export interface RtspSourceOptions extends SourceOptions {
  transport?: 'tcp' | 'udp';
}

function videoHandler(track: ClientTrack): VideoTrackHandler | undefined {
  if (track.codec === 'H264') return new H264TrackHandler(track.h264?.parameterSets ?? [], track.framerate);
  return undefined;
}

/** The video tracks this source can record, by codec name, in order of preference. */
export const RTSP_VIDEO_CODECS = ['H264'] as const;

export class RtspSource extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl: string;
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  private readonly client: RtspClient;
  private video: { index: number; handler: VideoTrackHandler } | undefined;
  private info: StreamInfo | undefined;
  private lastWall = 0;
  private lastPts = 0;
  private prevPacketWall = 0;
  private closed = false;

  constructor(url: URL, options: RtspSourceOptions = {}) {
    super();
    const target = new URL(url.href);
    const requested = target.searchParams.get('rtsp_transport');
    target.searchParams.delete('rtsp_transport');
    const transport = options.transport ?? (requested === 'udp' ? 'udp' : 'tcp');
    this.displayUrl = redactUrl(target.href);
    this.client = new RtspClient({
      url: target.href,
      transport,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      responseTimeoutMs: options.connectTimeoutMs ?? 5000,
      stallTimeoutMs: options.stallTimeoutMs ?? 5000,
    });
    this.client.on('rtp', (p) => this.onPacket(p));
    this.client.on('error', (e) => this.fail(e));
    this.client.on('close', () => this.finish());
  }

  async start(): Promise<void> {
    await this.client.start((tracks) => {
      const video = tracks.find((t) => t.kind === 'video' && (RTSP_VIDEO_CODECS as readonly string[]).includes(t.codec));
      if (!video) throw new IngestError('INGEST_CODEC', `no H.264 video track (tracks: ${tracks.map((t) => `${t.kind}/${t.codec || '?'}`).join(', ') || 'none'})`);
      this.video = { index: video.index, handler: videoHandler(video)! };
      return [video.index];
    }).catch(async (e: unknown) => {
      await this.client.close().catch(() => undefined);
      throw e;
    });
    const first = this.video!.handler.info;
    if (first) this.announce({ video: first });
  }

  async close(): Promise<void> {
    await this.client.close();
    this.finish();
  }

  private onPacket(p: TrackPacket): void {
    const video = this.video;
    if (!video || p.track !== video.index) return;
    this.stats.bytesIn += p.packet.payload.length + 12;
    const lostBefore = video.handler.stats.lostPackets;
    const damagedBefore = video.handler.stats.damagedAccessUnits;
    const { units, changed } = video.handler.push(p.packet);
    this.stats.packetsLost += video.handler.stats.lostPackets - lostBefore;
    this.stats.framesLost += video.handler.stats.damagedAccessUnits - damagedBefore;
    if (changed && video.handler.info) this.announce({ video: video.handler.info });
    for (const au of units) {
      // An access unit completes on its marker packet (same timestamp) or on the first packet
      // of the next one; its wall-clock time is that of its own packets.
      const wall = (au.pts90k >>> 0) === p.packet.timestamp ? p.wallClockMs : this.prevPacketWall;
      if (!this.info) continue; // nothing recordable before parameter sets
      this.watchClock(wall, au.pts90k);
      const frame: VideoFrame = { kind: 'video', wallClockMs: Math.round(wall), pts90k: au.pts90k, keyframe: au.keyframe, nalus: au.nalus };
      if (au.dts90k !== undefined) frame.dts90k = au.dts90k;
      this.emit('frame', frame);
    }
    this.prevPacketWall = p.wallClockMs;
  }

  private watchClock(wall: number, pts90k: number): void {
    if (this.lastWall !== 0) {
      const expected = this.lastWall + (pts90k - this.lastPts) / 90;
      const delta = wall - expected;
      if (Math.abs(delta) > CLOCK_JUMP_MS) this.emit('clockJump', { atMs: Math.round(wall), deltaMs: Math.round(delta) });
    }
    this.lastWall = wall;
    this.lastPts = pts90k;
  }

  private announce(info: StreamInfo): void {
    this.info = info;
    this.emit('info', info);
  }

  private fail(e: Error): void {
    if (this.closed) return;
    this.emit('error', e);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.emit('close');
  }
}

export function createRtspSource(url: URL, options: SourceOptions): MediaSource {
  return new RtspSource(url, options as RtspSourceOptions);
}
