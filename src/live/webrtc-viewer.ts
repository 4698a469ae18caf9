// One browser watching one camera over WebRTC (werift), signalled WHEP-style: the browser's offer
// in, our answer out, with every ICE candidate in it (no trickle, no STUN/TURN servers: host
// candidates, loopback included). The camera's access units are packetized as they are — no
// per-viewer transcoding — and the GOP the feed holds is sent first with its timestamps packed
// together, so the picture appears at once and catches up to live instead of lagging by a GOP.
import { randomInt } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { MediaStreamTrack, RTCPeerConnection, RTCRtpCodecParameters, RtpHeader, RtpPacket } from 'werift';
import type { StreamInfo, VideoCodec, VideoFrame } from '../ingest/source.js';
import { parseH264Sps } from '../media/h264/sps.js';
import { LiveError } from './errors.js';
import { LagGate } from './lag-gate.js';
import { chooseOffered, restrictOffer, videoSection, type OfferedCodec } from './offer-codecs.js';
import { DirectRtpSender } from './direct-rtp-sender.js';
import { RTP_PAYLOAD_BYTES, rtpPayloadBytesFor, sharedFramePayloads } from './rtp-framer.js';
import type { FeedOpener, FeedSubscription, FeedViewer, StreamHub } from './stream-hub.js';
import { openFeedTranscoder, openTranscoder, transcodedFeedKey, transcodedOtherFeedKey } from './transcoder.js';

export interface WebRtcAnswer {
  sdp: string;
  codec: VideoCodec;
  /** H.265 camera, browser without H.265: one ffmpeg per camera makes H.264 for such viewers. */
  transcoded: boolean;
}

export interface WebRtcViewerOptions {
  /** Extra host addresses for ICE (default loopback), for browsers on this machine. */
  hostAddresses?: string[];
  /** How long a peer may stay disconnected before the viewer closes (default 5 s). */
  disconnectedMs?: number;
  /** Largest IP packet on the path to the browser (config live.pathMtu); default RTP_PAYLOAD_BYTES' 1280-byte path. */
  pathMtu?: number;
  /** Called for each picture sent, with its RTP timestamp (delay measurements). */
  onSent?: (frame: VideoFrame, rtpTimestamp: number) => void;
}

const CLOCK = 90000;

/** The codec string's profile_idc, e.g. 100 for avc1.64001f. */
function profileIdc(info: StreamInfo): number | undefined {
  const sps = info.video.parameterSets[0];
  if (info.video.codec !== 'h264' || !sps) return undefined;
  try {
    return parseH264Sps(sps).profileIdc;
  } catch {
    return undefined;
  }
}

/** A feed other than the camera's own (a device's recording played back): its hub key and opener. */
export interface OtherFeed {
  key: string;
  open: FeedOpener;
  /** How long to wait for its first stream description (default the hub's). */
  readyMs?: number;
}

export class WebRtcViewer extends EventEmitter<{ closed: [string] }> {
  readonly id = crypto.randomUUID();
  private pc: RTCPeerConnection | undefined;
  private readonly track = new MediaStreamTrack({ kind: 'video' });
  /** The packets' way out once DTLS is up (werift's track.writeRtp before). */
  private direct: DirectRtpSender | undefined;
  private subscription: FeedSubscription | undefined;
  private info: StreamInfo | undefined;
  /** Frames since the last keyframe, held until the peer connects. */
  private held: VideoFrame[] = [];
  private connected = false;
  private seq = randomInt(0, 0xffff);
  private readonly tsBase = randomInt(0, 0x7fffffff);
  private lastTs: number | undefined;
  private disconnectTimer: NodeJS.Timeout | undefined;
  private closedReason: string | undefined;
  /** Drops frames read late (this process starved, a backlog in the socket) so the viewer stays live. */
  private readonly gate = new LagGate();
  /** RTP payload bytes a packet, from the path MTU. */
  private readonly payloadBytes: number;
  framesSent = 0;
  bytesSent = 0;

  private constructor(
    readonly cameraId: number,
    private readonly options: WebRtcViewerOptions,
  ) {
    super();
    this.payloadBytes = options.pathMtu === undefined ? RTP_PAYLOAD_BYTES : rtpPayloadBytesFor(options.pathMtu);
  }

  get closed(): boolean {
    return this.closedReason !== undefined;
  }

  /** Answers a browser's offer for `cameraId`; the viewer streams until closed or the peer leaves. */
  static async answer(hub: StreamHub, cameraId: number, offerSdp: string, options: WebRtcViewerOptions = {}, feed?: OtherFeed): Promise<{ viewer: WebRtcViewer; answer: WebRtcAnswer }> {
    const offered = videoSection(offerSdp).codecs;
    const viewer = new WebRtcViewer(cameraId, options);
    try {
      const answer = await viewer.negotiate(hub, offerSdp, offered, feed);
      return { viewer, answer };
    } catch (e) {
      await viewer.close(`negotiation failed: ${(e as Error).message}`);
      throw e;
    }
  }

  private async negotiate(hub: StreamHub, offerSdp: string, offered: OfferedCodec[], feed: OtherFeed | undefined): Promise<WebRtcAnswer> {
    // Events of a subscription this viewer has left (the H.265 feed once it reads the transcoded one) are ignored.
    const sinkOf = (current: () => boolean): FeedViewer => ({ onInfo: (i) => current() && this.onInfo(i), onFrame: (f) => current() && this.onFrame(f), onEnd: (r) => current() && void this.close(r) });
    const first: { sub?: FeedSubscription } = {};
    const sink = sinkOf(() => this.subscription === first.sub);
    this.subscription = first.sub = feed ? hub.join(feed.key, feed.open, sink) : await hub.watch(this.cameraId, sink);
    const info = await this.subscription.feed.ready(feed?.readyMs);
    let chosen = chooseOffered(offered, info.video.codec, profileIdc(info));
    let transcoded = false;
    if (!chosen && info.video.codec === 'h265') {
      chosen = chooseOffered(offered, 'h264');
      if (!chosen) throw new LiveError('LIVE_OFFER', 'the browser offers neither H.265 nor H.264 (packetization-mode 1)');
      // Leave the H.265 feed for the one transcoded feed all such viewers of it share: a camera's,
      // or another feed's (a device playback, whose feed opens once: it is held until the
      // transcoder has joined it).
      const original = this.subscription;
      this.info = undefined;
      this.held = [];
      const second: { sub?: FeedSubscription } = {};
      this.subscription = second.sub = feed
        ? hub.join(transcodedOtherFeedKey(feed.key), openFeedTranscoder(feed.key, feed.open), sinkOf(() => this.subscription === second.sub))
        : hub.join(transcodedFeedKey(this.cameraId), openTranscoder(this.cameraId), sinkOf(() => this.subscription === second.sub));
      if (!feed) original.close();
      try {
        await this.subscription.feed.ready();
      } finally {
        if (feed) original.close();
      }
      transcoded = true;
    }
    if (!chosen) throw new LiveError('LIVE_OFFER', `the browser offers no ${info.video.codec === 'h264' ? 'H.264 (packetization-mode 1)' : 'H.265'} payload type`);
    const codec: VideoCodec = chosen.name === 'H265' ? 'h265' : 'h264';
    const fmtp = Object.entries(chosen.fmtp).map(([k, v]) => `${k}=${v}`).join(';');
    const pc = new RTCPeerConnection({
      codecs: {
        video: [new RTCRtpCodecParameters({ mimeType: `video/${chosen.name}`, clockRate: CLOCK, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }], ...(fmtp ? { parameters: fmtp } : {}) })],
        audio: [],
      },
      iceServers: [],
      iceUseIpv6: false,
      iceAdditionalHostAddresses: this.options.hostAddresses ?? ['127.0.0.1'],
    });
    this.pc = pc;
    pc.connectionStateChange.subscribe((state) => this.onConnectionState(state));
    await pc.setRemoteDescription({ type: 'offer', sdp: restrictOffer(offerSdp, chosen.payloadType) });
    // werift's ICE falls back to a public STUN server when none is configured; we gather host
    // candidates only and must send nothing off this machine, so the fallback is removed before
    // gathering starts (in setLocalDescription).
    for (const t of pc.iceTransports) (t.connection as unknown as { stunServer: unknown }).stunServer = undefined;
    const transceiver = pc.getTransceivers().find((t) => t.kind === 'video');
    if (!transceiver) throw new LiveError('LIVE_OFFER', 'the offer has no video transceiver');
    transceiver.setDirection('sendonly');
    transceiver.sender.registerTrack(this.track);
    this.direct = new DirectRtpSender(transceiver.sender);
    await pc.setLocalDescription(await pc.createAnswer());
    await this.gathered(pc);
    const sdp = pc.localDescription?.sdp;
    if (!sdp) throw new LiveError('LIVE_OFFER', 'no local description');
    return { sdp, codec, transcoded };
  }

  private gathered(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 3000);
      pc.iceGatheringStateChange.subscribe((s) => {
        if (s === 'complete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  private onConnectionState(state: string): void {
    if (state === 'connected') {
      clearTimeout(this.disconnectTimer);
      if (!this.connected) {
        this.connected = true;
        this.flushHeld();
      }
    } else if (state === 'disconnected') {
      this.disconnectTimer ??= setTimeout(() => void this.close('peer disconnected'), this.options.disconnectedMs ?? 5000);
    } else if (state === 'failed' || state === 'closed') {
      void this.close(`peer connection ${state}`);
    }
  }

  private onInfo(info: StreamInfo): void {
    this.info = info;
    this.gate.reset();
  }

  /** Frames not sent because they were read too late (LagGate). */
  get framesDroppedLate(): number {
    return this.gate.dropped;
  }

  private onFrame(f: VideoFrame): void {
    if (this.closed || !this.info) return;
    if (!this.connected) {
      if (f.keyframe) this.held = [];
      if (f.keyframe || this.held.length) this.held.push(f);
      return;
    }
    if (this.lastTs === undefined && !f.keyframe) return;
    if (!this.gate.pass(f.pts90k, f.keyframe, performance.now())) return;
    this.send(f, this.tsOf(f));
  }

  private tsOf(f: VideoFrame): number {
    return (this.tsBase + f.pts90k) >>> 0;
  }

  /** Sends the held GOP, its timestamps 1 ms apart ending at the newest frame's. */
  private flushHeld(): void {
    const held = this.held;
    this.held = [];
    if (!held.length) return;
    const last = this.tsOf(held[held.length - 1]!);
    held.forEach((f, i) => this.send(f, (last - (held.length - 1 - i) * (CLOCK / 1000)) >>> 0));
  }

  private send(f: VideoFrame, ts: number): void {
    const info = this.info!;
    const payloads = sharedFramePayloads(info.video.codec, f, info.video.parameterSets, this.payloadBytes);
    if (this.direct?.sendPicture(payloads, (this.seq + 1) & 0xffff, ts)) {
      this.seq = (this.seq + payloads.length) & 0xffff;
      for (const p of payloads) this.bytesSent += p.length;
    } else {
      payloads.forEach((payload, i) => {
        this.seq = (this.seq + 1) & 0xffff;
        const header = new RtpHeader({ payloadType: 96, sequenceNumber: this.seq, timestamp: ts, marker: i === payloads.length - 1 });
        this.track.writeRtp(new RtpPacket(header, payload));
        this.bytesSent += payload.length;
      });
    }
    this.lastTs = ts;
    this.framesSent++;
    this.options.onSent?.(f, ts);
  }

  async close(reason = 'closed'): Promise<void> {
    if (this.closedReason !== undefined) return;
    this.closedReason = reason;
    clearTimeout(this.disconnectTimer);
    this.subscription?.close();
    this.held = [];
    await this.pc?.close().catch(() => undefined);
    this.emit('closed', reason);
  }
}
