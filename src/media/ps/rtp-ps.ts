// PS over RTP as GB/T 28181 devices send it (§C, RFC 2250-like with no payload header): payload
// type 96 with a 90 kHz clock, one SSRC (the y= of the session), marker on a frame's last packet.
// Packets of another SSRC or payload type are dropped and counted; sequence gaps are counted and
// reset the demuxer's partial state at the next pack header so damage does not spread.
import { PsReader, type PsReaderHandlers } from './ps-reader.js';

export interface RtpPsStats {
  packets: number;
  wrongSsrc: number;
  wrongPayloadType: number;
  /** Packets missing by sequence number. */
  lost: number;
  malformed: number;
}

export interface RtpPsOptions {
  /** The expected SSRC; undefined accepts the first one seen and then only it. */
  ssrc?: number;
  payloadType?: number;
  /** Use the marker bit to end pictures at once (lower latency); default true. */
  markerEndsFrame?: boolean;
}

export class RtpPsDepacketizer {
  readonly reader: PsReader;
  readonly stats: RtpPsStats = { packets: 0, wrongSsrc: 0, wrongPayloadType: 0, lost: 0, malformed: 0 };
  private ssrc: number | undefined;
  private lastSeq: number | undefined;
  private readonly payloadType: number;
  private readonly markerEndsFrame: boolean;

  constructor(handlers: PsReaderHandlers, options: RtpPsOptions = {}) {
    this.reader = new PsReader(handlers);
    this.ssrc = options.ssrc;
    this.payloadType = options.payloadType ?? 96;
    this.markerEndsFrame = options.markerEndsFrame ?? true;
  }

  get expectedSsrc(): number | undefined {
    return this.ssrc;
  }

  /** The session's SSRC changed (a device answered with its own y=). */
  expectSsrc(ssrc: number): void {
    this.ssrc = ssrc >>> 0;
  }

  /** One RTP packet (RFC 3550 §5.1). */
  push(pkt: Buffer): void {
    if (pkt.length < 12 || pkt[0]! >> 6 !== 2) {
      this.stats.malformed++;
      return;
    }
    const cc = pkt[0]! & 0x0f;
    let at = 12 + cc * 4;
    if (pkt[0]! & 0x10) {
      if (pkt.length < at + 4) {
        this.stats.malformed++;
        return;
      }
      at += 4 + pkt.readUInt16BE(at + 2) * 4;
    }
    let end = pkt.length;
    if (pkt[0]! & 0x20) end -= pkt[end - 1]!;
    if (at > end) {
      this.stats.malformed++;
      return;
    }
    const ssrc = pkt.readUInt32BE(8);
    if (this.ssrc === undefined) this.ssrc = ssrc;
    else if (ssrc !== this.ssrc) {
      this.stats.wrongSsrc++;
      return;
    }
    if ((pkt[1]! & 0x7f) !== this.payloadType) {
      this.stats.wrongPayloadType++;
      return;
    }
    const seq = pkt.readUInt16BE(2);
    if (this.lastSeq !== undefined) {
      const gap = (seq - this.lastSeq - 1) & 0xffff;
      if (gap > 0 && gap < 0x8000) this.stats.lost += gap;
      else if (gap >= 0x8000) return; // late or duplicate packet
    }
    this.lastSeq = seq;
    this.stats.packets++;
    this.reader.push(pkt.subarray(at, end));
    if (this.markerEndsFrame && pkt[1]! & 0x80) this.reader.endOfFrame();
  }

  close(): void {
    this.reader.flush();
  }
}
