// Annex-B byte streams (ITU-T H.264 Annex B, H.265 Annex B): NAL units behind 00 00 01 or
// 00 00 00 01 start codes. Shared by both codecs.

/** Splits an Annex-B stream into NAL units: views into `buf`, no copies; empty units are skipped. */
export function splitAnnexB(buf: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = -1;
  let i = 0;
  const n = buf.length;
  while (i + 2 < n) {
    // Skip fast over bytes that cannot end a start code.
    if (buf[i + 2]! > 1) {
      i += 3;
      continue;
    }
    if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      if (start >= 0) pushTrimmed(out, buf, start, i);
      i += 3;
      start = i;
      continue;
    }
    i++;
  }
  if (start >= 0) pushTrimmed(out, buf, start, n);
  else if (n > 0) out.push(buf); // no start code at all: one bare NAL unit
  return out;
}

function pushTrimmed(out: Buffer[], buf: Buffer, start: number, end: number): void {
  // trailing_zero_8bits and the leading zero of a 4-byte start code belong to no NAL unit.
  while (end > start && buf[end - 1] === 0) end--;
  if (end > start) out.push(buf.subarray(start, end));
}

const START_CODE = Buffer.from([0, 0, 0, 1]);

/** NAL units → Annex-B (4-byte start codes). Copies; meant for files and tests, not the hot path. */
export function joinAnnexB(nalus: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const n of nalus) parts.push(START_CODE, n);
  return Buffer.concat(parts);
}

/**
 * Groups a NAL unit sequence (from an Annex-B file or stream) into access units: H.264 §7.4.1.2.3,
 * H.265 §7.4.2.4.4. A new unit begins at an AUD, at parameter sets or prefix SEI following a coded
 * picture, or at a slice that is the first of its picture (first_mb_in_slice = 0 /
 * first_slice_segment_in_pic_flag = 1). Views, no copies.
 */
export function groupAccessUnits(nalus: readonly Buffer[], codec: 'h264' | 'h265'): Buffer[][] {
  const out: Buffer[][] = [];
  let cur: Buffer[] = [];
  let hasVcl = false;
  for (const nal of nalus) {
    let vcl: boolean;
    let firstSlice = false;
    let leading: boolean; // a non-VCL unit that precedes the first slice of a picture
    if (codec === 'h264') {
      const t = nal[0]! & 0x1f;
      vcl = t >= 1 && t <= 5;
      if (vcl) firstSlice = nal.length > 1 && (nal[1]! & 0x80) !== 0; // ue(v) "1" is 0
      leading = t === 9 || t === 7 || t === 8 || t === 6 || (t >= 14 && t <= 18);
    } else {
      const t = (nal[0]! >> 1) & 0x3f;
      vcl = t <= 31;
      if (vcl) firstSlice = nal.length > 2 && (nal[2]! & 0x80) !== 0;
      leading = t === 35 || (t >= 32 && t <= 34) || t === 39 || (t >= 41 && t <= 44) || (t >= 48 && t <= 55);
    }
    if (hasVcl && (leading || (vcl && firstSlice))) {
      out.push(cur);
      cur = [];
      hasVcl = false;
    }
    cur.push(nal);
    if (vcl) hasVcl = true;
  }
  if (cur.length) out.push(cur);
  return out;
}
