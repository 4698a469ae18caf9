// Writes one video access unit as an MPEG-2 program stream (ISO/IEC 13818-1 §2.5) in the shape
// GB/T 28181 devices send (§C.2): a pack header per frame; on a keyframe also the system header
// and the program stream map (stream_type 0x1B H.264 / 0x24 H.265 on stream id 0xE0); then the
// picture in PES packets of at most 64 KiB, the first carrying the PTS (and DTS when it differs).
import { STREAM_TYPE } from './pes.js';

export interface PsFrame {
  codec: 'h264' | 'h265';
  /** NAL units without start codes. */
  nalus: Buffer[];
  keyframe: boolean;
  /** 90 kHz; taken modulo 2^33. */
  pts: number;
  dts?: number;
}

const VIDEO_ID = 0xe0;
const MAX_PES_PAYLOAD = 0xffff - 3 - 10;
const TS_WRAP = 2 ** 33;
/** program_mux_rate in units of 50 bytes/s: 10 Mbit/s, an upper bound announced, not enforced. */
const MUX_RATE = Math.round(10_000_000 / 8 / 50);

function packHeader(scr: number): Buffer {
  const b = Buffer.alloc(14);
  b.writeUInt32BE(0x000001ba, 0);
  const base = ((scr % TS_WRAP) + TS_WRAP) % TS_WRAP;
  const hi = Math.floor(base / 2 ** 30) & 0x07;
  const lo = base % 2 ** 30;
  // '01' SCR[32..30] 1 SCR[29..15] 1 SCR[14..0] 1 ext(9)=0 1
  b[4] = 0x44 | (hi << 3) | ((lo >>> 28) & 0x03);
  b[5] = (lo >>> 20) & 0xff;
  b[6] = (((lo >>> 15) & 0x1f) << 3) | 0x04 | ((lo >>> 13) & 0x03);
  b[7] = (lo >>> 5) & 0xff;
  b[8] = ((lo & 0x1f) << 3) | 0x04;
  b[9] = 0x01;
  b[10] = (MUX_RATE >>> 14) & 0xff;
  b[11] = (MUX_RATE >>> 6) & 0xff;
  b[12] = ((MUX_RATE & 0x3f) << 2) | 0x03;
  b[13] = 0xf8; // reserved, no stuffing
  return b;
}

function systemHeader(): Buffer {
  const b = Buffer.alloc(18);
  b.writeUInt32BE(0x000001bb, 0);
  b.writeUInt16BE(12, 4);
  b[6] = 0x80 | ((MUX_RATE >>> 15) & 0x7f);
  b[7] = (MUX_RATE >>> 7) & 0xff;
  b[8] = ((MUX_RATE & 0x7f) << 1) | 0x01;
  b[9] = 0x04; // audio_bound 1, not fixed, not CSPS
  b[10] = 0xe1; // audio and video locked, marker, video_bound 1
  b[11] = 0xff; // no packet rate restriction, reserved
  // Video: buffer bound scale 1 (×1024 bytes), 512 KiB.
  b[12] = VIDEO_ID;
  b[13] = 0xe0 | ((512 >> 8) & 0x1f);
  b[14] = 512 & 0xff;
  // Audio (G.711 A-law as devices announce it even when silent): scale 0 (×128 bytes), 4 KiB.
  b[15] = 0xc0;
  b[16] = 0xc0 | ((32 >> 8) & 0x1f);
  b[17] = 32 & 0xff;
  return b;
}

/** CRC-32/MPEG-2 (ISO/IEC 13818-1 Annex A): polynomial 0x04C11DB7, no reflection, no final xor. */
export function crc32Mpeg(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc ^= byte << 24;
    for (let i = 0; i < 8; i++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  return crc >>> 0;
}

function programStreamMap(codec: PsFrame['codec']): Buffer {
  const streams = [
    [codec === 'h264' ? STREAM_TYPE.h264 : STREAM_TYPE.h265, VIDEO_ID],
    [STREAM_TYPE.pcma, 0xc0],
  ] as const;
  const mapLength = streams.length * 4;
  const b = Buffer.alloc(16 + mapLength);
  b.writeUInt32BE(0x000001bc, 0);
  b.writeUInt16BE(b.length - 6, 4);
  b[6] = 0xe0; // current, version 0
  b[7] = 0xff;
  b.writeUInt16BE(0, 8); // no program stream info
  b.writeUInt16BE(mapLength, 10);
  let at = 12;
  for (const [type, id] of streams) {
    b[at] = type;
    b[at + 1] = id;
    b.writeUInt16BE(0, at + 2);
    at += 4;
  }
  b.writeUInt32BE(crc32Mpeg(b.subarray(0, at)), at);
  return b;
}

function timestamp(prefix: number, ts: number): Buffer {
  const t = ((ts % TS_WRAP) + TS_WRAP) % TS_WRAP;
  const hi = Math.floor(t / 2 ** 30) & 0x07;
  const lo = t % 2 ** 30;
  return Buffer.from([(prefix << 4) | (hi << 1) | 1, (lo >>> 22) & 0xff, (((lo >>> 15) & 0x7f) << 1) | 1, (lo >>> 7) & 0xff, ((lo & 0x7f) << 1) | 1]);
}

function pes(payload: Buffer, pts?: number, dts?: number): Buffer {
  const stamps = pts === undefined ? [] : dts === undefined || dts === pts ? [timestamp(0x2, pts)] : [timestamp(0x3, pts), timestamp(0x1, dts)];
  const headerData = Buffer.concat(stamps);
  const h = Buffer.alloc(9);
  h.writeUInt32BE(0x000001e0, 0);
  h.writeUInt16BE(3 + headerData.length + payload.length, 4);
  h[6] = 0x80;
  h[7] = stamps.length === 2 ? 0xc0 : stamps.length === 1 ? 0x80 : 0x00;
  h[8] = headerData.length;
  return Buffer.concat([h, headerData, payload]);
}

/** One access unit as program stream bytes. */
export function muxPsFrame(f: PsFrame): Buffer {
  const start = Buffer.from([0, 0, 0, 1]);
  const es = Buffer.concat(f.nalus.flatMap((n) => [start, n]));
  const parts = [packHeader(f.dts ?? f.pts)];
  if (f.keyframe) parts.push(systemHeader(), programStreamMap(f.codec));
  for (let at = 0; at < es.length; at += MAX_PES_PAYLOAD) {
    const chunk = es.subarray(at, at + MAX_PES_PAYLOAD);
    parts.push(at === 0 ? pes(chunk, f.pts, f.dts) : pes(chunk));
  }
  return Buffer.concat(parts);
}

/**
 * PS over RTP (GB/T 28181 §C.2, RFC 2250-like, no payload header): payload type 96, 90 kHz, the
 * session's SSRC, the PS of one frame cut into packets, marker on its last.
 */
export class RtpPsPacketizer {
  private seq: number;

  constructor(
    readonly ssrc: number,
    private readonly maxPayload = 1400,
    seq = Math.floor(Math.random() * 0x10000),
  ) {
    this.seq = seq & 0xffff;
  }

  packets(ps: Buffer, timestamp90k: number): Buffer[] {
    const out: Buffer[] = [];
    const ts = ((timestamp90k % 2 ** 32) + 2 ** 32) % 2 ** 32;
    for (let at = 0; at < ps.length; at += this.maxPayload) {
      const chunk = ps.subarray(at, at + this.maxPayload);
      const h = Buffer.alloc(12);
      h[0] = 0x80;
      h[1] = (at + this.maxPayload >= ps.length ? 0x80 : 0) | 96;
      h.writeUInt16BE(this.seq, 2);
      this.seq = (this.seq + 1) & 0xffff;
      h.writeUInt32BE(ts >>> 0, 4);
      h.writeUInt32BE(this.ssrc >>> 0, 8);
      out.push(Buffer.concat([h, chunk]));
    }
    return out;
  }
}
