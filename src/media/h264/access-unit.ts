// Grouping RTP video payloads into access units (RFC 6184 §5.1 / RFC 7798 §4.1: all packets of
// one access unit share the RTP timestamp; the marker bit is set on its last packet). Shared by
// the H.264 and H.265 depacketizers, which only differ in how one payload yields NAL units.
// NAL units are copied out of the packets into slabs (../rtp/slab-arena.ts): the packets can be
// transient network buffers, and no buffer is allocated per NAL unit. Each unit is preceded in
// its slab by its 4-byte length, so the units of consecutive access units lie in memory as MP4
// samples and a muxer writes them as a few large buffers (see `lengthPrefixed`).
import { SlabArena } from '../rtp/slab-arena.js';

export interface AccessUnit {
  /** Presentation time in 90 kHz ticks: the RTP timestamp, unwrapped so it keeps rising past 2^32. */
  pts90k: number;
  /** Decode time when known (a muxer derives it from presentation order when absent). */
  dts90k?: number;
  /** NAL units without start codes or length prefixes, copied out of the packets. */
  nalus: Buffer[];
  keyframe: boolean;
  /** A packet of this access unit was lost or one of its NAL units was dropped. */
  damaged: boolean;
  /**
   * Every NAL unit is preceded in its memory (its ArrayBuffer, just before its byteOffset) by its
   * length as 4 big-endian bytes, valid as long as the unit is. A consumer that copies or
   * replaces `nalus` must drop this flag.
   */
  lengthPrefixed?: boolean;
  /**
   * Lets the memory of `nalus` be reused: call once nothing reads them any more (e.g. once they
   * are written to disk). Optional to call: without it the garbage collector frees them.
   */
  release?: () => void;
  /** A further claim on the memory of `nalus`, let go by the function it returns (VideoFrame.retain). */
  retain?: () => () => void;
}

/** The fields of an RTP packet a depacketizer needs (RtpPacket from ../rtp fits). */
export interface RtpPayloadPacket {
  payload: Buffer;
  timestamp: number;
  marker: boolean;
  sequenceNumber: number;
  /**
   * When set, the payload is payloadBuffer[payloadStart, payloadEnd) and is read from there
   * (`payload` may then be a getter that makes a view: see InPlaceRtpPacket in ../rtp).
   */
  payloadBuffer?: Buffer;
  payloadStart?: number;
  payloadEnd?: number;
}

export interface DepacketizerStats {
  packets: number;
  lostPackets: number;
  /** Duplicate or late packets ignored. */
  latePackets: number;
  /** NAL units dropped: incomplete fragments, oversize units, malformed aggregates. */
  droppedNalus: number;
  /** Payload structures this depacketizer does not accept (STAP-B, MTAP, FU-B, PACI…). */
  unsupportedPackets: number;
  accessUnits: number;
  damagedAccessUnits: number;
}

export interface DepacketizerOptions {
  /** Largest NAL unit kept; bigger ones are dropped (default 8 MiB). */
  maxNaluBytes?: number;
  /** Largest access unit kept (default 16 MiB). */
  maxAccessUnitBytes?: number;
  /** Where NAL units are copied to (default: a length-prefixing arena on the process-wide slab pool). */
  arena?: SlabArena;
}

interface Building {
  ts: number;
  pts90k: number;
  nalus: Buffer[];
  bytes: number;
  damaged: boolean;
}

const NONE: readonly AccessUnit[] = Object.freeze([]);

export abstract class RtpVideoDepacketizer {
  readonly stats: DepacketizerStats = {
    packets: 0, lostPackets: 0, latePackets: 0, droppedNalus: 0, unsupportedPackets: 0, accessUnits: 0, damagedAccessUnits: 0,
  };
  private readonly maxNalu: number;
  private readonly maxAu: number;
  private expectedSeq: number | undefined;
  private lastTs: number | undefined;
  private lastExt = 0;
  private lossPending = false;
  private au: Building | undefined;
  /** A fragmented NAL unit is being reassembled in the arena. */
  private frag = false;
  private readonly arena: SlabArena;

  constructor(options: DepacketizerOptions = {}) {
    this.maxNalu = options.maxNaluBytes ?? 8 * 1024 * 1024;
    this.maxAu = options.maxAccessUnitBytes ?? 16 * 1024 * 1024;
    this.arena = options.arena ?? new SlabArena(undefined, { lengthPrefix: true });
  }

  /**
   * Feeds one packet (in sequence order); returns the access units it completed, oldest first.
   * Most packets complete none: they all get the same empty, frozen array.
   */
  push(pkt: RtpPayloadPacket): readonly AccessUnit[] {
    let out: AccessUnit[] = NONE as AccessUnit[];
    if (this.expectedSeq !== undefined) {
      const gap = (pkt.sequenceNumber - this.expectedSeq) & 0xffff;
      if (gap >= 0x8000) {
        this.stats.latePackets++;
        return out;
      }
      if (gap > 0) {
        this.stats.lostPackets += gap;
        this.lossPending = true;
        this.dropFragment();
      }
    }
    this.expectedSeq = (pkt.sequenceNumber + 1) & 0xffff;
    this.stats.packets++;

    if (this.au && this.au.ts !== pkt.timestamp) {
      const done = this.finish();
      if (done) out = [done];
    }
    if (!this.au) {
      this.au = { ts: pkt.timestamp, pts90k: this.extend(pkt.timestamp), nalus: [], bytes: 0, damaged: false };
    }
    if (this.lossPending) {
      this.au.damaged = true;
      this.lossPending = false;
    }
    const inPlace = pkt.payloadBuffer;
    if (inPlace) this.depacketize(inPlace, pkt.payloadStart ?? 0, pkt.payloadEnd ?? inPlace.length);
    else {
      const payload = pkt.payload;
      this.depacketize(payload, 0, payload.length);
    }
    if (pkt.marker) {
      const done = this.finish();
      if (done) out = out === NONE ? [done] : [...out, done];
    }
    return out;
  }

  /** Emits the access unit still being built (end of stream), if any. */
  flush(): AccessUnit | null {
    return this.finish() ?? null;
  }

  /** Splits one payload, buf[start, end), into NAL units through addNalu / fragment calls. */
  protected abstract depacketize(buf: Buffer, start: number, end: number): void;
  protected abstract isKeyframe(nalus: readonly Buffer[]): boolean;

  /** One whole NAL unit: bytes[from, to) (the whole buffer by default). */
  protected addNalu(bytes: Buffer, from = 0, to = bytes.length): void {
    const au = this.au!;
    const length = to - from;
    if (length <= 0) return;
    // RFC 6184 §5.8 / RFC 7798 §4.4.3: nothing comes between the fragments of one NAL unit.
    if (this.frag) this.dropFragment();
    if (length > this.maxNalu || au.bytes + length > this.maxAu) {
      this.dropNalu();
      return;
    }
    this.arena.open();
    this.arena.appendRange(bytes, from, to);
    au.nalus.push(this.arena.close());
    au.bytes += length;
  }

  protected dropNalu(): void {
    this.stats.droppedNalus++;
    this.au!.damaged = true;
  }

  protected unsupported(): void {
    this.stats.unsupportedPackets++;
    this.au!.damaged = true;
  }

  protected get fragmentOpen(): boolean {
    return this.frag;
  }

  /**
   * Starts a fragmented NAL unit: its reconstructed NAL header (one byte for H.264, two for
   * H.265: pass -1 as the second for one), then the first fragment's data, data[from, to).
   */
  protected fragmentStart(header0: number, header1: number, data: Buffer, from = 0, to = data.length): void {
    if (this.frag) this.dropFragment();
    this.frag = true;
    this.arena.open();
    this.arena.appendByte(header0);
    if (header1 >= 0) this.arena.appendByte(header1);
    this.fragmentData(data, from, to);
  }

  /** The next fragment's data, data[from, to); `end` when it is the last. */
  protected fragmentContinue(data: Buffer, end: boolean, from = 0, to = data.length): void {
    if (!this.frag) {
      // A middle or end fragment whose start we never saw: the unit is already lost.
      this.stats.droppedNalus += end ? 1 : 0;
      this.au!.damaged = true;
      return;
    }
    if (!this.fragmentData(data, from, to) || !end) return;
    const au = this.au!;
    this.frag = false;
    const nal = this.arena.close();
    if (au.bytes + nal.length > this.maxAu) {
      this.dropNalu();
      return;
    }
    au.nalus.push(nal);
    au.bytes += nal.length;
  }

  /** Appends fragment data unless the unit grows past the limit (then it is dropped). */
  private fragmentData(data: Buffer, from: number, to: number): boolean {
    if (this.arena.openBytes + to - from > this.maxNalu) {
      this.dropFragment();
      return false;
    }
    this.arena.appendRange(data, from, to);
    return true;
  }

  private dropFragment(): void {
    if (!this.frag) return;
    this.frag = false;
    this.arena.abort();
    this.stats.droppedNalus++;
    if (this.au) this.au.damaged = true;
    else this.lossPending = true;
  }

  private finish(): AccessUnit | undefined {
    const au = this.au;
    if (!au) return undefined;
    if (this.frag) this.dropFragment();
    this.au = undefined;
    const claim = this.arena.claimShared();
    const release = claim?.release;
    if (au.nalus.length === 0) {
      release?.();
      if (au.damaged) this.stats.damagedAccessUnits++;
      return undefined;
    }
    this.stats.accessUnits++;
    if (au.damaged) this.stats.damagedAccessUnits++;
    const unit: AccessUnit = { pts90k: au.pts90k, nalus: au.nalus, keyframe: this.isKeyframe(au.nalus), damaged: au.damaged };
    if (claim) {
      unit.release = claim.release;
      unit.retain = claim.retain;
    }
    if (this.arena.lengthPrefixed) unit.lengthPrefixed = true;
    return unit;
  }

  private extend(ts: number): number {
    if (this.lastTs === undefined) {
      this.lastExt = ts;
    } else {
      // Signed 32-bit difference: B-frames step backwards, the wrap steps forwards.
      this.lastExt += (ts - this.lastTs) | 0;
    }
    this.lastTs = ts;
    return this.lastExt;
  }
}
