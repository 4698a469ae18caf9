// One live stream sent upward (GB/T 28181 §9.2 real-time video as a device sends it): joins the
// camera's feed in the stream hub, muxes each H.264/H.265 frame into PS and sends it as RTP over
// UDP to the address and port of the upper platform's SDP, with the SSRC of its y= line. The
// first frame sent is a keyframe (the feed keeps the current GOP, so it comes at once).
import { createSocket, type Socket } from 'node:dgram';
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import type { FeedSubscription, FeedViewer } from '../live/stream-hub.js';
import { muxPsFrame, RtpPsPacketizer } from '../media/ps/ps-muxer.js';

export type Watch = (cameraId: number, viewer: FeedViewer) => Promise<FeedSubscription>;

export interface UpwardTarget {
  address: string;
  port: number;
  ssrc: number;
}

export class UpwardStream {
  private socket: Socket | undefined;
  private subscription: FeedSubscription | undefined;
  private info: StreamInfo | undefined;
  private packetizer: RtpPsPacketizer;
  private started = false;
  framesSent = 0;
  packetsSent = 0;
  closed = false;

  constructor(
    readonly cameraId: number,
    readonly target: UpwardTarget,
    private readonly watch: Watch,
    private readonly bindHost: string,
    private readonly onEnd: (reason: string) => void,
  ) {
    this.packetizer = new RtpPsPacketizer(target.ssrc);
  }

  /** Binds the sending socket; its port goes into the SDP answer. */
  async bind(): Promise<number> {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, this.bindHost, () => resolve());
    });
    socket.on('error', () => undefined);
    this.socket = socket;
    return socket.address().port;
  }

  async start(): Promise<void> {
    if (this.closed || this.subscription) return;
    this.subscription = await this.watch(this.cameraId, {
      onInfo: (info) => {
        this.info = info;
      },
      onFrame: (f) => this.send(f),
      onEnd: (reason) => {
        this.close();
        this.onEnd(reason);
      },
    });
    if (this.closed) this.subscription.close();
  }

  private send(f: VideoFrame): void {
    const codec = this.info?.video.codec;
    if (this.closed || !this.socket || (codec !== 'h264' && codec !== 'h265')) return;
    if (!this.started && !f.keyframe) return;
    this.started = true;
    const ps = muxPsFrame({ codec, pts90k: f.pts90k, ...(f.dts90k !== undefined ? { dts90k: f.dts90k } : {}), keyframe: f.keyframe, nalus: f.nalus, parameterSets: this.info!.video.parameterSets });
    for (const pkt of this.packetizer.packetize(ps, f.pts90k)) {
      this.socket.send(pkt, this.target.port, this.target.address);
      this.packetsSent++;
    }
    this.framesSent++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    this.socket?.close();
  }
}
