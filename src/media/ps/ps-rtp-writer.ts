// One access unit as RTP-PS in one buffer (GB/T 28181-2016 §C.2, RFC 3550, RFC 4571): the
// program stream (pack header, on keyframes the system header and PSM, PES packets with Annex B
// start codes) is written straight into the payloads of its RTP packets, each behind its 12-byte
// header and, for TCP, its 2-byte RFC 4571 length. The frame's bytes are copied once, into one
// buffer kept from unit to unit: the caller says when the last unit's bytes are no longer held
// (the socket took them all), and the buffer is written again instead of a new one being
// allocated and first touched for every picture. Over TCP the unit is one write, over UDP its
// packets are views of it.
// The bytes are those of muxPsFrame cut by RtpPsPacketizer (ps-muxer.ts), which the tests check.
import { PACK_HEADER_SIZE, programStreamMap, systemHeader, writePackHeader } from './ps-muxer.js';
import type { PsFrame } from './ps-muxer.js';

const VIDEO_ID = 0xe0;
const PES_MAX = 65_000;
const START = Buffer.from([0, 0, 0, 1]);
const SYSTEM_HEADER = systemHeader();
const PSM = { h264: programStreamMap('h264'), h265: programStreamMap('h265') };

export interface RtpPsUnit {
  /** Every packet of the unit, each behind its RFC 4571 length when framed. */
  buffer: Buffer;
  /** The RTP packets (views of `buffer`, without the RFC 4571 length); empty when framed. */
  packets: Buffer[];
  count: number;
  /** Bytes of RTP (headers and payload, without the RFC 4571 lengths). */
  rtpBytes: number;
}

function isParameterSet(codec: 'h264' | 'h265', n: Buffer): boolean {
  if (codec === 'h264') {
    const t = n[0]! & 0x1f;
    return t === 7 || t === 8;
  }
  const t = (n[0]! >> 1) & 0x3f;
  return t === 32 || t === 33 || t === 34;
}

/** 33-bit timestamp with its 4-bit prefix and markers, 5 bytes at `at`. */
function putStamp(b: Buffer, at: number, prefix: number, ts: number): void {
  const t = ((ts % 2 ** 33) + 2 ** 33) % 2 ** 33;
  const hi = Math.floor(t / 2 ** 30) & 0x07;
  const mid = Math.floor(t / 2 ** 15) & 0x7fff;
  const lo = t & 0x7fff;
  b[at] = (prefix << 4) | (hi << 1) | 1;
  b[at + 1] = mid >> 7;
  b[at + 2] = ((mid & 0x7f) << 1) | 1;
  b[at + 3] = lo >> 7;
  b[at + 4] = ((lo & 0x7f) << 1) | 1;
}

export class PsRtpWriter {
  private seq: number;
  /** Pack and PES headers are composed here, then laid into the payloads. */
  private readonly scratch = Buffer.alloc(32);
  private out: Buffer = Buffer.alloc(0);
  /** The buffer the last unit was written in. */
  private kept: Buffer = Buffer.alloc(0);
  /** Where the next PS byte goes, counted in PS bytes. */
  private ps = 0;
  private readonly head: number;
  private readonly stride: number;

  constructor(
    readonly ssrc: number,
    /** RFC 4571: each packet behind its 16-bit length (RTP over TCP). */
    readonly framed: boolean,
    private readonly payloadType = 96,
    private readonly maxPayload = 1400,
    seq = Math.floor(Math.random() * 65536),
  ) {
    this.seq = seq & 0xffff;
    this.head = (framed ? 2 : 0) + 12;
    this.stride = this.head + maxPayload;
  }

  /**
   * The access unit's packets, with timestamp `timestamp90k` (its PTS) and the marker on the last.
   * `reuse`: the previous unit's bytes are no longer held by anyone (a socket that sent them all),
   * so its buffer may be written over; otherwise a new one is taken and kept for the next time.
   */
  write(f: PsFrame, reuse = false, timestamp90k = f.pts90k): RtpPsUnit {
    const dts = f.dts90k ?? f.pts90k;
    let nalus = f.nalus;
    if (f.keyframe && f.parameterSets?.length && !nalus.some((n) => isParameterSet(f.codec, n))) nalus = [...f.parameterSets, ...nalus];
    let esLength = 0;
    for (const n of nalus) esLength += START.length + n.length;
    const pesCount = Math.max(1, Math.ceil(esLength / PES_MAX));
    const stamps = dts === f.pts90k ? 5 : 10;
    const psLength = 14 + (f.keyframe ? SYSTEM_HEADER.length + PSM[f.codec].length : 0) + esLength + 9 * pesCount + stamps;
    const count = Math.ceil(psLength / this.maxPayload);
    const last = psLength - (count - 1) * this.maxPayload;
    const size = (count - 1) * this.stride + this.head + last;
    if (!reuse || this.kept.length < size) this.kept = Buffer.allocUnsafe(reuse ? Math.max(size, this.kept.length * 2) : Math.max(size, this.kept.length));
    const out = this.kept.subarray(0, size);
    this.out = out;
    this.ps = 0;
    // The RTP headers (and lengths) of every packet first: their places are known.
    const ts = ((Math.round(timestamp90k) % 2 ** 32) + 2 ** 32) % 2 ** 32;
    const ssrc = this.ssrc >>> 0;
    const packets: Buffer[] = this.framed ? [] : new Array<Buffer>(count);
    for (let k = 0; k < count; k++) {
      let at = k * this.stride;
      const payload = k === count - 1 ? last : this.maxPayload;
      if (this.framed) {
        out.writeUInt16BE(12 + payload, at);
        at += 2;
      } else packets[k] = out.subarray(at, at + 12 + payload);
      out[at] = 0x80;
      out[at + 1] = (k === count - 1 ? 0x80 : 0) | this.payloadType;
      out.writeUInt16BE(this.seq, at + 2);
      this.seq = (this.seq + 1) & 0xffff;
      out.writeUInt32BE(ts, at + 4);
      out.writeUInt32BE(ssrc, at + 8);
    }
    // The program stream, across the payloads.
    this.packHeader(dts);
    if (f.keyframe) {
      this.put(SYSTEM_HEADER, 0, SYSTEM_HEADER.length);
      this.put(PSM[f.codec], 0, PSM[f.codec].length);
    }
    let nalu = 0;
    let within = -START.length; // negative: inside the start code before NAL unit `nalu`
    for (let k = 0; k < pesCount; k++) {
      const length = Math.min(PES_MAX, esLength - k * PES_MAX);
      this.pesHeader(length, k === 0 ? f.pts90k : undefined, k === 0 ? dts : undefined);
      let left = length;
      while (left > 0) {
        const n = nalus[nalu]!;
        if (within < 0) {
          const take = Math.min(left, -within);
          this.put(START, START.length + within, START.length + within + take);
          within += take;
          left -= take;
        } else {
          const take = Math.min(left, n.length - within);
          this.put(n, within, within + take);
          within += take;
          left -= take;
        }
        if (within === n.length) {
          nalu++;
          within = -START.length;
        }
      }
    }
    this.out = Buffer.alloc(0);
    return { buffer: out, packets, count, rtpBytes: psLength + 12 * count };
  }

  /** Copies src[start, end) to the next PS bytes, across packet boundaries. */
  private put(src: Buffer, start: number, end: number): void {
    while (start < end) {
      const within = this.ps % this.maxPayload;
      const take = Math.min(this.maxPayload - within, end - start);
      src.copy(this.out, ((this.ps - within) / this.maxPayload) * this.stride + this.head + within, start, start + take);
      this.ps += take;
      start += take;
    }
  }

  private packHeader(scr90k: number): void {
    writePackHeader(this.scratch, scr90k);
    this.put(this.scratch, 0, PACK_HEADER_SIZE);
  }


  private pesHeader(payloadLength: number, pts: number | undefined, dts: number | undefined): void {
    const b = this.scratch;
    const flags = pts === undefined ? 0 : dts === undefined || dts === pts ? 0x80 : 0xc0;
    const stampsLength = flags === 0xc0 ? 10 : flags === 0x80 ? 5 : 0;
    b.writeUInt32BE(0x100 | VIDEO_ID, 0);
    b.writeUInt16BE(3 + stampsLength + payloadLength, 4);
    b[6] = 0x80;
    b[7] = flags;
    b[8] = stampsLength;
    if (flags === 0xc0) {
      putStamp(b, 9, 0x3, pts!);
      putStamp(b, 14, 0x1, dts!);
    } else if (flags === 0x80) putStamp(b, 9, 0x2, pts!);
    this.put(b, 0, 9 + stampsLength);
  }
}
