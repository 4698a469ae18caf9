// A video sample the muxer holds until its fragment is cut, and how its bytes are laid out for
// the file: from the depacketizer's memory where the units carry their length prefixes there,
// else with prefixes made here.
import type { VideoAccessUnit } from './muxer.js';

export interface HeldSample {
  pts: number;
  dts?: number;
  /** The sample's bytes: length prefixes and NAL units, or (prefixed) the NAL units alone. */
  data: readonly Buffer[];
  /** `data` are NAL units each preceded in memory by its length prefix. */
  prefixed: boolean;
  /**
   * A prefixed sample whose units lie back to back in one buffer (most pictures: one slice) is
   * kept as that range, buf[start, end), and `data` is empty: a GOP held for its fragment is then
   * one small object a picture, which the garbage collector copies far less of at 300 cameras.
   */
  buf: ArrayBufferLike | undefined;
  start: number;
  end: number;
  size: number;
  keyframe: boolean;
}

const NO_DATA: readonly Buffer[] = Object.freeze([]);

/** The sample holding `nalus` (the access unit's units worth keeping) at the unit's times. */
export function heldSample(au: VideoAccessUnit, nalus: readonly Buffer[]): HeldSample {
  if (au.lengthPrefixed) {
    let size = 0;
    let buf: ArrayBufferLike | undefined;
    let start = 0;
    let end = 0;
    let contiguous = true;
    for (const n of nalus) {
      size += 4 + n.length;
      if (buf === undefined) {
        buf = n.buffer;
        start = n.byteOffset - 4;
      } else if (n.buffer !== buf || n.byteOffset - 4 !== end) {
        contiguous = false;
      }
      end = n.byteOffset + n.length;
    }
    const v: HeldSample = contiguous
      ? { pts: au.pts90k, data: NO_DATA, prefixed: true, buf, start, end, size, keyframe: au.keyframe }
      : { pts: au.pts90k, data: nalus, prefixed: true, buf: undefined, start: 0, end: 0, size, keyframe: au.keyframe };
    if (au.dts90k !== undefined) v.dts = au.dts90k;
    return v;
  }
  const prefixes = Buffer.allocUnsafe(4 * nalus.length);
  const data: Buffer[] = [];
  let size = 0;
  nalus.forEach((n, i) => {
    const p = prefixes.subarray(4 * i, 4 * i + 4);
    p.writeUInt32BE(n.length);
    data.push(p, n);
    size += 4 + n.length;
  });
  const v: HeldSample = { pts: au.pts90k, data, prefixed: false, buf: undefined, start: 0, end: 0, size, keyframe: au.keyframe };
  if (au.dts90k !== undefined) v.dts = au.dts90k;
  return v;
}

/**
 * The bytes of a run of samples, in order. Units laid out with their length prefixes in memory
 * are written from there, and units that follow each other in one buffer (consecutive units of
 * one slab) become a single view: a fragment is then a handful of buffers, not two per NAL unit,
 * which is what the hash, writev and the kernel each pay for.
 */
export function sampleData(samples: readonly HeldSample[]): Buffer[] {
  const out: Buffer[] = [];
  let buf: ArrayBufferLike | undefined;
  let start = 0;
  let end = 0;
  for (const s of samples) {
    if (!s.prefixed) {
      if (buf) out.push(Buffer.from(buf, start, end - start));
      buf = undefined;
      for (const d of s.data) out.push(d);
      continue;
    }
    if (s.buf) {
      if (buf === s.buf && s.start === end) {
        end = s.end;
        continue;
      }
      if (buf) out.push(Buffer.from(buf, start, end - start));
      buf = s.buf;
      start = s.start;
      end = s.end;
      continue;
    }
    for (const n of s.data) {
      const from = n.byteOffset - 4;
      if (buf === n.buffer && from === end) {
        end = n.byteOffset + n.length;
        continue;
      }
      if (buf) out.push(Buffer.from(buf, start, end - start));
      buf = n.buffer;
      start = from;
      end = n.byteOffset + n.length;
    }
  }
  if (buf) out.push(Buffer.from(buf, start, end - start));
  return out;
}
