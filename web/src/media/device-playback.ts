// A GB/T 28181 device's own recording in one <video>, over WebRTC: a playback token naming the
// device as source (the server registers the use), the offer answered once the device has
// answered its INVITE s=Playback, then pause, resume, seek and speed as requests the server turns
// into MANSRTSP. Closing it (or leaving the page) ends the device's session. While it plays, its
// state is asked every few seconds, so a session the server ended (the device stopped sending or
// hung up) is said in words rather than left as a frozen picture.
import { mediaApi, type DevicePlaybackControl, type DevicePlaybackSession } from '../api/media';
import { firstFrame, gathered } from './live-stream';

export class DevicePlayback {
  private pc: RTCPeerConnection | undefined;
  sessionId: string | undefined;
  private closed = false;

  constructor(
    private readonly video: HTMLVideoElement,
    readonly cameraId: number,
    readonly from: number,
    readonly to: number,
  ) {}

  /** Resolves when the first picture shows; rejects with the server's error (ApiError) or "no picture arrived". */
  async start(): Promise<void> {
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pc = pc;
    pc.addTransceiver('video', { direction: 'recvonly' });
    pc.ontrack = (ev) => {
      this.video.srcObject = ev.streams[0] ?? new MediaStream([ev.track]);
      void this.video.play().catch(() => undefined);
    };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    const { token } = await mediaApi.streamToken({ cameraId: this.cameraId, kind: 'playback', from: Math.floor(this.from), to: Math.ceil(this.to), source: 'device' });
    const opened = await mediaApi.gb.playback(this.cameraId, token, pc.localDescription!.sdp);
    this.sessionId = opened.sessionId;
    if (this.closed) return this.close();
    await pc.setRemoteDescription({ type: 'answer', sdp: opened.sdp });
    await firstFrame(this.video, 15000);
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
    this.sessionId = undefined;
    this.close();
  }

  close(): void {
    this.closed = true;
    this.pc?.close();
    this.pc = undefined;
    this.video.srcObject = null;
    if (this.sessionId) {
      const id = this.sessionId;
      this.sessionId = undefined;
      void mediaApi.gb.closePlayback(id).catch(() => undefined);
    }
  }
}
