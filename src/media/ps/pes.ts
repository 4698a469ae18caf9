// MPEG-2 program stream units (ISO/IEC 13818-1 §2.5.3): pack header (§2.5.3.3, and the MPEG-1
// pack of ISO/IEC 11172-1 §2.4.3.2 that ffmpeg's `-f mpeg` writes), system header (§2.5.3.5),
// program stream map (§2.5.4), PES header with PTS/DTS (§2.4.3.6, and the MPEG-1 packet header).
import { PsError } from './errors.js';

export const PACK = 0xba;
export const SYSTEM_HEADER = 0xbb;
export const PSM = 0xbc;
export const END = 0xb9;
export const PADDING = 0xbe;

/** Stream types of the PSM that GB/T 28181 devices use (ISO/IEC 13818-1 Table 2-34 and GB/T 28181 §C). */
export const STREAM_TYPE = {
  h264: 0x1b,
  h265: 0x24,
  aac: 0x0f,
  pcma: 0x90,
  pcmu: 0x91,
  svac: 0x80,
} as const;

/** Length of the pack header starting at buf[at] (00 00 01 BA), or undefined if incomplete. */
export function packHeaderLength(buf: Buffer, at: number): number | undefined {
  if (buf.length < at + 5) return undefined;
  const b = buf[at + 4]!;
  if ((b & 0xc0) === 0x40) {
    if (buf.length < at + 14) return undefined;
    return 14 + (buf[at + 13]! & 0x07);
  }
  if ((b & 0xf0) === 0x20) return 12;
  throw new PsError('PS_MALFORMED', 'pack header is neither MPEG-2 nor MPEG-1');
}

/** Reads a 33-bit timestamp from its 5-byte field (marker bits ignored). */
export function readTimestamp(buf: Buffer, at: number): number {
  const hi = (buf[at]! >> 1) & 0x07;
  const mid = (buf[at + 1]! << 7) | (buf[at + 2]! >> 1);
  const lo = (buf[at + 3]! << 7) | (buf[at + 4]! >> 1);
  return hi * 2 ** 30 + mid * 2 ** 15 + lo;
}

export interface PesHeader {
  pts?: number;
  dts?: number;
  /** Offset of the payload from the start code. */
  payloadAt: number;
}

/** Parses a PES header (MPEG-2, or MPEG-1 as ffmpeg's `-f mpeg` writes) given the whole packet. */
export function parsePesHeader(pkt: Buffer): PesHeader {
  if (pkt.length < 9) throw new PsError('PS_MALFORMED', 'PES packet shorter than its header');
  if ((pkt[6]! & 0xc0) === 0x80) {
    const flags = pkt[7]! >> 6;
    const payloadAt = 9 + pkt[8]!;
    if (payloadAt > pkt.length) throw new PsError('PS_MALFORMED', 'PES header data runs past the packet');
    const h: PesHeader = { payloadAt };
    if (flags & 0x2) {
      if (pkt.length < 14) throw new PsError('PS_MALFORMED', 'PES PTS runs past the packet');
      h.pts = readTimestamp(pkt, 9);
      if (flags === 0x3) {
        if (pkt.length < 19) throw new PsError('PS_MALFORMED', 'PES DTS runs past the packet');
        h.dts = readTimestamp(pkt, 14);
      }
    }
    return h;
  }
  let i = 6;
  while (i < pkt.length && pkt[i] === 0xff && i < 6 + 16) i++;
  if (i >= pkt.length) throw new PsError('PS_MALFORMED', 'MPEG-1 packet header runs past the packet');
  if ((pkt[i]! & 0xc0) === 0x40) i += 2;
  const b = pkt[i]!;
  const h: PesHeader = { payloadAt: 0 };
  if ((b & 0xf0) === 0x20) {
    if (i + 5 > pkt.length) throw new PsError('PS_MALFORMED', 'MPEG-1 PTS runs past the packet');
    h.pts = readTimestamp(pkt, i);
    i += 5;
  } else if ((b & 0xf0) === 0x30) {
    if (i + 10 > pkt.length) throw new PsError('PS_MALFORMED', 'MPEG-1 PTS/DTS runs past the packet');
    h.pts = readTimestamp(pkt, i);
    h.dts = readTimestamp(pkt, i + 5);
    i += 10;
  } else if (b === 0x0f) {
    i += 1;
  } else {
    throw new PsError('PS_MALFORMED', 'MPEG-1 packet header has no valid timestamp marker');
  }
  h.payloadAt = i;
  return h;
}

/** The PSM's elementary stream id → stream type (whole PSM packet given). */
export function parsePsm(pkt: Buffer): Map<number, number> {
  const map = new Map<number, number>();
  if (pkt.length < 16) throw new PsError('PS_MALFORMED', 'PSM shorter than its fixed fields');
  const infoLength = pkt.readUInt16BE(8);
  let i = 10 + infoLength;
  if (i + 2 > pkt.length) throw new PsError('PS_MALFORMED', 'PSM program_stream_info runs past the packet');
  const mapLength = pkt.readUInt16BE(i);
  i += 2;
  const end = i + mapLength;
  if (end > pkt.length) throw new PsError('PS_MALFORMED', 'PSM elementary_stream_map runs past the packet');
  while (i + 4 <= end) {
    const type = pkt[i]!;
    const id = pkt[i + 1]!;
    const infoLen = pkt.readUInt16BE(i + 2);
    map.set(id, type);
    i += 4 + infoLen;
  }
  return map;
}
