// One stream sent upward (GB/T 28181 §9.2 video as a device sends it): joins a feed — the camera's
// live feed in the stream hub, or its recorded files (recorded-feed.ts) — muxes each H.264/H.265
// frame into PS and sends it as RTP, with the SSRC of the upper's y= line, through a media sink
// (UDP, or TCP with RFC 4571 framing). The first frame sent is a keyframe (the live feed keeps the
// current GOP, a recording is read from a keyframe); a congested TCP peer skips to the next one.
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import type { FeedSubscription, FeedViewer } from '../live/stream-hub.js';
import { muxPsFrame, RtpPsPacketizer } from '../media/ps/ps-muxer.js';
import type { MediaSink } from './media-sink.js';

export type Watch = (cameraId: number, viewer: FeedViewer) => Promise<FeedSubscription>;
/** Opens the frames a stream sends: a live watch, or a recording read at its pace. */
export type FeedOpen = (viewer: FeedViewer) => Promise<{ close(): void }>;

export class UpwardStream {
  private subscription: { close(): void } | undefined;
  private info: StreamInfo | undefined;
  private readonly packetizer: RtpPsPacketizer;
  private started = false;
  /** Waiting for a keyframe after a congested TCP peer made us skip pictures. */
  private skipping = false;
  framesSent = 0;
  framesSkipped = 0;
  packetsSent = 0;
  bytesSent = 0;
  closed = false;

  constructor(
    readonly cameraId: number,
    readonly ssrc: number,
    readonly sink: MediaSink,
    private readonly openFeed: FeedOpen,
    private readonly onEnd: (reason: string) => void,
  ) {
    this.packetizer = new RtpPsPacketizer(ssrc);
    sink.onGone = (reason) => {
      this.close();
      this.onEnd(reason);
    };
  }

  /** Binds the sink; the port goes into the SDP answer. */
  bind(): Promise<number> {
    return this.sink.bind();
  }

  async start(): Promise<void> {
    if (this.closed || this.subscription) return;
    await this.sink.open();
    if (this.closed) return;
    this.subscription = await this.openFeed({
      onInfo: (info) => {
        this.info = info;
      },
      onFrame: (f) => this.send(f),
      onEnd: (reason) => {
        if (this.closed) return;
        this.close();
        this.onEnd(reason);
      },
    });
    if (this.closed) this.subscription.close();
  }

  private send(f: VideoFrame): void {
    const codec = this.info?.video.codec;
    if (this.closed || !this.sink.ready || (codec !== 'h264' && codec !== 'h265')) return;
    if ((!this.started || this.skipping) && !f.keyframe) return;
    if (this.sink.congested) {
      this.skipping = true;
      this.framesSkipped++;
      return;
    }
    this.started = true;
    this.skipping = false;
    const ps = muxPsFrame({ codec, pts90k: f.pts90k, ...(f.dts90k !== undefined ? { dts90k: f.dts90k } : {}), keyframe: f.keyframe, nalus: f.nalus, parameterSets: this.info!.video.parameterSets });
    const { packets, framed } = this.packetizer.packetizeFramed(ps, f.pts90k);
    this.sink.sendFrame(packets, framed);
    this.packetsSent += packets.length;
    for (const pkt of packets) this.bytesSent += pkt.length;
    this.framesSent++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    this.sink.close();
  }
}
