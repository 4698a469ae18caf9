// One stream sent upward (GB/T 28181 §9.2 video as a device sends it): joins a feed — the camera's
// live feed in the stream hub, or its recorded files (recorded-feed.ts) — muxes each H.264/H.265
// access unit as PS in RTP, with the SSRC of the upper's y= line, straight into one buffer (one
// copy of the frame's bytes), and hands it to a media sink in one call: its datagrams over UDP,
// one write of its RFC 4571 stream over TCP. The first frame sent is a keyframe (the live feed keeps the
// current GOP, a recording is read from a keyframe); a congested TCP peer skips to the next one.
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import type { FeedSubscription, FeedViewer } from '../live/stream-hub.js';
import { PsRtpWriter } from '../media/ps/ps-rtp-writer.js';
import type { MediaSink } from './media-sink.js';

/** PS bytes in an RTP packet when no path MTU is given: an IP packet of 1,440 bytes. */
export const DEFAULT_PAYLOAD_BYTES = 1400;

/**
 * What an RTP packet's PS payload may take of an IP packet of `pathMtu` bytes: the rest is IPv4
 * (20), UDP (8) and RTP (12) headers, no RTP header extension or CSRC (GB/T 28181 §C.2).
 */
export function rtpPayloadBytesFor(pathMtu: number): number {
  return pathMtu - 20 - 8 - 12;
}

export type Watch = (cameraId: number, viewer: FeedViewer) => Promise<FeedSubscription>;
/** Opens the frames a stream sends: a live watch, or a recording read at its pace. */
export type FeedOpen = (viewer: FeedViewer) => Promise<{ close(): void }>;

export class UpwardStream {
  private subscription: { close(): void } | undefined;
  private info: StreamInfo | undefined;
  private readonly writer: PsRtpWriter;
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
    /** PS bytes in one RTP packet: what the path MTU leaves (rtpPayloadBytesFor). */
    payloadBytes = DEFAULT_PAYLOAD_BYTES,
  ) {
    this.writer = new PsRtpWriter(ssrc, sink.target.transport !== 'udp', 96, payloadBytes);
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
      // A frame is muxed into the writer's own buffer during the call: its memory is not kept.
      copiesFrames: true,
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
    const unit = this.writer.write({ codec, pts90k: f.pts90k, ...(f.dts90k !== undefined ? { dts90k: f.dts90k } : {}), keyframe: f.keyframe, nalus: f.nalus, parameterSets: this.info!.video.parameterSets }, this.sink.drained);
    this.sink.sendUnit(unit);
    this.packetsSent += unit.count;
    this.bytesSent += unit.rtpBytes;
    this.framesSent++;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.subscription?.close();
    this.sink.close();
  }
}
