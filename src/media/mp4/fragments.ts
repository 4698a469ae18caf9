// Movie fragments (ISO/IEC 14496-12 §8.8): the samples a moof describes, from its track fragment
// headers (tfhd), decode times (tfdt) and runs (trun), with the movie's trex defaults.
import { childBoxes, Fields } from './boxes.js';
import { Mp4Error } from './errors.js';
import type { Mp4Sample } from './sample-table.js';

export interface TrackDefaults {
  descriptionIndex: number;
  duration: number;
  size: number;
  flags: number;
}

/** trex (§8.8.3): per-track defaults for fragments. */
export function parseTrex(body: Buffer): { trackId: number; defaults: TrackDefaults } {
  const f = new Fields(body, 'trex');
  f.fullBox();
  const trackId = f.u32();
  return { trackId, defaults: { descriptionIndex: f.u32(), duration: f.u32(), size: f.u32(), flags: f.u32() } };
}

/** Fragment sample flags (§8.8.3.1): a sample is a sync sample unless it is flagged non-sync. */
export function isSyncFlags(flags: number): boolean {
  return (flags & 0x00010000) === 0;
}

export interface FragmentTrack {
  defaults: TrackDefaults;
  samples: Mp4Sample[];
  /** Decode time after the last sample, used when a traf has no tfdt. */
  nextDts: number;
}

/**
 * Appends the samples of one moof (whose first byte is at file offset `moofOffset`) to their
 * tracks. `budget` is the number of samples still allowed; returns how many were added.
 */
export function readMoof(moof: Buffer, moofOffset: number, tracks: Map<number, FragmentTrack>, budget: number): number {
  let added = 0;
  for (const traf of childBoxes(moof, 'moof')) {
    if (traf.type !== 'traf') continue;
    added += readTraf(traf.body, moofOffset, tracks, budget - added);
  }
  return added;
}

function readTraf(traf: Buffer, moofOffset: number, tracks: Map<number, FragmentTrack>, budget: number): number {
  let track: FragmentTrack | undefined;
  let base = moofOffset;
  let duration = 0;
  let size = 0;
  let flags = 0;
  let added = 0;
  // The data of a run without data-offset follows the previous run's (§8.8.8.1).
  let nextData = -1;
  for (const box of childBoxes(traf, 'traf')) {
    if (box.type === 'tfhd') {
      const f = new Fields(box.body, 'tfhd');
      const h = f.fullBox();
      track = tracks.get(f.u32());
      if (!track) return 0; // a track the moov does not describe
      if (h.flags & 0x1) base = f.u64();
      else base = moofOffset; // default-base-is-moof, and what every writer we read means otherwise
      if (h.flags & 0x2) f.u32();
      duration = h.flags & 0x8 ? f.u32() : track.defaults.duration;
      size = h.flags & 0x10 ? f.u32() : track.defaults.size;
      flags = h.flags & 0x20 ? f.u32() : track.defaults.flags;
    } else if (box.type === 'tfdt' && track) {
      const f = new Fields(box.body, 'tfdt');
      const { version } = f.fullBox();
      track.nextDts = version === 1 ? f.u64() : f.u32();
    } else if (box.type === 'trun') {
      if (!track) throw new Mp4Error('MP4_MALFORMED', 'trun before tfhd');
      const f = new Fields(box.body, 'trun');
      const h = f.fullBox();
      const perSample = ((h.flags & 0x100) ? 4 : 0) + ((h.flags & 0x200) ? 4 : 0) + ((h.flags & 0x400) ? 4 : 0) + ((h.flags & 0x800) ? 4 : 0);
      const count = f.u32();
      if (count > budget - added) throw new Mp4Error('MP4_LIMIT', 'too many samples in the fragments');
      let data = h.flags & 0x1 ? base + f.i32() : nextData >= 0 ? nextData : base;
      const firstFlags = h.flags & 0x4 ? f.u32() : undefined;
      if (count * perSample > f.remaining) throw new Mp4Error('MP4_MALFORMED', 'trun entries do not fit in the box');
      if (data < 0) throw new Mp4Error('MP4_MALFORMED', 'trun data offset before the file');
      for (let i = 0; i < count; i++) {
        const d = h.flags & 0x100 ? f.u32() : duration;
        const s = h.flags & 0x200 ? f.u32() : size;
        const fl = h.flags & 0x400 ? f.u32() : i === 0 && firstFlags !== undefined ? firstFlags : flags;
        const cts = h.flags & 0x800 ? f.i32() : 0;
        track.samples.push({ offset: data, size: s, dts: track.nextDts, ctsOffset: cts, duration: d, keyframe: isSyncFlags(fl) });
        track.nextDts += d;
        data += s;
      }
      nextData = data;
      added += count;
    }
  }
  return added;
}
