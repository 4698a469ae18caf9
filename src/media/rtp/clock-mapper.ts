// Maps RTP timestamps to wall-clock time (RFC 3550 §6.4.1: an SR pairs an NTP time with the RTP
// timestamp of the same instant). Before the first SR, time is anchored on arrival instead.
import { tsDelta } from './rtp-packet.js';
import { ntpToUnixMs } from './rtcp.js';

export interface ClockMapperOptions {
  clockRate: number;
  /** A new SR or arrival further than this from the running mapping is a clock jump (default 1000 ms). */
  jumpThresholdMs?: number;
  /**
   * RTP timestamps moving this much more (or less) than arrival time between two consecutive
   * packets are a break in the sender's media clock (default 2000 ms), see toWallClock.
   */
  stepThresholdMs?: number;
}

export type ClockSource = 'sender-report' | 'arrival';

export class RtpClockMapper {
  /** Times the sender's clock (or, without SR, the stream's timestamps) jumped. */
  jumps = 0;
  private readonly clockRate: number;
  private readonly jumpThresholdMs: number;
  private anchorRtp = 0;
  private anchorMs = 0;
  private anchored = false;
  private fromSr = false;
  private readonly stepThresholdMs: number;
  private last: { rtp: number; arrivalMs: number } | undefined;

  constructor(options: ClockMapperOptions) {
    if (!(options.clockRate > 0)) throw new RangeError('clockRate must be positive');
    this.clockRate = options.clockRate;
    this.jumpThresholdMs = options.jumpThresholdMs ?? 1000;
    this.stepThresholdMs = options.stepThresholdMs ?? 2000;
  }

  get source(): ClockSource {
    return this.fromSr ? 'sender-report' : 'arrival';
  }

  /** Takes the NTP/RTP pair of a sender report; returns true if it disagrees with the mapping so far. */
  onSenderReport(ntpSeconds: number, ntpFraction: number, rtpTimestamp: number): boolean {
    const ms = ntpToUnixMs(ntpSeconds, ntpFraction);
    const jumped = this.fromSr && Math.abs(this.map(rtpTimestamp) - ms) > this.jumpThresholdMs;
    if (jumped) this.jumps++;
    this.set(rtpTimestamp, ms);
    this.fromSr = true;
    return jumped;
  }

  /**
   * Wall-clock ms (Unix epoch) of an RTP timestamp. `arrivalMs` anchors the mapping when no SR has
   * come yet, and re-anchors it when the stream's timestamps jump away from arrival time.
   */
  toWallClock(rtpTimestamp: number, arrivalMs: number): number {
    const prev = this.last;
    this.last = { rtp: rtpTimestamp >>> 0, arrivalMs };
    if (this.anchored && prev && this.stepped(prev, rtpTimestamp, arrivalMs)) {
      // The sender's RTP clock broke between two packets (an encoder restart, a server that
      // restarted a shared stream): the last SR no longer describes it. Anchor on arrival until
      // the next SR, rather than placing the packets seconds away from when they came.
      this.jumps++;
      this.fromSr = false;
      this.set(rtpTimestamp, arrivalMs);
      return arrivalMs;
    }
    if (!this.anchored) {
      this.set(rtpTimestamp, arrivalMs);
      return arrivalMs;
    }
    const mapped = this.map(rtpTimestamp);
    if (!this.fromSr && Math.abs(mapped - arrivalMs) > this.jumpThresholdMs) {
      this.jumps++;
      this.set(rtpTimestamp, arrivalMs);
      return arrivalMs;
    }
    // Re-anchoring keeps the signed 32-bit distance small, so wrap never confuses it.
    if (Math.abs(tsDelta(this.anchorRtp, rtpTimestamp)) > 0x4000_0000) this.set(rtpTimestamp, mapped);
    return mapped;
  }

  /** RTP time moved by more than the threshold, and by that much more than arrival time did. */
  private stepped(prev: { rtp: number; arrivalMs: number }, rtp: number, arrivalMs: number): boolean {
    const rtpMs = (tsDelta(prev.rtp, rtp) * 1000) / this.clockRate;
    return Math.abs(rtpMs) > this.stepThresholdMs && Math.abs(rtpMs - (arrivalMs - prev.arrivalMs)) > this.stepThresholdMs;
  }

  private map(rtpTimestamp: number): number {
    return this.anchorMs + (tsDelta(this.anchorRtp, rtpTimestamp) * 1000) / this.clockRate;
  }

  private set(rtpTimestamp: number, ms: number): void {
    this.anchorRtp = rtpTimestamp >>> 0;
    this.anchorMs = ms;
    this.anchored = true;
  }
}
