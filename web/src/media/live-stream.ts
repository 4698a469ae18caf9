// One live picture in one <video>: WebRTC first (WHEP-style offer/answer, sub-second), LL-HLS
// through hls.js when WebRTC cannot connect or shows nothing. Each attempt fetches its own
// stream token, since a token opens one stream once.
import { mediaApi } from '../api/media';
import { attachHls, type HlsHandle } from './hls-attach';

export type Transport = 'webrtc' | 'hls';
export type LiveState =
  | { phase: 'connecting'; transport: Transport }
  | { phase: 'playing'; transport: Transport; transcoded: boolean }
  | { phase: 'failed'; message: string; code?: string };

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

export class LiveStream {
  private pc: RTCPeerConnection | undefined;
  private hls: HlsHandle | undefined;
  private sessionId: string | undefined;
  private closed = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly cameraId: number,
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
        if (prefer === 'webrtc' || isRefusal(e) || this.closed) return this.fail(e);
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
    this.options.onState({ phase: 'failed', message: (e as Error)?.message ?? String(e), code: (e as { code?: string }).code });
  }

  private async startWebRtc(): Promise<void> {
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
    const { token } = await mediaApi.streamToken({ cameraId: this.cameraId, kind: 'live' });
    const answer = await mediaApi.live.webrtc(this.cameraId, token, pc.localDescription!.sdp);
    this.sessionId = answer.sessionId;
    if (this.closed) return this.stopTransport();
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    await firstFrame(this.video, this.options.webrtcTimeoutMs ?? 6000);
    if (!this.closed) this.options.onState({ phase: 'playing', transport: 'webrtc', transcoded: answer.transcoded });
  }

  private async startHls(): Promise<void> {
    this.options.onState({ phase: 'connecting', transport: 'hls' });
    const { token } = await mediaApi.streamToken({ cameraId: this.cameraId, kind: 'live' });
    const opened = await mediaApi.live.hls(this.cameraId, token);
    this.sessionId = opened.sessionId;
    if (this.closed) return this.stopTransport();
    this.hls = await attachHls(this.video, opened.playlistUrl, { live: true });
    await firstFrame(this.video, 15000);
    if (!this.closed) this.options.onState({ phase: 'playing', transport: 'hls', transcoded: false });
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
      void mediaApi.live.close(id).catch(() => undefined);
    }
  }

  close(): void {
    this.closed = true;
    this.stopTransport();
  }
}

function isRefusal(e: unknown): boolean {
  const status = (e as { status?: number }).status;
  return status === 401 || status === 403 || status === 404 || status === 422;
}
