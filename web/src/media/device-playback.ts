// A GB/T 28181 device's own recording in one <video>, over WebRTC and, where WebRTC cannot
// connect, over LL-HLS, as live view falls back (the same FallbackStream): a playback token
// naming the device as source (the server registers the use) for each attempt, the device asked
// (INVITE s=Playback, on the server), then pause, resume, seek and speed as requests the server
// turns into MANSRTSP, whichever the transport. Closing it (or leaving the page) ends the device's
// session. While it plays, its state is asked every few seconds, so a session the server ended
// (the device stopped sending or hung up) is said in words rather than left as a frozen picture.
import { ApiError } from '../api/client';
import { mediaApi, type DevicePlaybackControl, type DevicePlaybackSession } from '../api/media';
import { FallbackStream, type LiveState, type Transport } from './live-stream';

/** Whether this browser plays H.265 in Media Source Extensions (if not, the server transcodes an H.265 device for HLS). */
const playsH265 = () => typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"');

/** The device itself did not answer or refused: another transport would ask it again for nothing. */
const deviceFailed = (e: unknown) => e instanceof ApiError && (e.code === 'GB_DEVICE_NO_ANSWER' || e.code === 'GB_DEVICE_REFUSED');

export class DevicePlayback {
  private readonly stream: FallbackStream;
  private outcome: { resolve(): void; reject(e: unknown): void } | undefined;
  /** What the picture came over, and whether an H.265 device was transcoded for this browser. */
  playing: { transport: Transport; transcoded: boolean } | undefined;

  constructor(
    video: HTMLVideoElement,
    readonly cameraId: number,
    readonly from: number,
    readonly to: number,
    prefer: Transport | 'auto' = 'auto',
  ) {
    const token = async () => (await mediaApi.streamToken({ cameraId, kind: 'playback', from: Math.floor(from), to: Math.ceil(to), source: 'device' })).token;
    this.stream = new FallbackStream(video, {
      webrtc: async (sdp) => mediaApi.gb.playback(cameraId, await token(), sdp),
      hls: async () => mediaApi.gb.playbackHls(cameraId, await token(), playsH265()),
      close: (id) => mediaApi.gb.closePlayback(id),
      final: deviceFailed,
    }, { prefer, webrtcTimeoutMs: 8000, onState: (s) => this.onState(s) });
  }

  get sessionId(): string | undefined {
    return this.stream.sessionId;
  }

  private onState(s: LiveState): void {
    if (s.phase === 'playing') {
      this.playing = { transport: s.transport, transcoded: s.transcoded };
      this.outcome?.resolve();
    } else if (s.phase === 'failed') this.outcome?.reject(s.error ?? new Error(s.message));
  }

  /** Resolves when the first picture shows; rejects with the server's error (ApiError) or "no picture arrived". */
  start(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.outcome = { resolve, reject };
      void this.stream.start();
    });
  }

  async control(c: DevicePlaybackControl): Promise<void> {
    if (!this.sessionId) return;
    await mediaApi.gb.control(this.sessionId, c);
  }

  /** The session as the server sees it: still playing, or ended and why (the device went silent, hung up…). */
  async state(): Promise<DevicePlaybackSession | undefined> {
    if (!this.sessionId) return undefined;
    return mediaApi.gb.playbackState(this.sessionId);
  }

  /** The server ended the session: the picture stops here, and nothing is sent back to end it again. */
  ended(): void {
    this.stream.forget();
  }

  close(): void {
    this.stream.close();
  }
}
