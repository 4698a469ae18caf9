// Grouping RTP video payloads into access units (RFC 6184 §5.1 / RFC 7798 §4.1: all packets of
// one access unit share the RTP timestamp; the marker bit is set on its last packet). Shared by
// the H.264 and H.265 depacketizers, which only differ in how one payload yields NAL units.

export interface AccessUnit {
  /** Presentation time in 90 kHz ticks: the RTP timestamp, unwrapped so it keeps rising past 2^32. */
  pts90k: number;
  /** Decode time when known (a muxer derives it from presentation order when absent). */
  dts90k?: number;
  /** NAL units without start codes or length prefixes; views into packets where possible. */
  nalus: Buffer[];
  keyframe: boolean;
  /** A packet of this access unit was lost or one of its NAL units was dropped. */
  damaged: boolean;
}

/** The fields of an RTP packet a depacketizer needs (RtpPacket from ../rtp fits). */
export interface RtpPayloadPacket {
  payload: Buffer;
  timestamp: number;
  marker: boolean;
  sequenceNumber: number;
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
}

interface Building {
  ts: number;
  pts90k: number;
  nalus: Buffer[];
  bytes: number;
  damaged: boolean;
}

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
  private frag: Buffer[] | undefined;
  private fragBytes = 0;

  constructor(options: DepacketizerOptions = {}) {
    this.maxNalu = options.maxNaluBytes ?? 8 * 1024 * 1024;
    this.maxAu = options.maxAccessUnitBytes ?? 16 * 1024 * 1024;
  }

  /** Feeds one packet (in sequence order); returns the access units it completed, oldest first. */
  push(pkt: RtpPayloadPacket): AccessUnit[] {
    const out: AccessUnit[] = [];
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

    if (this.au && this.au.ts !== pkt.timestamp) this.finish(out);
    if (!this.au) {
      this.au = { ts: pkt.timestamp, pts90k: this.extend(pkt.timestamp), nalus: [], bytes: 0, damaged: false };
    }
    if (this.lossPending) {
      this.au.damaged = true;
      this.lossPending = false;
    }
    this.depacketize(pkt.payload);
    if (pkt.marker) this.finish(out);
    return out;
  }

  /** Emits the access unit still being built (end of stream), if any. */
  flush(): AccessUnit | null {
    const out: AccessUnit[] = [];
    this.finish(out);
    return out[0] ?? null;
  }

  /** Splits one payload into NAL units through addNalu / fragment calls. */
  protected abstract depacketize(payload: Buffer): void;
  protected abstract isKeyframe(nalus: readonly Buffer[]): boolean;

  protected addNalu(nal: Buffer): void {
    const au = this.au!;
    if (nal.length === 0) return;
    if (nal.length > this.maxNalu || au.bytes + nal.length > this.maxAu) {
      this.dropNalu();
      return;
    }
    au.nalus.push(nal);
    au.bytes += nal.length;
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
    return this.frag !== undefined;
  }

  /** Starts a fragmented NAL unit; `header` is its reconstructed NAL header. */
  protected fragmentStart(header: Buffer, data: Buffer): void {
    if (this.frag) this.dropFragment();
    this.frag = [header, data];
    this.fragBytes = header.length + data.length;
  }

  protected fragmentContinue(data: Buffer, end: boolean): void {
    if (!this.frag) {
      // A middle or end fragment whose start we never saw: the unit is already lost.
      this.stats.droppedNalus += end ? 1 : 0;
      this.au!.damaged = true;
      return;
    }
    this.frag.push(data);
    this.fragBytes += data.length;
    if (this.fragBytes > this.maxNalu) {
      this.dropFragment();
      return;
    }
    if (end) {
      const nal = Buffer.concat(this.frag, this.fragBytes);
      this.frag = undefined;
      this.addNalu(nal);
    }
  }

  private dropFragment(): void {
    if (!this.frag) return;
    this.frag = undefined;
    this.stats.droppedNalus++;
    if (this.au) this.au.damaged = true;
    else this.lossPending = true;
  }

  private finish(out: AccessUnit[]): void {
    const au = this.au;
    if (!au) return;
    if (this.frag) this.dropFragment();
    this.au = undefined;
    if (au.nalus.length === 0) {
      if (au.damaged) this.stats.damagedAccessUnits++;
      return;
    }
    this.stats.accessUnits++;
    if (au.damaged) this.stats.damagedAccessUnits++;
    out.push({ pts90k: au.pts90k, nalus: au.nalus, keyframe: this.isKeyframe(au.nalus), damaged: au.damaged });
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
