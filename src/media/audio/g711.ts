// G.711 A-law / µ-law over RTP (RFC 3551 §4.5.14, static payload types 8 PCMA and 0 PCMU):
// the payload is the samples themselves, one octet per sample and channel, so a packet is a frame.
import type { RtpPayloadPacket } from '../h264/access-unit.js';
import type { AudioFrame } from './aac-depacketizer.js';

export type G711Law = 'pcma' | 'pcmu';

export class G711Depacketizer {
  private lastTs: number | undefined;
  private ext = 0;
  lostPackets = 0;
  private expectedSeq: number | undefined;

  constructor(readonly channels = 1) {}

  push(pkt: RtpPayloadPacket): AudioFrame[] {
    if (this.expectedSeq !== undefined) {
      const gap = (pkt.sequenceNumber - this.expectedSeq) & 0xffff;
      if (gap >= 0x8000) return [];
      this.lostPackets += gap;
    }
    this.expectedSeq = (pkt.sequenceNumber + 1) & 0xffff;
    if (this.lastTs === undefined) this.ext = pkt.timestamp;
    else this.ext += (pkt.timestamp - this.lastTs) | 0;
    this.lastTs = pkt.timestamp;
    const usable = pkt.payload.length - (pkt.payload.length % this.channels);
    return usable > 0 ? [{ pts: this.ext, data: pkt.payload.subarray(0, usable) }] : [];
  }
}

/** PCM samples in one G.711 frame. */
export function g711Samples(frame: Buffer, channels = 1): number {
  return Math.floor(frame.length / channels);
}
