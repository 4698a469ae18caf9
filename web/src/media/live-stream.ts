// One picture in one <video>: WebRTC first (WHEP-style offer/answer, sub-second), LL-HLS
// through hls.js when WebRTC cannot connect or shows nothing. Each attempt fetches its own
// stream token, since a token opens one stream once. Live view and a device's own recording
// share it (their openers differ).
import { mediaApi } from '../api/media';
import { attachHls, type HlsHandle } from './hls-attach';

export type Transport = 'webrtc' | 'hls';
export type LiveState =
  | { phase: 'connecting'; transport: Transport }
  | { phase: 'playing'; transport: Transport; transcoded: boolean }
  | { phase: 'failed'; message: string; code?: string; error?: unknown };

export interface LiveStreamOptions {
  /** 'auto': WebRTC, then HLS. */
  prefer?: Transport | 'auto';
  /** How long WebRTC may take to show a first frame before HLS is tried. */
  webrtcTimeoutMs?: number;
  onState(state: LiveState): void;
}

/** Resolves once the offer carries the browser's ICE candidates (no trickle), or after a bound. */
export function gathered(pc: RTCPeerConnection, maxMs = 1500): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      pc.removeEventListener('icegatheringstatechange', check);
      clearTimeout(timer);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === 'complete') done();
    };
    const timer = setTimeout(done, maxMs);
    pc.addEventListener('icegatheringstatechange', check);
  });
}

/** Resolves when the element has decoded a frame; rejects after `ms`. */
export function firstFrame(video: HTMLVideoElement, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (video.readyState >= 2 && video.videoWidth > 0) return resolve();
    const timer = setTimeout(() => {
      video.removeEventListener('loadeddata', ok);
      reject(new Error('no picture arrived'));
    }, ms);
    const ok = () => {
      clearTimeout(timer);
      resolve();
    };
    video.addEventListener('loadeddata', ok, { once: true });
  });
}

/** How one kind of stream is opened on each transport; each call fetches its own stream token. */
export interface StreamOpeners {
  /** Posts the offer, returns the answer and the session it opened. */
  webrtc(offerSdp: string): Promise<{ sessionId: string; sdp: string; transcoded: boolean }>;
  hls(): Promise<{ sessionId: string; playlistUrl: string; transcoded?: boolean }>;
  /** Ends a session the server opened (its DELETE). */
  close(sessionId: string): Promise<unknown>;
  /** Errors after which HLS is not tried (beyond a refusal of the person): the source itself failed. */
  final?(e: unknown): boolean;
}

/**
 * A picture in one <video>: WebRTC first, LL-HLS when WebRTC cannot connect or shows nothing.
 * Live view and a device's recording (GB/T 28181 playback) differ only in their openers.
 */
export class FallbackStream {
  private pc: RTCPeerConnection | undefined;
  private hls: HlsHandle | undefined;
  sessionId: string | undefined;
  transport: Transport | undefined;
  private closed = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly openers: StreamOpeners,
    private readonly options: LiveStreamOptions,
  ) {}

  async start(): Promise<void> {
    const prefer = this.options.prefer ?? 'auto';
    let webrtcError: unknown;
    if (prefer !== 'hls' && typeof RTCPeerConnection !== 'undefined') {
      try {
        await this.startWebRtc();
        return;
      } catch (e) {
        webrtcError = e;
        this.stopTransport();
        // A refusal (no right to this camera) is final; only a failed connection falls back.
        if (prefer === 'webrtc' || isRefusal(e) || this.openers.final?.(e) || this.closed) return this.fail(e);
      }
    }
    try {
      await this.startHls();
    } catch (e) {
      this.stopTransport();
      this.fail(isRefusal(e) || !webrtcError ? e : webrtcError);
    }
  }

  private fail(e: unknown): void {
    if (this.closed) return;
    this.options.onState({ phase: 'failed', message: (e as Error)?.message ?? String(e), code: (e as { code?: string }).code, error: e });
  }

  private async startWebRtc(): Promise<void> {
    this.transport = 'webrtc';
    this.options.onState({ phase: 'connecting', transport: 'webrtc' });
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.ontrack = (ev) => {
      this.video.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
      void this.video.play().catch(() => undefined);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const answer = await this.openers.webrtc(pc.localDescription!.sdp);
    this.sessionId = answer.sessionId;
    if (this.closed) return this.stopTransport();
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await Promise.race([firstFrame(this.video, this.options.webrtcTimeoutMs ?? 6000), connectionFailed(pc)]);
    if (!this.closed) this.options.onState({ phase: 'playing', transport: 'webrtc', transcoded: answer.transcoded });
  }

  private async startHls(): Promise<void> {
    this.transport = 'hls';
    this.options.onState({ phase: 'connecting', transport: 'hls' });
    const opened = await this.openers.hls();
    this.sessionId = opened.sessionId;
    if (this.closed) return this.stopTransport();
    this.hls = await attachHls(this.video, opened.playlistUrl, { live: true });
    await firstFrame(this.video, 15000);
    if (!this.closed) this.options.onState({ phase: 'playing', transport: 'hls', transcoded: opened.transcoded ?? false });
  }

  private stopTransport(): void {
    this.pc?.close();
    this.pc = undefined;
    this.hls?.destroy();
    this.hls = undefined;
    this.video.srcObject = null;
    this.video.removeAttribute('src');
    if (this.sessionId) {
      const id = this.sessionId;
      this.sessionId = undefined;
      void this.openers.close(id).catch(() => undefined);
    }
  }

  /** The server ended the session itself: the picture stops here, and nothing is sent back to end it again. */
  forget(): void {
    this.sessionId = undefined;
    this.close();
  }

  close(): void {
    this.closed = true;
    this.stopTransport();
  }
}

/** Rejects when the peer connection fails (ICE found no way through): no need to wait for a first frame. */
function connectionFailed(pc: RTCPeerConnection): Promise<never> {
  return new Promise((_resolve, reject) => {
    const check = () => {
      if (pc.connectionState === 'failed' || pc.iceConnectionState === 'failed') {
        pc.removeEventListener('connectionstatechange', check);
        reject(new Error('the WebRTC connection failed'));
      }
    };
    pc.addEventListener('connectionstatechange', check);
    pc.addEventListener('iceconnectionstatechange', check);
  });
}

/** A camera's live picture. */
export class LiveStream extends FallbackStream {
  constructor(video: HTMLVideoElement, cameraId: number, options: LiveStreamOptions) {
    super(video, {
      webrtc: async (sdp) => mediaApi.live.webrtc(cameraId, (await mediaApi.streamToken({ cameraId, kind: 'live' })).token, sdp),
      hls: async () => mediaApi.live.hls(cameraId, (await mediaApi.streamToken({ cameraId, kind: 'live' })).token),
      close: (id) => mediaApi.live.close(id),
    }, options);
  }
}

function isRefusal(e: unknown): boolean {
  const status = (e as { status?: number }).status;
  return status === 401 || status === 403 || status === 404 || status === 422;
}
