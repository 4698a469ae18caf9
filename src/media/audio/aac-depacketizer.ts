// RTP payload format mpeg4-generic, RFC 3640 §3.2–3.3, in the AAC-hbr mode cameras use
// (sizeLength 13, indexLength 3, indexDeltaLength 3, no CTS/DTS/RAP fields, no auxiliary
// section). Several AUs per packet are split apart; one AU fragmented over several packets
// (§3.2.3, marker on the last) is reassembled, and dropped whole if a fragment is lost.
import type { RtpPayloadPacket } from '../h264/access-unit.js';
import { AudioError } from './errors.js';

export interface AudioFrame {
  /** Timestamp in the RTP clock (the sample rate for AAC), unwrapped past 2^32. */
  pts: number;
  data: Buffer;
}

export interface AacDepacketizerOptions {
  sizeLength?: number;
  indexLength?: number;
  indexDeltaLength?: number;
  /** PCM samples per AU, to time the 2nd, 3rd … AU of a packet (default 1024). */
  samplesPerFrame?: number;
}

export interface AacDepacketizerStats {
  packets: number;
  lostPackets: number;
  frames: number;
  droppedFrames: number;
  malformedPackets: number;
}

const MAX_AU = 1 << 13; // what a 13-bit AU-size can say

export class AacDepacketizer {
  readonly stats: AacDepacketizerStats = { packets: 0, lostPackets: 0, frames: 0, droppedFrames: 0, malformedPackets: 0 };
  private readonly sizeLength: number;
  private readonly indexLength: number;
  private readonly indexDeltaLength: number;
  private readonly samplesPerFrame: number;
  private expectedSeq: number | undefined;
  private lastTs: number | undefined;
  private ext = 0;
  private frag: { pts: number; size: number; parts: Buffer[]; got: number } | undefined;

  constructor(options: AacDepacketizerOptions = {}) {
    this.sizeLength = options.sizeLength ?? 13;
    this.indexLength = options.indexLength ?? 3;
    this.indexDeltaLength = options.indexDeltaLength ?? 3;
    this.samplesPerFrame = options.samplesPerFrame ?? 1024;
    if (this.sizeLength < 1 || this.sizeLength > 16 || this.indexLength > 8 || this.indexDeltaLength > 8) {
      throw new AudioError('AUDIO_UNSUPPORTED', 'AU header field lengths out of range');
    }
  }

  push(pkt: RtpPayloadPacket): AudioFrame[] {
    if (this.expectedSeq !== undefined) {
      const gap = (pkt.sequenceNumber - this.expectedSeq) & 0xffff;
      if (gap >= 0x8000) return [];
      if (gap > 0) {
        this.stats.lostPackets += gap;
        if (this.frag) this.dropFragment();
      }
    }
    this.expectedSeq = (pkt.sequenceNumber + 1) & 0xffff;
    this.stats.packets++;
    const pts = this.extend(pkt.timestamp);
    try {
      return this.parse(pkt.payload, pts, pkt.marker);
    } catch (e) {
      if (!(e instanceof AudioError)) throw e;
      this.stats.malformedPackets++;
      if (this.frag) this.dropFragment();
      return [];
    }
  }

  private parse(p: Buffer, pts: number, marker: boolean): AudioFrame[] {
    if (p.length < 2) throw new AudioError('AUDIO_MALFORMED', 'no AU-headers-length');
    const headersBits = p.readUInt16BE(0);
    const headersBytes = Math.ceil(headersBits / 8);
    if (2 + headersBytes > p.length) throw new AudioError('AUDIO_MALFORMED', 'AU headers run past the packet');
    const sizes: number[] = [];
    let bit = 0;
    const read = (n: number) => {
      let v = 0;
      for (let i = 0; i < n; i++, bit++) v = v * 2 + ((p[2 + (bit >> 3)]! >> (7 - (bit & 7))) & 1);
      return v;
    };
    while (bit < headersBits) {
      const idxLen = sizes.length === 0 ? this.indexLength : this.indexDeltaLength;
      if (bit + this.sizeLength + idxLen > headersBits) throw new AudioError('AUDIO_MALFORMED', 'truncated AU header');
      sizes.push(read(this.sizeLength));
      const index = read(idxLen);
      if (index !== 0) throw new AudioError('AUDIO_UNSUPPORTED', 'interleaved AUs (index ≠ 0) are not supported');
    }
    let o = 2 + headersBytes;
    const data = p.subarray(o);

    // A fragment of one large AU: one header whose size exceeds the data present (§3.2.3).
    if (this.frag || (sizes.length === 1 && sizes[0]! > data.length)) {
      if (!this.frag) this.frag = { pts, size: sizes[0]!, parts: [], got: 0 };
      else if (sizes.length !== 1 || sizes[0] !== this.frag.size) throw new AudioError('AUDIO_MALFORMED', 'AU fragment size changed');
      this.frag.parts.push(data);
      this.frag.got += data.length;
      if (this.frag.got > this.frag.size) throw new AudioError('AUDIO_MALFORMED', 'AU fragments exceed the AU size');
      if (!marker) return [];
      const f = this.frag;
      this.frag = undefined;
      if (f.got !== f.size) throw new AudioError('AUDIO_MALFORMED', 'AU fragments end short');
      this.stats.frames++;
      return [{ pts: f.pts, data: Buffer.concat(f.parts, f.size) }];
    }

    const out: AudioFrame[] = [];
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i]!;
      if (size === 0 || size > MAX_AU || o + size > p.length) throw new AudioError('AUDIO_MALFORMED', 'AU runs past the packet');
      out.push({ pts: pts + i * this.samplesPerFrame, data: p.subarray(o, o + size) });
      o += size;
    }
    this.stats.frames += out.length;
    return out;
  }

  private dropFragment(): void {
    this.frag = undefined;
    this.stats.droppedFrames++;
  }

  private extend(ts: number): number {
    if (this.lastTs === undefined) this.ext = ts;
    else this.ext += (ts - this.lastTs) | 0;
    this.lastTs = ts;
    return this.ext;
  }
}
