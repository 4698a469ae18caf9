// Receiver statistics for RTCP report blocks: RFC 3550 §A.1 (extended highest sequence),
// §A.3 (loss and fraction lost), §A.8 (interarrival jitter).
import { ntpMiddle, type ReportBlock } from './rtcp.js';
import type { RtpPacket } from './rtp-packet.js';

export class ReceptionStats {
  received = 0;
  private ssrc = 0;
  private baseSeq = -1;
  private maxSeq = 0;
  private cycles = 0;
  private jitter = 0;
  private lastTransit: number | undefined;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private lastSr = 0;
  private lastSrArrivalMs = 0;

  constructor(private readonly clockRate: number) {}

  onRtp(p: RtpPacket, arrivalMs: number): void {
    if (this.baseSeq < 0 || p.ssrc >>> 0 !== this.ssrc) {
      this.ssrc = p.ssrc >>> 0;
      this.baseSeq = p.sequenceNumber;
      this.maxSeq = p.sequenceNumber;
      this.cycles = 0;
      this.expectedPrior = 0;
      this.receivedPrior = 0;
      this.received = 0;
      this.lastTransit = undefined;
    }
    this.received++;
    const delta = (p.sequenceNumber - this.maxSeq) & 0xffff;
    if (delta > 0 && delta < 0x8000) {
      if (p.sequenceNumber < this.maxSeq) this.cycles += 0x10000;
      this.maxSeq = p.sequenceNumber;
    }
    const arrivalTs = (arrivalMs * this.clockRate) / 1000;
    const transit = arrivalTs - p.timestamp;
    if (this.lastTransit !== undefined) {
      let d = Math.abs(transit - this.lastTransit);
      // A timestamp wrap shows up as a 2^32 jump in transit time, not as jitter.
      if (d > 0x8000_0000) d = Math.abs(d - 0x1_0000_0000);
      this.jitter += (d - this.jitter) / 16;
    }
    this.lastTransit = transit;
  }

  onSenderReport(ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.lastSr = ntpMiddle(ntpSeconds, ntpFraction);
    this.lastSrArrivalMs = arrivalMs;
  }

  /** A report block for the source; undefined before any packet. Resets the fraction interval. */
  report(nowMs: number): ReportBlock | undefined {
    if (this.baseSeq < 0) return undefined;
    const extendedMax = this.cycles + this.maxSeq;
    const expected = extendedMax - this.baseSeq + 1;
    const lost = expected - this.received;
    const expectedInterval = expected - this.expectedPrior;
    const lostInterval = expectedInterval - (this.received - this.receivedPrior);
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const fraction = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fraction),
      packetsLost: lost,
      highestSequence: extendedMax >>> 0,
      jitter: Math.floor(this.jitter) >>> 0,
      lastSr: this.lastSr,
      delaySinceLastSr: this.lastSr === 0 ? 0 : Math.floor(((nowMs - this.lastSrArrivalMs) / 1000) * 65536) >>> 0,
    };
  }
}
