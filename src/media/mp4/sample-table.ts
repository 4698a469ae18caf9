// A track's samples from its sample table (ISO/IEC 14496-12 §8.5–8.7): decoding times (stts),
// composition offsets (ctts), sync samples (stss), sizes (stsz) and chunk layout (stsc with
// stco/co64). Every count is checked against the box that holds it before anything is allocated.
import { child, Fields } from './boxes.js';
import { Mp4Error } from './errors.js';

export interface Mp4Sample {
  /** Byte offset of the sample's data in the file. */
  offset: number;
  size: number;
  /** Decoding time in the track timescale (before the edit list shift). */
  dts: number;
  /** Composition (presentation) time offset from dts. */
  ctsOffset: number;
  duration: number;
  keyframe: boolean;
}

export function readSampleTable(stbl: Buffer, maxSamples: number): Mp4Sample[] {
  const stsz = child(stbl, 'stsz', 'stbl');
  if (!stsz) {
    if (child(stbl, 'stz2', 'stbl')) throw new Mp4Error('MP4_UNSUPPORTED', 'compact sample sizes (stz2)');
    return [];
  }
  const sizes = readSizes(stsz, maxSamples);
  const n = sizes.count;
  if (n === 0) return [];
  const samples: Mp4Sample[] = new Array(n);
  for (let i = 0; i < n; i++) samples[i] = { offset: 0, size: sizes.at(i), dts: 0, ctsOffset: 0, duration: 0, keyframe: true };

  // stts: runs of equal durations; missing samples past the table keep the last duration.
  const stts = child(stbl, 'stts', 'stbl');
  if (!stts) throw new Mp4Error('MP4_MALFORMED', 'stbl has no stts');
  let f = new Fields(stts, 'stts');
  f.fullBox();
  let entries = f.count(8, n);
  let i = 0;
  let t = 0;
  let last = 0;
  for (let e = 0; e < entries && i < n; e++) {
    const count = f.u32();
    last = f.u32();
    for (let k = 0; k < count && i < n; k++, i++) {
      samples[i]!.dts = t;
      samples[i]!.duration = last;
      t += last;
    }
  }
  for (; i < n; i++) {
    samples[i]!.dts = t;
    samples[i]!.duration = last;
    t += last;
  }

  const ctts = child(stbl, 'ctts', 'stbl');
  if (ctts) {
    f = new Fields(ctts, 'ctts');
    f.fullBox();
    entries = f.count(8, n);
    i = 0;
    for (let e = 0; e < entries && i < n; e++) {
      const count = f.u32();
      // Version 0 is unsigned by the letter of the standard, but writers put negative values
      // there too; read both versions as signed, as demuxers do.
      const offset = f.i32();
      for (let k = 0; k < count && i < n; k++, i++) samples[i]!.ctsOffset = offset;
    }
  }

  const stss = child(stbl, 'stss', 'stbl');
  if (stss) {
    for (const s of samples) s.keyframe = false;
    f = new Fields(stss, 'stss');
    f.fullBox();
    entries = f.count(4, n);
    for (let e = 0; e < entries; e++) {
      const at = f.u32();
      if (at >= 1 && at <= n) samples[at - 1]!.keyframe = true;
    }
  }

  placeInChunks(stbl, samples);
  return samples;
}

function readSizes(stsz: Buffer, maxSamples: number): { count: number; at(i: number): number } {
  const f = new Fields(stsz, 'stsz');
  f.fullBox();
  const fixed = f.u32();
  if (fixed !== 0) {
    const count = f.u32();
    if (count > maxSamples) throw new Mp4Error('MP4_LIMIT', `${count} samples is over the limit of ${maxSamples}`);
    return { count, at: () => fixed };
  }
  const count = f.count(4, maxSamples);
  const base = f.pos;
  return { count, at: (i) => stsz.readUInt32BE(base + i * 4) };
}

// stsc maps chunks to samples-per-chunk in runs (§8.7.4); chunk offsets come from stco or co64.
function placeInChunks(stbl: Buffer, samples: Mp4Sample[]): void {
  const stco = child(stbl, 'stco', 'stbl');
  const co64 = stco ? undefined : child(stbl, 'co64', 'stbl');
  if (!stco && !co64) throw new Mp4Error('MP4_MALFORMED', 'stbl has no chunk offsets');
  const cf = new Fields((stco ?? co64)!, stco ? 'stco' : 'co64');
  cf.fullBox();
  const chunks = cf.count(stco ? 4 : 8, samples.length);
  const chunkOffset = (c: number): number => {
    cf.pos = 8 + c * (stco ? 4 : 8);
    return stco ? cf.u32() : cf.u64();
  };
  const stsc = child(stbl, 'stsc', 'stbl');
  if (!stsc) throw new Mp4Error('MP4_MALFORMED', 'stbl has no stsc');
  const sf = new Fields(stsc, 'stsc');
  sf.fullBox();
  const runs = sf.count(12, chunks);
  const table: { first: number; perChunk: number }[] = [];
  for (let r = 0; r < runs; r++) {
    const first = sf.u32();
    const perChunk = sf.u32();
    sf.u32(); // sample description index: one description is all we read
    if (first < 1 || (table.length && first <= table.at(-1)!.first)) throw new Mp4Error('MP4_MALFORMED', 'stsc runs out of order');
    table.push({ first, perChunk });
  }
  let s = 0;
  for (let r = 0; r < table.length && s < samples.length; r++) {
    const end = r + 1 < table.length ? Math.min(table[r + 1]!.first - 1, chunks) : chunks;
    for (let c = table[r]!.first - 1; c < end && s < samples.length; c++) {
      let at = chunkOffset(c);
      for (let k = 0; k < table[r]!.perChunk && s < samples.length; k++, s++) {
        samples[s]!.offset = at;
        at += samples[s]!.size;
      }
    }
  }
  if (s < samples.length) throw new Mp4Error('MP4_MALFORMED', `chunks hold ${s} of ${samples.length} samples`);
}
