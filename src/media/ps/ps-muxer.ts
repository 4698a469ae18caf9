// MPEG-2 program stream writer for sending video upward (GB/T 28181-2016 §C.2, ISO/IEC 13818-1
// §2.5.3): per frame a pack header (SCR = the frame's DTS), on a keyframe also the system header
// and the program stream map, then the frame as PES packets of stream 0xE0 with PTS (and DTS
// when it differs), split below the 16-bit PES length. Annex B start codes go before each NAL
// unit; the frame's parameter sets are put before a keyframe that lacks them. Then the bytes are
// cut into RTP packets (PT 96, 90 kHz, marker on the frame's last packet, no payload header).
import { PACK, PSM, STREAM_TYPE, SYSTEM_HEADER } from './pes.js';

const START = Buffer.from([0, 0, 0, 1]);
const VIDEO_ID = 0xe0;
/** Largest PES payload a packet carries (its 16-bit length also counts the 13-byte header tail). */
const PES_MAX = 65_000;
/** mux_rate in units of 50 bytes/s: written as a generous constant (receivers do not police it). */
const MUX_RATE = 0x3fff;

function timestamp(prefix: number, ts: number): Buffer {
  const t = ((ts % 2 ** 33) + 2 ** 33) % 2 ** 33;
  const hi = Math.floor(t / 2 ** 30) & 0x07;
  const mid = Math.floor(t / 2 ** 15) & 0x7fff;
  const lo = t & 0x7fff;
  return Buffer.from([(prefix << 4) | (hi << 1) | 1, mid >> 7, ((mid & 0x7f) << 1) | 1, lo >> 7, ((lo & 0x7f) << 1) | 1]);
}

/** Pack header (§2.5.3.3) with SCR = `scr90k`, extension 0, no stuffing. */
export function packHeader(scr90k: number): Buffer {
  const b = Buffer.alloc(PACK_HEADER_SIZE);
  writePackHeader(b, scr90k);
  return b;
}

export const PACK_HEADER_SIZE = 14;

/** Writes the pack header of `packHeader` into `b[0, 14)`: for a writer that reuses its memory. */
export function writePackHeader(b: Buffer, scr90k: number): void {
  b.writeUInt32BE(0x100 | PACK, 0);
  const t = ((scr90k % 2 ** 33) + 2 ** 33) % 2 ** 33;
  const hi = Math.floor(t / 2 ** 30) & 0x07;
  const mid = Math.floor(t / 2 ** 15) & 0x7fff;
  const lo = t & 0x7fff;
  b[4] = 0x44 | (hi << 3) | (mid >> 13);
  b[5] = (mid >> 5) & 0xff;
  b[6] = ((mid & 0x1f) << 3) | 0x04 | (lo >> 13);
  b[7] = (lo >> 5) & 0xff;
  b[8] = ((lo & 0x1f) << 3) | 0x04;
  b[9] = 0x01; // SCR extension 0, marker
  b[10] = (MUX_RATE >> 14) & 0xff;
  b[11] = (MUX_RATE >> 6) & 0xff;
  b[12] = ((MUX_RATE & 0x3f) << 2) | 0x03;
  b[13] = 0xf8; // reserved, no stuffing
}

/** System header (§2.5.3.5) naming one video stream (buffer bound 128 × 1024 bytes). */
export function systemHeader(): Buffer {
  const b = Buffer.alloc(15);
  b.writeUInt32BE(0x100 | SYSTEM_HEADER, 0);
  b.writeUInt16BE(9, 4);
  b[6] = 0x80 | ((MUX_RATE >> 15) & 0x7f);
  b[7] = (MUX_RATE >> 7) & 0xff;
  b[8] = ((MUX_RATE & 0x7f) << 1) | 1;
  b[9] = 0x00; // audio_bound 0, fixed 0, CSPS 0
  b[10] = 0xe1; // audio and video locked, marker, video_bound 1
  b[11] = 0x7f; // no packet rate restriction, reserved
  b[12] = VIDEO_ID;
  b[13] = 0xe0; // '11', scale 1 (units of 1024 bytes), size bound high bits
  b[14] = 0x80; // size bound 128
  return b;
}

/** Program stream map (§2.5.4) with one elementary stream; CRC as 13818-1 Annex A. */
export function programStreamMap(codec: 'h264' | 'h265'): Buffer {
  const es = Buffer.from([codec === 'h264' ? STREAM_TYPE.h264 : STREAM_TYPE.h265, VIDEO_ID, 0, 0]);
  const body = Buffer.concat([Buffer.from([0x80 | 0x01, 0x01, 0, 0]), Buffer.from([es.length >> 8, es.length & 0xff]), es]);
  const head = Buffer.alloc(6);
  head.writeUInt32BE(0x100 | PSM, 0);
  head.writeUInt16BE(body.length + 4, 4);
  const withoutCrc = Buffer.concat([head, body]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32Mpeg(withoutCrc), 0);
  return Buffer.concat([withoutCrc, crc]);
}

/** CRC-32/MPEG-2 (ISO/IEC 13818-1 Annex A): polynomial 0x04C11DB7, initial all ones, no reflection. */
export function crc32Mpeg(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? ((crc << 1) ^ 0x04c11db7) >>> 0 : (crc << 1) >>> 0;
  }
  return crc >>> 0;
}

/** Writes a PES header for `payloadLength` bytes at `at` in `out`; returns where the payload starts. */
function writePesHeader(out: Buffer, at: number, payloadLength: number, pts: number | undefined, dts: number | undefined): number {
  const flags = pts === undefined ? 0 : dts === undefined || dts === pts ? 0x80 : 0xc0;
  const stampsLength = flags === 0xc0 ? 10 : flags === 0x80 ? 5 : 0;
  out.writeUInt32BE(0x100 | VIDEO_ID, at);
  out.writeUInt16BE(3 + stampsLength + payloadLength, at + 4);
  out[at + 6] = 0x80; // '10', not scrambled, no priority, alignment 0
  out[at + 7] = flags;
  out[at + 8] = stampsLength;
  if (flags === 0xc0) {
    timestamp(0x3, pts!).copy(out, at + 9);
    timestamp(0x1, dts!).copy(out, at + 14);
  } else if (flags === 0x80) timestamp(0x2, pts!).copy(out, at + 9);
  return at + 9 + stampsLength;
}

/** PES header length for a packet with these stamps. */
function pesHeaderLength(pts: number | undefined, dts: number | undefined): number {
  return 9 + (pts === undefined ? 0 : dts === undefined || dts === pts ? 5 : 10);
}

export interface PsFrame {
  codec: 'h264' | 'h265';
  pts90k: number;
  dts90k?: number;
  keyframe: boolean;
  nalus: Buffer[];
  /** Parameter sets put before a keyframe that carries none. */
  parameterSets?: Buffer[];
}

function nalType(codec: 'h264' | 'h265', n: Buffer): number {
  return codec === 'h264' ? n[0]! & 0x1f : (n[0]! >> 1) & 0x3f;
}

/**
 * One frame as program-stream bytes: pack header, on keyframes system header and PSM, then PES.
 * Written into one buffer sized first: the frame's bytes are copied once (they were copied three
 * times by joining the start codes, each PES and the parts, which was most of forwarding's cost).
 */
export function muxPsFrame(f: PsFrame): Buffer {
  const dts = f.dts90k ?? f.pts90k;
  const heads: Buffer[] = [packHeader(dts)];
  let nalus = f.nalus;
  if (f.keyframe) {
    heads.push(systemHeader(), programStreamMap(f.codec));
    const isParam = (n: Buffer) => (f.codec === 'h264' ? [7, 8].includes(nalType('h264', n)) : [32, 33, 34].includes(nalType('h265', n)));
    if (f.parameterSets?.length && !nalus.some(isParam)) nalus = [...f.parameterSets, ...nalus];
  }
  let esLength = 0;
  for (const n of nalus) esLength += START.length + n.length;
  // PES packets of at most PES_MAX payload bytes each (one, empty, for an empty frame).
  const packets = Math.max(1, Math.ceil(esLength / PES_MAX));
  let total = esLength;
  for (const h of heads) total += h.length;
  for (let k = 0; k < packets; k++) total += pesHeaderLength(k === 0 ? f.pts90k : undefined, k === 0 ? dts : undefined);
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const h of heads) at += h.copy(out, at);
  // The elementary stream (start code, NAL unit, …) written across the PES packets' payloads.
  let nalu = 0;
  let within = -START.length; // negative: inside the start code before NAL unit `nalu`
  for (let k = 0; k < packets; k++) {
    const length = Math.min(PES_MAX, esLength - k * PES_MAX);
    at = writePesHeader(out, at, length, k === 0 ? f.pts90k : undefined, k === 0 ? dts : undefined);
    let left = length;
    while (left > 0) {
      const n = nalus[nalu]!;
      if (within < 0) {
        const take = Math.min(left, -within);
        at += START.copy(out, at, START.length + within, START.length + within + take);
        within += take;
        left -= take;
      } else {
        const take = Math.min(left, n.length - within);
        at += n.copy(out, at, within, within + take);
        within += take;
        left -= take;
      }
      if (within === n.length) {
        nalu++;
        within = -START.length;
      }
    }
  }
  return out;
}

/** Cuts PS bytes into RTP packets (RFC 3550 header, no payload header); the last has the marker. */
export class RtpPsPacketizer {
  private seq: number;

  constructor(
    readonly ssrc: number,
    private readonly payloadType = 96,
    private readonly maxPayload = 1400,
    seq = Math.floor(Math.random() * 65536),
  ) {
    this.seq = seq & 0xffff;
  }

  /** The RTP packets of one frame's PS bytes (views of one buffer: the bytes are copied once). */
  packetize(ps: Buffer, timestamp90k: number): Buffer[] {
    return this.packetizeFramed(ps, timestamp90k).packets;
  }

  /**
   * The packets, and the same packets as one RFC 4571 stream (each after its 2-byte length), laid
   * out in one buffer: over TCP a frame is one write, over UDP each packet one datagram.
   */
  packetizeFramed(ps: Buffer, timestamp90k: number): { packets: Buffer[]; framed: Buffer } {
    const ts = ((Math.round(timestamp90k) % 2 ** 32) + 2 ** 32) % 2 ** 32;
    const count = Math.ceil(ps.length / this.maxPayload);
    const framed = Buffer.allocUnsafe(ps.length + 14 * count);
    const packets: Buffer[] = new Array(count);
    let w = 0;
    for (let k = 0, at = 0; k < count; k++, at += this.maxPayload) {
      const end = Math.min(ps.length, at + this.maxPayload);
      framed.writeUInt16BE(12 + end - at, w);
      const start = w + 2;
      framed[start] = 0x80;
      framed[start + 1] = (k === count - 1 ? 0x80 : 0) | this.payloadType;
      framed.writeUInt16BE(this.seq, start + 2);
      this.seq = (this.seq + 1) & 0xffff;
      framed.writeUInt32BE(ts, start + 4);
      framed.writeUInt32BE(this.ssrc >>> 0, start + 8);
      w = start + 12;
      w += ps.copy(framed, w, at, end);
      packets[k] = framed.subarray(start, w);
    }
    return { packets, framed };
  }
}
