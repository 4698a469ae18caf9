// Demuxes an MP4 file (ISO/IEC 14496-12), ordinary or fragmented: the tracks of its moov with
// codec configuration, and every sample's byte range and times, from the sample tables and from
// each moof. Only box headers, moov and moofs are read; sample data stays in the file until asked.
import { closeSync, openSync, readSync, fstatSync } from 'node:fs';
import { open as openAsync } from 'node:fs/promises';
import { child, childBoxes, Fields, printable, requireChild } from './boxes.js';
import { Mp4Error } from './errors.js';
import { parseTrex, readMoof, type FragmentTrack, type TrackDefaults } from './fragments.js';
import { parseStsd, type SampleEntry } from './sample-entry.js';
import { readSampleTable, type Mp4Sample } from './sample-table.js';

export type { Mp4Sample, SampleEntry };

export interface Mp4Track {
  id: number;
  /** hdlr type: vide, soun, … */
  handler: string;
  timescale: number;
  entry: SampleEntry | undefined;
  /**
   * Ticks subtracted from every dts and cts by the edit list (§8.6.6): the media time of the first
   * edit, less any leading empty edit. ffprobe reports times after the same shift.
   */
  editShift: number;
  /** Samples in decode order. */
  samples: Mp4Sample[];
}

export interface Mp4Movie {
  brands: string[];
  /** True when samples came from movie fragments. */
  fragmented: boolean;
  timescale: number;
  tracks: Mp4Track[];
}

/** Random access to the bytes of a file, or of a buffer. */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Buffer;
}

export interface Mp4Limits {
  /** Largest moov read into memory (default 64 MiB). */
  maxMoovBytes?: number;
  maxMoofBytes?: number;
  /** Samples over all tracks (default 5 million: 55 hours at 25 fps). */
  maxSamples?: number;
  maxTracks?: number;
  /** Top-level boxes walked (default 1 million). */
  maxBoxes?: number;
  /** Largest sample (default 32 MiB): readSample allocates this much. */
  maxSampleBytes?: number;
}

export function bufferSource(buf: Buffer): ByteSource {
  return { size: buf.length, read: (o, n) => buf.subarray(o, Math.min(buf.length, o + n)) };
}

/** Demuxes an MP4 held in memory or behind a ByteSource; throws Mp4Error on bad input. */
export function demuxMp4(input: Buffer | ByteSource, limits: Mp4Limits = {}): Mp4Movie {
  const src = Buffer.isBuffer(input) ? bufferSource(input) : input;
  const maxMoov = limits.maxMoovBytes ?? 64 << 20;
  const maxMoof = limits.maxMoofBytes ?? 16 << 20;
  const maxSamples = limits.maxSamples ?? 5_000_000;
  const maxBoxes = limits.maxBoxes ?? 1_000_000;
  const movie: Mp4Movie = { brands: [], fragmented: false, timescale: 0, tracks: [] };
  const fragTracks = new Map<number, FragmentTrack>();
  let samples = 0;
  let pos = 0;
  for (let boxes = 0; pos + 8 <= src.size; boxes++) {
    if (boxes >= maxBoxes) throw new Mp4Error('MP4_LIMIT', 'too many top-level boxes');
    const head = src.read(pos, 16);
    let size = head.readUInt32BE(0);
    const type = head.toString('latin1', 4, 8);
    let header = 8;
    if (size === 1) {
      if (head.length < 16) break;
      const large = head.readBigUInt64BE(8);
      size = large > BigInt(src.size) ? src.size + 1 : Number(large);
      header = 16;
    } else if (size === 0) {
      size = src.size - pos;
    }
    if (size < header) throw new Mp4Error('MP4_MALFORMED', `box ${printable(type)} at ${pos} has size ${size}`);
    // A box cut short at the end of the file (a recording in progress) ends the walk.
    const complete = pos + size <= src.size;
    if (type === 'ftyp' && complete) {
      const body = src.read(pos + header, Math.min(size - header, 1024));
      for (let o = 8; o + 4 <= body.length; o += 4) movie.brands.push(body.toString('latin1', o, o + 4));
      if (body.length >= 4) movie.brands.unshift(body.toString('latin1', 0, 4));
    } else if (type === 'moov') {
      if (movie.tracks.length) throw new Mp4Error('MP4_MALFORMED', 'more than one moov');
      if (size > maxMoov) throw new Mp4Error('MP4_LIMIT', `moov of ${size} bytes is over the limit`);
      if (!complete) throw new Mp4Error('MP4_MALFORMED', 'moov is cut short');
      readMoov(src.read(pos + header, size - header), movie, fragTracks, limits, maxSamples);
      samples = movie.tracks.reduce((n, t) => n + t.samples.length, 0);
    } else if (type === 'moof' && complete) {
      if (!movie.timescale) throw new Mp4Error('MP4_MALFORMED', 'moof before moov');
      if (size > maxMoof) throw new Mp4Error('MP4_LIMIT', `moof of ${size} bytes is over the limit`);
      samples += readMoof(src.read(pos + header, size - header), pos, fragTracks, maxSamples - samples);
      movie.fragmented = true;
    }
    if (!complete) break;
    pos += size;
  }
  if (!movie.timescale) throw new Mp4Error('MP4_MALFORMED', 'no moov');
  for (const t of movie.tracks) {
    const frag = fragTracks.get(t.id);
    if (frag) for (const s of frag.samples) t.samples.push(s);
    const maxSample = limits.maxSampleBytes ?? 32 << 20;
    if (t.samples.some((s) => s.size > maxSample)) throw new Mp4Error('MP4_LIMIT', `track ${t.id} has a sample over ${maxSample} bytes`);
    // A sample whose bytes are not all in the file (truncated recording) is left out, with the rest.
    const inFile = t.samples.findIndex((s) => s.offset + s.size > src.size);
    if (inFile >= 0) t.samples.length = inFile;
  }
  return movie;
}

function readMoov(moov: Buffer, movie: Mp4Movie, fragTracks: Map<number, FragmentTrack>, limits: Mp4Limits, maxSamples: number): void {
  const mvhd = new Fields(requireChild(moov, 'mvhd', 'moov'), 'mvhd');
  const { version } = mvhd.fullBox();
  mvhd.skip(version === 1 ? 16 : 8);
  movie.timescale = mvhd.u32();
  if (movie.timescale === 0) throw new Mp4Error('MP4_MALFORMED', 'mvhd timescale is 0');
  const defaults = new Map<number, TrackDefaults>();
  const mvex = child(moov, 'mvex', 'moov');
  if (mvex) {
    for (const b of childBoxes(mvex, 'mvex')) {
      if (b.type !== 'trex') continue;
      const { trackId, defaults: d } = parseTrex(b.body);
      defaults.set(trackId, d);
    }
  }
  let budget = maxSamples;
  for (const b of childBoxes(moov, 'moov')) {
    if (b.type !== 'trak') continue;
    if (movie.tracks.length >= (limits.maxTracks ?? 32)) throw new Mp4Error('MP4_LIMIT', 'too many tracks');
    const track = readTrak(b.body, movie.timescale, budget);
    budget -= track.samples.length;
    movie.tracks.push(track);
    fragTracks.set(track.id, {
      defaults: defaults.get(track.id) ?? { descriptionIndex: 1, duration: 0, size: 0, flags: 0 },
      samples: [],
      nextDts: track.samples.length ? track.samples.at(-1)!.dts + track.samples.at(-1)!.duration : 0,
    });
  }
}

function readTrak(trak: Buffer, movieTimescale: number, maxSamples: number): Mp4Track {
  const tkhd = new Fields(requireChild(trak, 'tkhd', 'trak'), 'tkhd');
  const { version } = tkhd.fullBox();
  tkhd.skip(version === 1 ? 16 : 8);
  const id = tkhd.u32();
  const mdia = requireChild(trak, 'mdia', 'trak');
  const mdhd = new Fields(requireChild(mdia, 'mdhd', 'mdia'), 'mdhd');
  const v = mdhd.fullBox().version;
  mdhd.skip(v === 1 ? 16 : 8);
  const timescale = mdhd.u32();
  if (timescale === 0) throw new Mp4Error('MP4_MALFORMED', `track ${id}: mdhd timescale is 0`);
  const hdlr = new Fields(requireChild(mdia, 'hdlr', 'mdia'), 'hdlr');
  hdlr.fullBox();
  hdlr.skip(4);
  const handler = hdlr.bytes(4).toString('latin1');
  const stbl = requireChild(requireChild(mdia, 'minf', 'mdia'), 'stbl', 'minf');
  const stsd = child(stbl, 'stsd', 'stbl');
  const entry = stsd ? parseStsd(stsd) : undefined;
  const samples = readSampleTable(stbl, maxSamples);
  return { id, handler, timescale, entry, editShift: editShift(trak, movieTimescale, timescale), samples };
}

// §8.6.6: an empty edit delays the track; the first real edit's media_time is where it starts.
function editShift(trak: Buffer, movieTimescale: number, timescale: number): number {
  const edts = child(trak, 'edts', 'trak');
  const elst = edts && child(edts, 'elst', 'edts');
  if (!elst) return 0;
  const f = new Fields(elst, 'elst');
  const { version } = f.fullBox();
  const n = f.count(version === 1 ? 20 : 12, 1 << 16);
  let delay = 0;
  for (let i = 0; i < n; i++) {
    const duration = version === 1 ? f.u64() : f.u32();
    const mediaTime = version === 1 ? f.i64() : f.i32();
    f.skip(4); // media rate
    if (mediaTime === -1) {
      delay += Math.round((duration * timescale) / movieTimescale);
      continue;
    }
    return mediaTime - delay;
  }
  return -delay;
}

/** Presentation and decode time of a sample in track ticks, after the edit list shift. */
export function sampleTimes(track: Mp4Track, s: Mp4Sample): { dts: number; pts: number } {
  return { dts: s.dts - track.editShift, pts: s.dts + s.ctsOffset - track.editShift };
}

/** Splits a sample's length-prefixed NAL units (ISO/IEC 14496-15 §5.3.2) into views. */
export function splitLengthPrefixed(data: Buffer, lengthSize: number): Buffer[] {
  const out: Buffer[] = [];
  let o = 0;
  while (o + lengthSize <= data.length) {
    const n = lengthSize === 4 ? data.readUInt32BE(o) : lengthSize === 2 ? data.readUInt16BE(o) : data[o]!;
    o += lengthSize;
    if (n > data.length - o) throw new Mp4Error('MP4_MALFORMED', 'a NAL unit overruns its sample');
    if (n > 0) out.push(data.subarray(o, o + n));
    o += n;
  }
  if (o !== data.length) throw new Mp4Error('MP4_MALFORMED', 'trailing bytes after the last NAL unit');
  return out;
}

/** An MP4 file opened for demuxing; sample data is read on demand. */
export interface Mp4File {
  readonly movie: Mp4Movie;
  readSample(s: Mp4Sample): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openMp4File(path: string, limits: Mp4Limits = {}): Promise<Mp4File> {
  let movie: Mp4Movie;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    movie = demuxMp4({
      size,
      read: (o, n) => {
        const b = Buffer.allocUnsafe(Math.max(0, Math.min(n, size - o)));
        const got = readSync(fd, b, 0, b.length, o);
        return b.subarray(0, got);
      },
    }, limits);
  } finally {
    closeSync(fd);
  }
  const fh = await openAsync(path, 'r');
  return {
    movie,
    async readSample(s) {
      const b = Buffer.allocUnsafe(s.size);
      const { bytesRead } = await fh.read(b, 0, s.size, s.offset);
      if (bytesRead !== s.size) throw new Mp4Error('MP4_MALFORMED', 'sample data is cut short');
      return b;
    },
    close: () => fh.close(),
  };
}
