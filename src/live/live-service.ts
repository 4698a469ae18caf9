// Live viewing as the API offers it: a WebRTC viewer or an HLS session per person, every one
// opened through the stream register (token checked, stream listed, closed on revocation), all
// fed by the one hub; HLS packagers are per camera and live as long as some session uses them.
import type { Logger } from 'pino';
import { LiveError } from './errors.js';
import { HlsPackager, type HlsPackagerOptions } from './hls-packager.js';
import type { StreamHub } from './stream-hub.js';
import type { StreamRegister } from './stream-register.js';
import { WebRtcViewer, type WebRtcAnswer, type WebRtcViewerOptions } from './webrtc-viewer.js';

export interface LiveServiceOptions {
  webrtc?: WebRtcViewerOptions;
  hls?: HlsPackagerOptions;
  logger?: Logger;
  /** Whether closing the service closes its hub (default true); false when others use the hub too. */
  closesHub?: boolean;
}

export class LiveService {
  private readonly viewers = new Map<string, WebRtcViewer>();
  private readonly packagers = new Map<number, { packager: HlsPackager; sessions: Set<string> }>();

  constructor(
    readonly hub: StreamHub,
    readonly register: StreamRegister,
    private readonly options: LiveServiceOptions = {},
  ) {}

  /** The options every WebRTC viewer of this service is opened with (device playback's viewers too). */
  get webrtc(): WebRtcViewerOptions | undefined {
    return this.options.webrtc;
  }

  /** Answers a WHEP-style offer; the session id names the stream for DELETE and the register. */
  async openWebRtc(token: string | undefined, cameraId: number, offerSdp: string, sourceAddress: string | null): Promise<{ sessionId: string; answer: WebRtcAnswer }> {
    let viewer: WebRtcViewer | undefined;
    const stream = await this.register.open(token, { cameraId, kind: 'live', transport: 'webrtc', sourceAddress, polled: false }, (reason) => void viewer?.close(reason));
    try {
      const r = await WebRtcViewer.answer(this.hub, cameraId, offerSdp, this.options.webrtc);
      viewer = r.viewer;
      this.viewers.set(stream.id, viewer);
      viewer.once('closed', (reason) => {
        this.viewers.delete(stream.id);
        this.register.close(stream.id, reason);
      });
      if (!this.register.has(stream.id)) await viewer.close('revoked while opening');
      return { sessionId: stream.id, answer: r.answer };
    } catch (e) {
      this.register.close(stream.id, 'failed to open');
      throw e;
    }
  }

  viewer(sessionId: string): WebRtcViewer | undefined {
    return this.viewers.get(sessionId);
  }

  /** Opens an HLS session on the camera's shared packager; resolves once the first part exists. */
  async openHls(token: string | undefined, cameraId: number, sourceAddress: string | null): Promise<{ sessionId: string; codec: string | undefined }> {
    const stream = await this.register.open(token, { cameraId, kind: 'live', transport: 'hls', sourceAddress, polled: true }, () => this.leaveHls(cameraId, stream.id));
    let entry = this.packagers.get(cameraId);
    if (!entry) {
      entry = { packager: new HlsPackager(this.options.hls), sessions: new Set() };
      this.packagers.set(cameraId, entry);
      const packager = entry.packager;
      packager.attach(this.hub, cameraId).catch((e: Error) => {
        this.options.logger?.warn({ cameraId, err: e.message }, 'HLS packager could not attach');
        packager.close();
      });
    }
    entry.sessions.add(stream.id);
    if (!(await entry.packager.ready())) {
      this.register.close(stream.id, 'no media');
      throw new LiveError('LIVE_TIMEOUT', `camera ${cameraId} sent no picture in time`);
    }
    return { sessionId: stream.id, codec: entry.packager.codecString };
  }

  /** The packager behind an HLS session (marks the session alive). */
  hls(sessionId: string): HlsPackager {
    const s = this.register.use(sessionId, { transport: 'hls' });
    const entry = this.packagers.get(s.cameraId);
    if (!entry || entry.packager.closed) {
      this.register.close(sessionId, 'packager closed');
      return this.hls(sessionId);
    }
    return entry.packager;
  }

  private leaveHls(cameraId: number, sessionId: string): void {
    const entry = this.packagers.get(cameraId);
    if (!entry) return;
    entry.sessions.delete(sessionId);
    if (!entry.sessions.size) {
      entry.packager.close();
      this.packagers.delete(cameraId);
    }
  }

  closeSession(sessionId: string, reason = 'closed by the viewer'): void {
    this.register.close(sessionId, reason);
  }

  async close(): Promise<void> {
    this.register.closeAll();
    await Promise.all([...this.viewers.values()].map((v) => v.close('shutting down')));
    for (const e of this.packagers.values()) e.packager.close();
    this.packagers.clear();
    if (this.options.closesHub !== false) await this.hub.close();
  }
}
