// RTCP, RFC 3550 §6.4 (SR, RR), §6.5 (SDES), §6.6 (BYE) and §6.1 compound packets.
import { RtpError } from './errors.js';

export interface ReportBlock {
  ssrc: number;
  /** Fraction lost since the previous report, as the 8-bit fixed-point value (0..255). */
  fractionLost: number;
  /** Cumulative packets lost (24-bit signed). */
  packetsLost: number;
  highestSequence: number;
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR received (0 if none). */
  lastSr: number;
  /** Delay since that SR, in units of 1/65536 s. */
  delaySinceLastSr: number;
}

export interface SenderReport {
  type: 'sr';
  ssrc: number;
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
  reports: ReportBlock[];
}

export interface ReceiverReport {
  type: 'rr';
  ssrc: number;
  reports: ReportBlock[];
}

export interface SdesChunk {
  ssrc: number;
  /** Item type (1 = CNAME, 2 = NAME, …) → text. */
  items: Map<number, string>;
}

export interface SourceDescription {
  type: 'sdes';
  chunks: SdesChunk[];
}

export interface Bye {
  type: 'bye';
  ssrcs: number[];
  reason?: string;
}

export interface OtherRtcp {
  type: 'other';
  packetType: number;
  count: number;
  body: Buffer;
}

export type RtcpPacket = SenderReport | ReceiverReport | SourceDescription | Bye | OtherRtcp;

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const SDES_CNAME = 1;

function malformed(message: string): RtpError {
  return new RtpError('RTCP_MALFORMED', message);
}

/** Parses a compound RTCP packet (or a single one) into its parts. */
export function parseRtcp(buf: Buffer): RtcpPacket[] {
  const out: RtcpPacket[] = [];
  let offset = 0;
  if (buf.length < 4) throw malformed(`RTCP packet of ${buf.length} bytes is shorter than its header`);
  while (offset < buf.length) {
    if (buf.length - offset < 4) throw malformed('trailing bytes after the last RTCP packet');
    const b0 = buf[offset]!;
    if (b0 >> 6 !== 2) throw malformed(`RTCP version ${b0 >> 6} is not 2`);
    const count = b0 & 0x1f;
    const packetType = buf[offset + 1]!;
    const length = (buf.readUInt16BE(offset + 2) + 1) * 4;
    if (offset + length > buf.length) throw malformed(`RTCP packet type ${packetType} runs past the datagram`);
    let bodyEnd = offset + length;
    if (b0 & 0x20) {
      const pad = buf[bodyEnd - 1]!;
      if (pad === 0 || pad > length - 4) throw malformed('RTCP padding does not fit');
      bodyEnd -= pad;
    }
    const body = buf.subarray(offset + 4, bodyEnd);
    out.push(parseOne(packetType, count, body));
    offset += length;
  }
  return out;
}

function parseOne(packetType: number, count: number, body: Buffer): RtcpPacket {
  switch (packetType) {
    case RTCP_SR: {
      if (body.length < 24 + count * 24) throw malformed('RTCP SR is shorter than its report count');
      return {
        type: 'sr',
        ssrc: body.readUInt32BE(0),
        ntpSeconds: body.readUInt32BE(4),
        ntpFraction: body.readUInt32BE(8),
        rtpTimestamp: body.readUInt32BE(12),
        packetCount: body.readUInt32BE(16),
        octetCount: body.readUInt32BE(20),
        reports: parseBlocks(body, 24, count),
      };
    }
    case RTCP_RR: {
      if (body.length < 4 + count * 24) throw malformed('RTCP RR is shorter than its report count');
      return { type: 'rr', ssrc: body.readUInt32BE(0), reports: parseBlocks(body, 4, count) };
    }
    case RTCP_SDES:
      return { type: 'sdes', chunks: parseSdes(body, count) };
    case RTCP_BYE: {
      if (body.length < count * 4) throw malformed('RTCP BYE is shorter than its source count');
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(body.readUInt32BE(i * 4));
      const bye: Bye = { type: 'bye', ssrcs };
      const rest = count * 4;
      if (body.length > rest) {
        const len = body[rest]!;
        if (rest + 1 + len > body.length) throw malformed('RTCP BYE reason runs past the packet');
        bye.reason = body.toString('utf8', rest + 1, rest + 1 + len);
      }
      return bye;
    }
    default:
      return { type: 'other', packetType, count, body };
  }
}

function parseBlocks(body: Buffer, start: number, count: number): ReportBlock[] {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const o = start + i * 24;
    blocks.push({
      ssrc: body.readUInt32BE(o),
      fractionLost: body[o + 4]!,
      packetsLost: body.readIntBE(o + 5, 3),
      highestSequence: body.readUInt32BE(o + 8),
      jitter: body.readUInt32BE(o + 12),
      lastSr: body.readUInt32BE(o + 16),
      delaySinceLastSr: body.readUInt32BE(o + 20),
    });
  }
  return blocks;
}

function parseSdes(body: Buffer, count: number): SdesChunk[] {
  const chunks: SdesChunk[] = [];
  let o = 0;
  for (let c = 0; c < count; c++) {
    if (o + 4 > body.length) throw malformed('RTCP SDES is shorter than its chunk count');
    const chunk: SdesChunk = { ssrc: body.readUInt32BE(o), items: new Map() };
    o += 4;
    for (;;) {
      if (o >= body.length) throw malformed('RTCP SDES chunk is not terminated');
      const type = body[o]!;
      if (type === 0) {
        // The terminating null pads the chunk to the next 32-bit boundary.
        o = (o + 4) & ~3;
        break;
      }
      if (o + 2 > body.length) throw malformed('RTCP SDES item runs past the packet');
      const len = body[o + 1]!;
      if (o + 2 + len > body.length) throw malformed('RTCP SDES item runs past the packet');
      chunk.items.set(type, body.toString('utf8', o + 2, o + 2 + len));
      o += 2 + len;
    }
    chunks.push(chunk);
  }
  return chunks;
}

function header(b: Buffer, offset: number, count: number, packetType: number, length: number): void {
  b[offset] = 0x80 | (count & 0x1f);
  b[offset + 1] = packetType;
  b.writeUInt16BE(length / 4 - 1, offset + 2);
}

function writeBlocks(b: Buffer, offset: number, reports: ReportBlock[]): void {
  for (const r of reports) {
    b.writeUInt32BE(r.ssrc >>> 0, offset);
    b[offset + 4] = Math.max(0, Math.min(255, r.fractionLost));
    b.writeIntBE(Math.max(-0x800000, Math.min(0x7fffff, r.packetsLost)), offset + 5, 3);
    b.writeUInt32BE(r.highestSequence >>> 0, offset + 8);
    b.writeUInt32BE(r.jitter >>> 0, offset + 12);
    b.writeUInt32BE(r.lastSr >>> 0, offset + 16);
    b.writeUInt32BE(r.delaySinceLastSr >>> 0, offset + 20);
    offset += 24;
  }
}

export function buildReceiverReport(rr: Omit<ReceiverReport, 'type'>): Buffer {
  if (rr.reports.length > 31) throw malformed('RTCP allows at most 31 report blocks');
  const b = Buffer.alloc(8 + rr.reports.length * 24);
  header(b, 0, rr.reports.length, RTCP_RR, b.length);
  b.writeUInt32BE(rr.ssrc >>> 0, 4);
  writeBlocks(b, 8, rr.reports);
  return b;
}

export function buildSenderReport(sr: Omit<SenderReport, 'type'>): Buffer {
  if (sr.reports.length > 31) throw malformed('RTCP allows at most 31 report blocks');
  const b = Buffer.alloc(28 + sr.reports.length * 24);
  header(b, 0, sr.reports.length, RTCP_SR, b.length);
  b.writeUInt32BE(sr.ssrc >>> 0, 4);
  b.writeUInt32BE(sr.ntpSeconds >>> 0, 8);
  b.writeUInt32BE(sr.ntpFraction >>> 0, 12);
  b.writeUInt32BE(sr.rtpTimestamp >>> 0, 16);
  b.writeUInt32BE(sr.packetCount >>> 0, 20);
  b.writeUInt32BE(sr.octetCount >>> 0, 24);
  writeBlocks(b, 28, sr.reports);
  return b;
}

/** An SDES packet with one CNAME chunk; §6.1 wants one in every compound packet. */
export function buildSdesCname(ssrc: number, cname: string): Buffer {
  const text = Buffer.from(cname, 'utf8').subarray(0, 255);
  const chunkLen = (4 + 2 + text.length + 1 + 3) & ~3;
  const b = Buffer.alloc(4 + chunkLen);
  header(b, 0, 1, RTCP_SDES, b.length);
  b.writeUInt32BE(ssrc >>> 0, 4);
  b[8] = SDES_CNAME;
  b[9] = text.length;
  text.copy(b, 10);
  return b;
}

export function buildBye(ssrcs: number[], reason?: string): Buffer {
  const text = reason ? Buffer.from(reason, 'utf8').subarray(0, 255) : undefined;
  const len = (4 + ssrcs.length * 4 + (text ? 1 + text.length : 0) + 3) & ~3;
  const b = Buffer.alloc(len);
  header(b, 0, ssrcs.length, RTCP_BYE, len);
  ssrcs.forEach((s, i) => b.writeUInt32BE(s >>> 0, 4 + i * 4));
  if (text) {
    b[4 + ssrcs.length * 4] = text.length;
    text.copy(b, 5 + ssrcs.length * 4);
  }
  return b;
}

// NTP timestamps count from 1900; Unix time from 1970.
const NTP_UNIX_OFFSET_S = 2_208_988_800;

export function ntpToUnixMs(seconds: number, fraction: number): number {
  return (seconds - NTP_UNIX_OFFSET_S) * 1000 + (fraction / 0x1_0000_0000) * 1000;
}

export function unixMsToNtp(ms: number): { seconds: number; fraction: number } {
  const secs = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - secs * 1000) / 1000) * 0x1_0000_0000);
  return { seconds: (secs + NTP_UNIX_OFFSET_S) >>> 0, fraction: fraction >>> 0 };
}

/** The "middle 32 bits" of an NTP timestamp, as carried in LSR (§6.4.1). */
export function ntpMiddle(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}
