// Receive side of one set-up track: parses RTP/RTCP, reorders UDP packets, keeps RFC 3550
// reception statistics and the wall-clock mapping, and builds receiver reports.
import { RtpClockMapper } from '../rtp/clock-mapper.js';
import { RtpError } from '../rtp/errors.js';
import { ReceptionStats } from '../rtp/reception-stats.js';
import { ReorderBuffer, type ReorderOptions } from '../rtp/reorder-buffer.js';
import { buildReceiverReport, buildSdesCname, parseRtcp, type RtcpPacket } from '../rtp/rtcp.js';
import { InPlaceRtpPacket, readRtpPacket, seqDelta, type RtpPacket } from '../rtp/rtp-packet.js';
import type { SdpTrack } from '../sdp/tracks.js';

export interface ClientTrack extends SdpTrack {
  /** Absolute control URL used in SETUP. */
  url: string;
}

export interface TrackPacket {
  /** Index into the described tracks. */
  track: number;
  packet: RtpPacket;
  receivedAt: number;
  /** Wall-clock capture time (Unix ms) from the sender's SR, or arrival time before the first SR. */
  wallClockMs: number;
}

export interface TrackStats {
  packets: number;
  bytes: number;
  invalid: number;
  lost: number;
  late: number;
  duplicate: number;
  senderReports: number;
  clockJumps: number;
}

export class TrackReceiver {
  readonly stats: TrackStats = { packets: 0, bytes: 0, invalid: 0, lost: 0, late: 0, duplicate: 0, senderReports: 0, clockJumps: 0 };
  readonly clock: RtpClockMapper;
  private readonly reception: ReceptionStats;
  private readonly reorder: ReorderBuffer | undefined;
  private lastSeq = -1;
  /** With `reuse`: the one packet and event object every packet is parsed into. */
  private readonly scratch: TrackPacket | undefined;

  constructor(
    readonly track: ClientTrack,
    private readonly localSsrc: number,
    reorder: ReorderOptions | false,
    private readonly emit: (p: TrackPacket) => void,
    private readonly emitRtcp: (track: number, packets: RtcpPacket[]) => void,
    /**
     * Parse every packet into one reused object (in-order transport only, nothing held): the
     * emitted TrackPacket and its packet are valid only during the call, like transient payloads.
     */
    reuse = false,
  ) {
    this.clock = new RtpClockMapper({ clockRate: track.clockRate });
    this.reception = new ReceptionStats(track.clockRate);
    this.reorder = reorder === false ? undefined : new ReorderBuffer(reorder);
    if (reuse && !this.reorder) {
      this.scratch = { track: track.index, packet: new InPlaceRtpPacket(), receivedAt: 0, wallClockMs: 0 };
    }
  }

  onRtp(buf: Buffer, now: number): void {
    this.onRtpAt(buf, 0, buf.length, now);
  }

  /** The RTP packet buf[start, end). */
  onRtpAt(buf: Buffer, start: number, end: number, now: number): void {
    let packet: RtpPacket;
    try {
      packet = readRtpPacket(buf, start, end, this.scratch?.packet);
    } catch (e) {
      if (e instanceof RtpError) {
        this.stats.invalid++;
        return;
      }
      throw e;
    }
    this.stats.bytes += end - start;
    this.reception.onRtp(packet, now);
    if (!this.reorder) {
      // In-order transport: a forward gap in sequence numbers is loss.
      if (this.lastSeq >= 0) {
        const d = seqDelta(this.lastSeq, packet.sequenceNumber);
        if (d > 1 && d < 3000) this.stats.lost += d - 1;
      }
      this.lastSeq = packet.sequenceNumber;
      this.deliver(packet, now);
      return;
    }
    for (const p of this.reorder.push(packet, now)) this.deliver(p, now);
    this.syncReorderStats();
  }

  /** Releases packets held too long for a gap; call periodically when reordering. */
  poll(now: number): void {
    if (!this.reorder) return;
    for (const p of this.reorder.poll(now)) this.deliver(p, now);
    this.syncReorderStats();
  }

  onRtcp(buf: Buffer, now: number): void {
    let packets: RtcpPacket[];
    try {
      packets = parseRtcp(buf);
    } catch (e) {
      if (e instanceof RtpError) {
        this.stats.invalid++;
        return;
      }
      throw e;
    }
    for (const p of packets) {
      if (p.type !== 'sr') continue;
      this.stats.senderReports++;
      this.reception.onSenderReport(p.ntpSeconds, p.ntpFraction, now);
      if (this.clock.onSenderReport(p.ntpSeconds, p.ntpFraction, p.rtpTimestamp)) this.stats.clockJumps++;
    }
    this.emitRtcp(this.track.index, packets);
  }

  /** RR + SDES compound (RFC 3550 §6.1), or undefined before any media. */
  receiverReport(now: number, cname: string): Buffer | undefined {
    const block = this.reception.report(now);
    if (!block) return undefined;
    return Buffer.concat([buildReceiverReport({ ssrc: this.localSsrc, reports: [block] }), buildSdesCname(this.localSsrc, cname)]);
  }

  private deliver(packet: RtpPacket, now: number): void {
    this.stats.packets++;
    const jumpsBefore = this.clock.jumps;
    const wallClockMs = this.clock.toWallClock(packet.timestamp, now);
    if (this.clock.jumps !== jumpsBefore) this.stats.clockJumps++;
    const scratch = this.scratch;
    if (scratch) {
      scratch.receivedAt = now;
      scratch.wallClockMs = wallClockMs;
      return this.emit(scratch);
    }
    this.emit({ track: this.track.index, packet, receivedAt: now, wallClockMs });
  }

  private syncReorderStats(): void {
    const s = this.reorder!.stats;
    this.stats.lost = s.lost;
    this.stats.late = s.late;
    this.stats.duplicate = s.duplicate;
  }
}
