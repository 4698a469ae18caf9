// rtsp:// and rtsps:// cameras through our RtspClient (RFC 2326), TCP interleaved by default,
// UDP with `?rtsp_transport=udp` (removed before the URL goes to the camera) or the `transport`
// option. The client reorders UDP packets and maps RTP time to wall-clock time from RTCP sender
// reports (arrival time before the first one); this file only depacketizes and watches the clock.
// UDP falls back to TCP interleaved, as ffmpeg and VLC do, when the camera refuses UDP in SETUP
// (461 Unsupported Transport, RFC 2326 §11.3.15) or no RTP comes over UDP soon after PLAY (a
// firewall or NAT in between): the session is torn down, made again over TCP, and a `notice`
// says why.
import { EventEmitter } from 'node:events';
import { copyRtpPacket, InPlaceRtpPacket } from '../media/rtp/rtp-packet.js';
import { RtspError } from '../media/rtsp/errors.js';
import { RtspClient, type ClientTrack, type TrackPacket } from '../media/rtsp/rtsp-client.js';
import { AudioError } from '../media/audio/errors.js';
import { audioTrackHandler, type AudioTrackHandler } from './audio-track.js';
import { IngestError } from './errors.js';
import { redactUrl } from './registry.js';
import type { MediaSource, SourceEvents, SourceOptions, SourceStats, StreamInfo, VideoFrame, VideoTrackInfo } from './source.js';
import { VideoTrackHandler } from './video-track.js';

/** A camera clock moving this far against its own media time is logged as a jump. */
const CLOCK_JUMP_MS = 1000;
/** Consecutive packets of one other SSRC after which it replaces the locked one. */
const SSRC_SWITCH_PACKETS = 50;

interface StreamLock {
  ssrc: number;
  candidate: number;
  seen: number;
}

export interface RtspSourceOptions extends SourceOptions {
  transport?: 'tcp' | 'udp';
  /** Also record the camera's audio track when it has one we can use (default true). */
  audio?: boolean;
  /** Over UDP, no RTP for this long after PLAY means UDP does not get through: TCP is tried (default 3000). */
  udpTimeoutMs?: number;
  /** Local address of the UDP media sockets (default 0.0.0.0). */
  udpBindAddress?: string;
  /** Checks every connection's host and gives the address to use (src/ingest/source-guard.ts). */
  admit?: (url: URL) => Promise<string>;
}

export class RtspSource extends EventEmitter<SourceEvents> implements MediaSource {
  readonly displayUrl: string;
  readonly stats: SourceStats = { framesLost: 0, packetsLost: 0, bytesIn: 0 };
  /** The transport in use: 'tcp' after a fallback from UDP. */
  transport: 'tcp' | 'udp';
  private client: RtspClient;
  private readonly target: URL;
  private readonly options: RtspSourceOptions;
  private rtpSeen = false;
  private udpTimer: NodeJS.Timeout | undefined;
  /** A client is being started: its failure is the start's rejection, not an event. */
  private starting = false;
  private closing = false;
  private video: { index: number; handler: VideoTrackHandler } | undefined;
  private audio: { index: number; handler: AudioTrackHandler } | undefined;
  private readonly wantAudio: boolean;
  private info: StreamInfo | undefined;
  private lastWall = 0;
  private lastPts = 0;
  private prevPacketWall = 0;
  private readonly streams = new Map<number, StreamLock>();
  /** The first packet of a track, until a second one in sequence confirms its SSRC. */
  private readonly firstSeen = new Map<number, { ssrc: number; seq: number }>();
  private closed = false;

  constructor(url: URL, options: RtspSourceOptions = {}) {
    super();
    const target = new URL(url.href);
    const requested = target.searchParams.get('rtsp_transport');
    target.searchParams.delete('rtsp_transport');
    this.transport = options.transport ?? (requested === 'udp' ? 'udp' : 'tcp');
    this.target = target;
    this.options = options;
    this.displayUrl = redactUrl(target.href);
    this.wantAudio = options.audio !== false;
    this.client = this.newClient();
  }

  private newClient(): RtspClient {
    const o = this.options;
    const client = new RtspClient({
      url: this.target.href,
      transport: this.transport,
      connectTimeoutMs: o.connectTimeoutMs ?? 5000,
      responseTimeoutMs: o.connectTimeoutMs ?? 5000,
      stallTimeoutMs: o.stallTimeoutMs ?? 5000,
      ...(o.udpBindAddress ? { udpBindAddress: o.udpBindAddress } : {}),
      ...(o.admit ? { admit: o.admit } : {}),
      // Packets are consumed during the call: video is copied into slabs, audio below.
      transientPayloads: true,
      // Events of a client given up for another (a fallback) are not this source's.
      onRtp: (p) => {
        if (client !== this.client) return;
        this.rtpSeen = true;
        this.onPacket(p);
      },
    });
    client.on('error', (e) => {
      if (client === this.client && !this.starting) this.fail(e);
    });
    client.on('close', () => {
      if (client === this.client && !this.starting) this.finish();
    });
    return client;
  }

  async start(): Promise<void> {
    try {
      await this.startClient();
    } catch (e) {
      if (this.transport !== 'udp' || !(e instanceof RtspError && e.code === 'RTSP_TRANSPORT' && e.rtspStatus === 461)) throw e;
      await this.fallBack(`the camera refused UDP in SETUP (461 Unsupported Transport)`);
      return;
    }
    if (this.transport === 'udp') this.watchUdp();
  }

  private async startClient(): Promise<void> {
    const client = this.client;
    this.starting = true;
    try {
      await client.start((tracks) => this.select(tracks));
    } catch (e) {
      await client.close().catch(() => undefined);
      throw e;
    } finally {
      this.starting = false;
    }
    if (client.isClosed) throw new IngestError('INGEST_STALL', 'the camera closed the session as it started');
    const first = this.video!.handler.info;
    if (first) this.announce(first);
  }

  /** No RTP over UDP within udpTimeoutMs of PLAY: UDP does not get through, TCP is tried. */
  private watchUdp(): void {
    const ms = this.options.udpTimeoutMs ?? 3000;
    this.udpTimer = setTimeout(() => {
      this.udpTimer = undefined;
      if (this.rtpSeen || this.closing || this.closed) return;
      this.fallBack(`no RTP over UDP within ${ms} ms of PLAY`).catch((e: unknown) => {
        if (this.closing) return;
        this.fail(e instanceof Error ? e : new Error(String(e)));
        this.finish();
      });
    }, ms);
    this.udpTimer.unref();
  }

  /** Tears the UDP session down and makes it again over TCP interleaved. */
  private async fallBack(reason: string): Promise<void> {
    const old = this.client;
    this.transport = 'tcp';
    this.client = this.newClient(); // from here on the old client's events are ignored
    await old.close().catch(() => undefined);
    this.emit('notice', { code: 'TRANSPORT_FALLBACK', message: `${reason}: retrying over TCP interleaved` });
    if (this.closing) return;
    // A server that shares one media between sessions may still be tearing the refused one
    // down and answer 503 for a moment (GStreamer does): try again shortly, a few times.
    for (let attempt = 1; ; attempt++) {
      this.video = undefined;
      this.audio = undefined;
      this.streams.clear();
      this.firstSeen.clear();
      try {
        await this.startClient();
        return;
      } catch (e) {
        const busy = e instanceof RtspError && e.code === 'RTSP_STATUS' && e.rtspStatus === 503;
        if (!busy || attempt >= 4 || this.closing) throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      if (this.closing) return;
      this.client = this.newClient();
    }
  }

  /** The first H.264/H.265 video track, and the first usable audio track. */
  private select(tracks: ClientTrack[]): number[] {
    for (const t of tracks) {
      if (t.kind !== 'video' || this.video) continue;
      const handler = VideoTrackHandler.for(t);
      if (handler) this.video = { index: t.index, handler };
    }
    if (!this.video) throw new IngestError('INGEST_CODEC', `no H.264 or H.265 video track (tracks: ${tracks.map((t) => `${t.kind}/${t.codec || '?'}`).join(', ') || 'none'})`);
    for (const t of this.wantAudio ? tracks : []) {
      if (t.kind !== 'audio') continue;
      const handler = audioTrackHandler(t);
      if (!handler) continue;
      this.audio = { index: t.index, handler };
      break;
    }
    return this.audio ? [this.video.index, this.audio.index] : [this.video.index];
  }

  async close(): Promise<void> {
    this.closing = true; // a fallback under way stops here
    if (this.udpTimer) clearTimeout(this.udpTimer);
    this.udpTimer = undefined;
    await this.client.close();
    this.finish();
  }

  private onPacket(p: TrackPacket): void {
    const video = this.video;
    if (!video) return;
    if (!this.accept(p)) return;
    if (p.track !== video.index) return this.onAudio(p);
    const packet = p.packet;
    this.stats.bytesIn += (packet instanceof InPlaceRtpPacket ? packet.payloadEnd - packet.payloadStart : packet.payload.length) + 12;
    const lostBefore = video.handler.stats.lostPackets;
    const damagedBefore = video.handler.stats.damagedAccessUnits;
    const { units, changed } = video.handler.push(p.packet);
    this.stats.packetsLost += video.handler.stats.lostPackets - lostBefore;
    this.stats.framesLost += video.handler.stats.damagedAccessUnits - damagedBefore;
    if (changed && video.handler.info) this.announce(video.handler.info);
    for (const au of units) {
      // An access unit completes on its marker packet (same timestamp) or on the first packet
      // of the next one; its wall-clock time is that of its own packets.
      const wall = (au.pts90k >>> 0) === p.packet.timestamp ? p.wallClockMs : this.prevPacketWall;
      if (!this.info) {
        au.release?.();
        continue; // nothing recordable before parameter sets
      }
      this.watchClock(wall, au.pts90k);
      const frame: VideoFrame = { kind: 'video', wallClockMs: Math.round(wall), pts90k: au.pts90k, keyframe: au.keyframe, nalus: au.nalus };
      if (au.dts90k !== undefined) frame.dts90k = au.dts90k;
      if (au.release) frame.release = au.release;
      if (au.retain) frame.retain = au.retain;
      if (au.lengthPrefixed) frame.lengthPrefixed = true;
      this.emit('frame', frame);
    }
    this.prevPacketWall = p.wallClockMs;
  }

  /**
   * Only the negotiated payload type and one SSRC per track feed the depacketizers, so noise or a
   * second stream on the channel cannot pass for media. A stream is believed only once two
   * packets of one SSRC arrive in sequence: a lone random packet that happens to carry the right
   * payload type never reaches a recording. A new SSRC that persists (an encoder restarted behind
   * the same session) takes over.
   */
  private accept(p: TrackPacket): boolean {
    const track = this.client.tracks[p.track];
    if (!track || p.packet.payloadType !== track.payloadType) return false;
    let lock = this.streams.get(p.track);
    if (!lock) {
      const first = this.firstSeen.get(p.track);
      const follows = first && first.ssrc === p.packet.ssrc && ((p.packet.sequenceNumber - first.seq) & 0xffff) >= 1 && ((p.packet.sequenceNumber - first.seq) & 0xffff) <= 16;
      if (!follows) {
        this.firstSeen.set(p.track, { ssrc: p.packet.ssrc, seq: p.packet.sequenceNumber });
        return false;
      }
      this.firstSeen.delete(p.track);
      this.streams.set(p.track, { ssrc: p.packet.ssrc, candidate: 0, seen: 0 });
      return true;
    }
    if (p.packet.ssrc === lock.ssrc) {
      lock.seen = 0;
      return true;
    }
    if (p.packet.ssrc !== lock.candidate) {
      lock.candidate = p.packet.ssrc;
      lock.seen = 0;
    }
    if (++lock.seen < SSRC_SWITCH_PACKETS) return false;
    lock = { ssrc: p.packet.ssrc, candidate: 0, seen: 0 };
    this.streams.set(p.track, lock);
    return true;
  }

  private onAudio(p: TrackPacket): void {
    const audio = this.audio;
    if (!audio || p.track !== audio.index || !this.info) return;
    let frames;
    try {
      // The payload is the client's read buffer, reused after this call; audio depacketizers keep views.
      frames = audio.handler.push(copyRtpPacket(p.packet));
    } catch (e) {
      if (e instanceof AudioError) return; // a bad audio packet costs that packet only
      throw e;
    }
    if (!frames.length) return;
    const rate = audio.handler.info.sampleRate;
    const first = frames[0]!.pts;
    for (const f of frames) {
      this.emit('frame', { kind: 'audio', wallClockMs: Math.round(p.wallClockMs + ((f.pts - first) * 1000) / rate), pts: f.pts, data: f.data });
    }
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

  private announce(video: VideoTrackInfo): void {
    const info: StreamInfo = { video };
    if (this.audio) info.audio = this.audio.handler.info;
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
