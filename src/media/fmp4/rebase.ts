// A viewing copy of recorded fragments that starts at decode time zero, made by in-place field
// substitutions only: each fragment's tfdt (baseMediaDecodeTime, ISO/IEC 14496-12 §8.8.12) is
// lowered by the decode time of the first sample shown, and the init segment's mvhd
// creation_time/modification_time (§8.2.2, seconds since 1904) are set to that sample's
// wall-clock second. Nothing is inserted or moved, so every byte outside the substituted fields
// is the recording's, and each substitution is returned with the bytes it replaced: putting them
// back gives the original bytes, whose SHA-256 is the one in the index and the Merkle log.
import { children, readBoxHeader } from './box-reader.js';
import { Fmp4Error } from './errors.js';
import { scanFragments } from './scan.js';

/** One substituted field: `original` (hex) was at `offset` within the segment it belongs to. */
export interface Patch {
  offset: number;
  original: string;
}

/** Ticks to take off each track's decode times (track ID → ticks in that track's timescale). */
export type Shift = Map<number, number>;

/** Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01. */
const MP4_EPOCH_OFFSET_S = 2_082_844_800;

/**
 * The shift that makes `first` (a fragment of the recording whose init segment is `init`) start
 * at decode time zero: the earliest track starts at 0 exactly, every other track keeps its
 * offset to it (to the tick below), so audio and video stay in step.
 */
export async function shiftToZero(init: Buffer, first: Buffer): Promise<{ shift: Shift; ticks: number; timescale: number }> {
  const s = await scanFragments(Buffer.concat([init, first]));
  const frag = s.fragments[0];
  if (!frag || frag.tracks.length === 0) throw new Fmp4Error('FMP4_MALFORMED', 'the fragment does not parse after its init segment');
  const scale = new Map(s.tracks.map((t) => [t.id, t.timescale]));
  let earliest: { ticks: number; timescale: number } | undefined;
  for (const t of frag.tracks) {
    const ts = scale.get(t.trackId);
    if (!ts) throw new Fmp4Error('FMP4_MALFORMED', `the fragment's track ${t.trackId} is not in the init segment`);
    if (!earliest || t.baseDecodeTime * earliest.timescale < earliest.ticks * ts) earliest = { ticks: t.baseDecodeTime, timescale: ts };
  }
  const shift: Shift = new Map();
  for (const [id, ts] of scale) shift.set(id, Math.floor((earliest!.ticks * ts) / earliest!.timescale));
  return { shift, ...earliest! };
}

/** `fragment` (moof+mdat) with every traf's tfdt lowered by its track's shift. */
export function rebaseFragment(fragment: Buffer, shift: Shift): { bytes: Buffer; patches: Patch[] } {
  const out = Buffer.from(fragment);
  const patches: Patch[] = [];
  const moof = readBoxHeader(fragment, 0);
  if (moof === undefined || moof === 'invalid' || moof.type !== 'moof' || moof.size > fragment.length) throw new Fmp4Error('FMP4_MALFORMED', 'a fragment must start with a whole moof');
  for (const traf of children(fragment.subarray(moof.headerSize, moof.size), 'moof')) {
    if (traf.type !== 'traf') continue;
    let trackId = -1;
    for (const box of children(traf.body, 'traf')) {
      if (box.type === 'tfhd' && box.body.length >= 8) trackId = box.body.readUInt32BE(4);
      if (box.type !== 'tfdt') continue;
      const at = box.body.byteOffset - fragment.byteOffset + 4;
      const wide = box.body[0] === 1;
      if (box.body.length < (wide ? 12 : 8)) throw new Fmp4Error('FMP4_MALFORMED', 'tfdt is too short');
      const was = wide ? Number(fragment.readBigUInt64BE(at)) : fragment.readUInt32BE(at);
      const by = shift.get(trackId) ?? 0;
      if (by > was) throw new Fmp4Error('FMP4_MALFORMED', `track ${trackId} decodes at ${was}, before the start of the copy (${by})`);
      patches.push({ offset: at, original: fragment.toString('hex', at, at + (wide ? 8 : 4)) });
      if (wide) out.writeBigUInt64BE(BigInt(was - by), at);
      else out.writeUInt32BE(was - by, at);
    }
  }
  return { bytes: out, patches };
}

/** `init` with mvhd's creation and modification time set to the second of `wallClockMs`. */
export function stampInit(init: Buffer, wallClockMs: number): { bytes: Buffer; patches: Patch[] } {
  const out = Buffer.from(init);
  const s = Math.floor(wallClockMs / 1000) + MP4_EPOCH_OFFSET_S;
  for (let o = 0; o < init.length; ) {
    const h = readBoxHeader(init, o);
    if (h === undefined || h === 'invalid' || o + h.size > init.length) throw new Fmp4Error('FMP4_MALFORMED', `the init segment has a bad box at ${o}`);
    if (h.type === 'moov') {
      for (const c of children(init.subarray(o + h.headerSize, o + h.size), 'moov')) {
        if (c.type !== 'mvhd') continue;
        const at = c.body.byteOffset - init.byteOffset + 4;
        const n = c.body[0] === 1 ? 16 : 8;
        if (c.body.length < 4 + n) throw new Fmp4Error('FMP4_MALFORMED', 'mvhd is too short');
        const patch = { offset: at, original: init.toString('hex', at, at + n) };
        if (n === 16) {
          out.writeBigUInt64BE(BigInt(s), at);
          out.writeBigUInt64BE(BigInt(s), at + 8);
        } else {
          out.writeUInt32BE(s >>> 0, at);
          out.writeUInt32BE(s >>> 0, at + 4);
        }
        return { bytes: out, patches: [patch] };
      }
    }
    o += h.size;
  }
  throw new Fmp4Error('FMP4_MALFORMED', 'the init segment has no mvhd');
}

/** Puts the original bytes back: the inverse of rebaseFragment / stampInit. */
export function restore(bytes: Uint8Array, patches: readonly Patch[]): Buffer {
  const out = Buffer.from(bytes);
  for (const p of patches) Buffer.from(p.original, 'hex').copy(out, p.offset);
  return out;
}
