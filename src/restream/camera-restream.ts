// One camera served onward over RTSP: its mount on the server, fed from the shared hub feed (the
// same ingest every other viewer of the camera uses) while someone plays it, and held a little
// after a DESCRIBE so the PLAY that follows finds the feed open. Access units are packetized as
// they come (RFC 6184 / RFC 7798), no transcoding; parameter sets go before every keyframe.
import { randomInt } from 'node:crypto';
import type { StreamInfo, VideoFrame } from '../ingest/source.js';
import { sharedFramePayloads } from '../live/rtp-framer.js';
import type { FeedSubscription, StreamHub } from '../live/stream-hub.js';
import { h265NalType, H265Nal } from '../media/h265/nal.js';
import { serializeRtpPacket } from '../media/rtp/rtp-packet.js';
import type { MountedSource, RtspServer } from '../media/rtsp/rtsp-server.js';
import { buildSdp, type TrackSpec } from '../media/sdp/sdp-builder.js';
import { cameraPath } from './credentials.js';

const PAYLOAD_TYPE = 96;

/** The SDP of a camera's video as we re-stream it (one track, dynamic payload type 96). */
export function restreamSdp(cameraId: number, info: StreamInfo, address = '127.0.0.1'): string {
  const v = info.video;
  let track: TrackSpec;
  if (v.codec === 'h264') {
    const [sps, ...rest] = v.parameterSets;
    const fmtp: Record<string, string> = { 'packetization-mode': '1' };
    if (sps && sps.length >= 4) fmtp['profile-level-id'] = sps.subarray(1, 4).toString('hex');
    if (sps) fmtp['sprop-parameter-sets'] = [sps, ...rest].map((n) => n.toString('base64')).join(',');
    track = { kind: 'video', payloadType: PAYLOAD_TYPE, encoding: 'H264', clockRate: 90000, control: 'video', fmtp };
  } else {
    // RFC 7798 §7.1: one sprop per parameter-set type.
    const of = (type: number) => v.parameterSets.filter((n) => h265NalType(n) === type).map((n) => n.toString('base64')).join(',');
    const fmtp: Record<string, string> = {};
    for (const [name, type] of [['sprop-vps', H265Nal.VPS], ['sprop-sps', H265Nal.SPS], ['sprop-pps', H265Nal.PPS]] as const) {
      const value = of(type);
      if (value) fmtp[name] = value;
    }
    track = { kind: 'video', payloadType: PAYLOAD_TYPE, encoding: 'H265', clockRate: 90000, control: 'video', fmtp };
  }
  if (v.fps) track.framerate = v.fps;
  return buildSdp({ sessionName: `Vigil camera ${cameraId}`, address, tracks: [track] });
}

export interface CameraRestreamOptions {
  /** How long the feed stays joined after a DESCRIBE without a PLAY (default 15 s). */
  holdMs?: number;
  /** How long to wait for the camera's stream description (default 8 s). */
  readyTimeoutMs?: number;
}

export class CameraRestream {
  readonly mount: MountedSource;
  private subscription: FeedSubscription | undefined;
  private joining: Promise<FeedSubscription> | undefined;
  private info: StreamInfo | undefined;
  private holdTimer: NodeJS.Timeout | undefined;
  private seq = randomInt(0, 0xffff);
  private readonly ssrc = randomInt(1, 0xffffffff);
  private readonly tsBase = randomInt(0, 0x7fffffff);
  private closed = false;
  framesSent = 0;

  constructor(
    private readonly hub: StreamHub,
    readonly cameraId: number,
    server: RtspServer,
    private readonly options: CameraRestreamOptions = {},
  ) {
    this.mount = server.mount(cameraPath(cameraId), {
      sdp: () => {
        if (!this.info) throw new Error(`camera ${cameraId} has sent no stream description yet`);
        return restreamSdp(cameraId, this.info);
      },
      onPlay: () => {
        clearTimeout(this.holdTimer);
        void this.join().catch(() => undefined);
      },
      onStop: () => this.hold(),
      // Each viewer, the first or one joining others, gets its first packet at a keyframe.
      startsAtKeyframe: true,
    });
  }

  get playing(): number {
    return this.mount.viewers;
  }

  /** Joins the camera's feed if needed and waits for its description (for a DESCRIBE). */
  async ready(): Promise<StreamInfo> {
    const sub = await this.join();
    if (!this.mount.viewers) this.hold();
    const info = await sub.feed.ready(this.options.readyTimeoutMs ?? 8000);
    this.info ??= info;
    return info;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.holdTimer);
    this.subscription?.close();
    this.subscription = undefined;
    this.mount.unmount();
  }

  private join(): Promise<FeedSubscription> {
    if (this.subscription) return Promise.resolve(this.subscription);
    this.joining ??= this.hub
      .watch(this.cameraId, {
        onInfo: (info) => {
          this.info = info;
        },
        onFrame: (f) => this.onFrame(f),
        onEnd: () => this.leave(),
      })
      .then((sub) => {
        if (this.closed) sub.close();
        else this.subscription = sub;
        return sub;
      })
      .finally(() => {
        this.joining = undefined;
      });
    return this.joining;
  }

  private hold(): void {
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => {
      if (!this.mount.viewers) this.leave();
    }, this.options.holdMs ?? 15_000);
    this.holdTimer.unref();
  }

  private leave(): void {
    this.subscription?.close();
    this.subscription = undefined;
  }

  private onFrame(f: VideoFrame): void {
    const info = this.info;
    if (!info || !this.mount.viewers) return;
    const timestamp = (this.tsBase + f.pts90k) >>> 0;
    const payloads = sharedFramePayloads(info.video.codec, f, info.video.parameterSets);
    payloads.forEach((payload, i) => {
      this.seq = (this.seq + 1) & 0xffff;
      const packet = serializeRtpPacket({ marker: i === payloads.length - 1, payloadType: PAYLOAD_TYPE, sequenceNumber: this.seq, timestamp, ssrc: this.ssrc, csrc: [], paddingLength: 0, payload });
      this.mount.push(0, packet, f.keyframe && i === 0);
    });
    this.framesSent++;
  }
}
