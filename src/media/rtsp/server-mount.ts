// A media source mounted on a path of the RTSP server: its description, per-track sender state
// for RTP-Info and sender reports, and the sessions playing it.
import { buildSenderReport, buildSdesCname, unixMsToNtp } from '../rtp/rtcp.js';
import { getAttribute, parseSdp, setAttribute, type SessionDescription } from '../sdp/sdp.js';
import { serializeSdp } from '../sdp/sdp-builder.js';
import { describeTracks } from '../sdp/tracks.js';
import type { ServerSession } from './server-session.js';

export interface MediaSourceSpec {
  /** The source's SDP; the server replaces its control attributes with its own. */
  sdp(): string;
  /** Called when the first viewer starts playing. */
  onPlay?(): void;
  /** How far the source's own clock is from this machine's: its sender reports say that time. */
  senderClockOffsetMs?(): number;
  /** Called when the last viewer stopped. */
  onStop?(): void;
  /**
   * A new viewer gets nothing until a packet pushed as the start of a keyframe: joining mid-GOP,
   * its decoder would get frames whose references it never saw.
   */
  startsAtKeyframe?: boolean;
}

export interface MountedSource {
  readonly path: string;
  /** Number of sessions playing now. */
  readonly viewers: number;
  /** Fans one RTP packet of a track out to every playing session; `keyframeStart` marks a keyframe's first packet. */
  push(trackIndex: number, rtpPacket: Buffer, keyframeStart?: boolean): void;
  unmount(): void;
}

interface TrackState {
  clockRate: number;
  ssrc: number;
  seq: number;
  timestamp: number;
  pushedAt: number;
  packets: number;
  octets: number;
  seen: boolean;
}

export class Mount implements MountedSource {
  readonly playing = new Set<ServerSession>();
  /** Playing sessions still waiting for a keyframe (startsAtKeyframe). */
  private readonly waiting = new Set<ServerSession>();
  private readonly tracks: TrackState[] = [];
  private mounted = true;

  constructor(
    readonly path: string,
    private readonly spec: MediaSourceSpec,
    private readonly onUnmount: (m: Mount) => void,
  ) {}

  get viewers(): number {
    return this.playing.size;
  }

  get isMounted(): boolean {
    return this.mounted;
  }

  /** The SDP served on DESCRIBE, with controls "trackID=N" relative to the Content-Base. */
  describe(): { sdp: string; trackCount: number } {
    const desc: SessionDescription = parseSdp(this.spec.sdp());
    setAttribute(desc.attributes, 'control', '*');
    desc.media.forEach((m, i) => setAttribute(m.attributes, 'control', `trackID=${i}`));
    if (getAttribute(desc.attributes, 'range') === undefined) desc.attributes.push({ name: 'range', value: 'npt=now-' });
    for (const t of describeTracks(desc)) this.track(t.index).clockRate = t.clockRate;
    return { sdp: serializeSdp(desc), trackCount: desc.media.length };
  }

  push(trackIndex: number, rtpPacket: Buffer, keyframeStart = false): void {
    if (!this.mounted || rtpPacket.length < 12) return;
    const t = this.track(trackIndex);
    t.ssrc = rtpPacket.readUInt32BE(8);
    t.seq = rtpPacket.readUInt16BE(2);
    t.timestamp = rtpPacket.readUInt32BE(4);
    t.pushedAt = Date.now();
    t.packets++;
    t.octets += rtpPacket.length - 12;
    t.seen = true;
    if (keyframeStart) this.waiting.clear();
    for (const s of this.playing) if (!this.waiting.has(s)) s.send(trackIndex, rtpPacket);
  }

  /** seq/rtptime for RTP-Info (RFC 2326 §12.33): what the next packet will carry. */
  rtpInfo(trackIndex: number): { seq: number; rtptime: number } | undefined {
    const t = this.tracks[trackIndex];
    if (!t?.seen) return undefined;
    return { seq: (t.seq + 1) & 0xffff, rtptime: this.nowTimestamp(t, Date.now()) };
  }

  /** Sends an SR + SDES per track to every playing session (RFC 3550 §6.4.1). */
  sendSenderReports(cname: string): void {
    if (this.playing.size === 0) return;
    const now = Date.now();
    const offset = this.spec.senderClockOffsetMs?.() ?? 0;
    this.tracks.forEach((t, i) => {
      if (!t.seen) return;
      const ntp = unixMsToNtp(now + offset);
      const sr = buildSenderReport({
        ssrc: t.ssrc,
        ntpSeconds: ntp.seconds,
        ntpFraction: ntp.fraction,
        rtpTimestamp: this.nowTimestamp(t, now),
        packetCount: t.packets,
        octetCount: t.octets,
        reports: [],
      });
      const compound = Buffer.concat([sr, buildSdesCname(t.ssrc, cname)]);
      for (const s of this.playing) s.send(i, compound, true);
    });
  }

  addPlayer(s: ServerSession): void {
    if (this.playing.has(s)) return;
    this.playing.add(s);
    if (this.spec.startsAtKeyframe) this.waiting.add(s);
    if (this.playing.size === 1) this.spec.onPlay?.();
  }

  removePlayer(s: ServerSession): void {
    this.waiting.delete(s);
    if (!this.playing.delete(s)) return;
    if (this.playing.size === 0) this.spec.onStop?.();
  }

  unmount(): void {
    if (!this.mounted) return;
    this.mounted = false;
    this.onUnmount(this);
    this.waiting.clear();
    if (this.playing.size > 0) {
      this.playing.clear();
      this.spec.onStop?.();
    }
  }

  private track(i: number): TrackState {
    while (this.tracks.length <= i) {
      this.tracks.push({ clockRate: 90000, ssrc: 0, seq: 0, timestamp: 0, pushedAt: 0, packets: 0, octets: 0, seen: false });
    }
    return this.tracks[i]!;
  }

  // The source's clock advanced since its last packet; SRs must name the RTP time of "now".
  private nowTimestamp(t: TrackState, now: number): number {
    return (t.timestamp + Math.round(((now - t.pushedAt) * t.clockRate) / 1000)) >>> 0;
  }
}
