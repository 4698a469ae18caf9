// Walks a fragmented MP4 file (ISO/IEC 14496-12 §8.8) from the start: the init segment, then
// every complete moof+mdat pair with its byte range and decode times. It stops cleanly at a
// truncated or garbage tail, which is what a crash leaves, so recovery can cut the file back to
// `validLength`; only a structure that is wrong inside a complete box is an error.
import { open } from 'node:fs/promises';
import { children, need, readBoxHeader } from './box-reader.js';
import { Fmp4Error } from './errors.js';

export interface ByteRange {
  offset: number;
  length: number;
}

export interface ScannedTrack {
  id: number;
  timescale: number;
  handler: string;
}

export interface TrackFragment {
  trackId: number;
  baseDecodeTime: number;
  /** Sum of sample durations, in the track timescale. */
  duration: number;
  sampleCount: number;
  dataBytes: number;
  firstSampleSync: boolean;
}

export interface ScannedFragment extends ByteRange {
  moof: ByteRange;
  mdat: ByteRange;
  sequence: number;
  tracks: TrackFragment[];
}

export interface ScanResult {
  fileLength: number;
  /** ftyp … moov, when present. */
  init?: ByteRange;
  tracks: ScannedTrack[];
  fragments: ScannedFragment[];
  /** End of the init segment or of the last complete fragment: truncate here to recover. */
  validLength: number;
  /** Set when the scan stopped before the end of the file. */
  tail?: { offset: number; reason: 'truncated' | 'invalid-box' };
}

export interface ScanLimits {
  /** Largest moov read into memory (default 4 MiB). */
  maxMoovBytes?: number;
  /** Largest moof read into memory (default 8 MiB). */
  maxMoofBytes?: number;
  /** Largest mdat (default 1 GiB); only its header is read. */
  maxMdatBytes?: number;
}

interface Source {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

const SKIPPABLE = new Set(['free', 'skip', 'styp', 'sidx', 'prft', 'emsg', 'mfra', 'uuid']);

/** Scans an fMP4 held in memory, or a file by path (reading only headers and moofs). */
export async function scanFragments(input: Buffer | string, limits: ScanLimits = {}): Promise<ScanResult> {
  if (Buffer.isBuffer(input)) {
    return scan({ size: input.length, read: async (o, n) => input.subarray(o, Math.min(o + n, input.length)) }, limits);
  }
  const fh = await open(input, 'r');
  try {
    const { size } = await fh.stat();
    return await scan(
      {
        size,
        read: async (o, n) => {
          const b = Buffer.allocUnsafe(Math.max(0, Math.min(n, size - o)));
          const { bytesRead } = await fh.read(b, 0, b.length, o);
          return b.subarray(0, bytesRead);
        },
      },
      limits,
    );
  } finally {
    await fh.close();
  }
}

async function scan(src: Source, limits: ScanLimits): Promise<ScanResult> {
  const maxMoov = limits.maxMoovBytes ?? 4 << 20;
  const maxMoof = limits.maxMoofBytes ?? 8 << 20;
  const maxMdat = limits.maxMdatBytes ?? 1 << 30;
  const result: ScanResult = { fileLength: src.size, tracks: [], fragments: [], validLength: 0 };
  const defaults = new Map<number, { duration: number; size: number; flags: number }>();
  let pos = 0;
  let sawFtyp = false;

  const stop = (reason: 'truncated' | 'invalid-box') => {
    result.tail = { offset: result.validLength, reason };
    return result;
  };

  while (pos < src.size) {
    const h = readBoxHeader(await src.read(pos, 16), 0, pos);
    if (h === undefined) return stop('truncated');
    if (h === 'invalid') return stop('invalid-box');
    const end = pos + h.size;

    if (h.type === 'ftyp' || h.type === 'moov') {
      if (result.fragments.length) throw new Fmp4Error('FMP4_MALFORMED', `${h.type} after the first fragment`);
      if (h.size > maxMoov) throw new Fmp4Error('FMP4_LIMIT', `${h.type} of ${h.size} bytes is over the limit`);
      if (end > src.size) return stop('truncated');
      if (h.type === 'ftyp') sawFtyp = true;
      else {
        readMoov(await src.read(pos + h.headerSize, h.size - h.headerSize), result.tracks, defaults);
        result.init = { offset: 0, length: end };
        result.validLength = end;
      }
      pos = end;
      continue;
    }
    if (SKIPPABLE.has(h.type)) {
      if (end > src.size) return stop('truncated');
      pos = end;
      continue;
    }
    if (h.type !== 'moof') {
      // A movie box out of place, or an mdat with no moof: not a fragmented stream we can index.
      if (!sawFtyp && !result.init) return stop('invalid-box');
      throw new Fmp4Error('FMP4_MALFORMED', `unexpected top-level '${h.type}' at ${pos}`);
    }

    if (h.size > maxMoof) throw new Fmp4Error('FMP4_LIMIT', `moof of ${h.size} bytes is over the limit`);
    if (end > src.size) return stop('truncated');
    const moofBody = await src.read(pos + h.headerSize, h.size - h.headerSize);
    const mh = readBoxHeader(await src.read(end, 16), 0, end);
    if (mh === undefined) return stop('truncated');
    if (mh === 'invalid') return stop('invalid-box');
    if (mh.type !== 'mdat') throw new Fmp4Error('FMP4_MALFORMED', `moof at ${pos} is followed by '${mh.type}', not mdat`);
    if (mh.size > maxMdat) throw new Fmp4Error('FMP4_LIMIT', `mdat of ${mh.size} bytes is over the limit`);
    const mdatEnd = end + mh.size;
    if (mdatEnd > src.size) return stop('truncated');

    const frag = readMoof(moofBody, defaults);
    // Every sample must lie inside this mdat (data offsets are from the moof, §8.8.7.1).
    for (const r of frag.ranges) {
      if (r.start < h.size + mh.headerSize || r.end > h.size + mh.size) {
        throw new Fmp4Error('FMP4_MALFORMED', `sample data of the moof at ${pos} lies outside its mdat`);
      }
    }
    result.fragments.push({
      offset: pos,
      length: mdatEnd - pos,
      moof: { offset: pos, length: h.size },
      mdat: { offset: end, length: mh.size },
      sequence: frag.sequence,
      tracks: frag.tracks,
    });
    result.validLength = mdatEnd;
    pos = mdatEnd;
  }
  return result;
}

type Defaults = Map<number, { duration: number; size: number; flags: number }>;

function readMoov(body: Buffer, tracks: ScannedTrack[], defaults: Defaults): void {
  for (const box of children(body, 'moov')) {
    if (box.type === 'trak') tracks.push(readTrak(box.body));
    if (box.type === 'mvex') {
      for (const t of children(box.body, 'mvex')) {
        if (t.type !== 'trex') continue;
        need(t.body, 24, 'trex');
        defaults.set(t.body.readUInt32BE(4), {
          duration: t.body.readUInt32BE(12),
          size: t.body.readUInt32BE(16),
          flags: t.body.readUInt32BE(20),
        });
      }
    }
  }
}

function readTrak(body: Buffer): ScannedTrack {
  const track: ScannedTrack = { id: 0, timescale: 0, handler: '' };
  for (const box of children(body, 'trak')) {
    if (box.type === 'tkhd') {
      need(box.body, 4, 'tkhd');
      const v1 = box.body[0] === 1;
      need(box.body, v1 ? 24 : 16, 'tkhd');
      track.id = box.body.readUInt32BE(v1 ? 20 : 12);
    }
    if (box.type !== 'mdia') continue;
    for (const m of children(box.body, 'mdia')) {
      if (m.type === 'mdhd') {
        need(m.body, 4, 'mdhd');
        const v1 = m.body[0] === 1;
        need(m.body, v1 ? 24 : 16, 'mdhd');
        track.timescale = m.body.readUInt32BE(v1 ? 20 : 12);
      }
      if (m.type === 'hdlr') {
        need(m.body, 12, 'hdlr');
        track.handler = m.body.toString('latin1', 8, 12);
      }
    }
  }
  if (!track.id || !track.timescale) throw new Fmp4Error('FMP4_MALFORMED', 'trak without track_ID or timescale');
  return track;
}

function readMoof(body: Buffer, defaults: Defaults) {
  let sequence = -1;
  const tracks: TrackFragment[] = [];
  const ranges: { start: number; end: number }[] = [];
  for (const box of children(body, 'moof')) {
    if (box.type === 'mfhd') {
      need(box.body, 8, 'mfhd');
      sequence = box.body.readUInt32BE(4);
    }
    if (box.type === 'traf') tracks.push(readTraf(box.body, defaults, ranges));
  }
  if (sequence < 0) throw new Fmp4Error('FMP4_MALFORMED', 'moof without mfhd');
  return { sequence, tracks, ranges };
}

function readTraf(body: Buffer, defaults: Defaults, ranges: { start: number; end: number }[]): TrackFragment {
  const tf: TrackFragment = { trackId: 0, baseDecodeTime: 0, duration: 0, sampleCount: 0, dataBytes: 0, firstSampleSync: false };
  let def = { duration: 0, size: 0, flags: 0 };
  let explicitBase = false;
  let seenTfhd = false;
  // Data offsets count from the moof (default-base-is-moof, or no base_data_offset as 'iso5'
  // requires); a trun without one continues where the previous run ended (§8.8.8.3).
  let nextData = 0;
  for (const box of children(body, 'traf')) {
    const b = box.body;
    if (box.type === 'tfhd') {
      need(b, 8, 'tfhd');
      const flags = b.readUIntBE(1, 3);
      tf.trackId = b.readUInt32BE(4);
      def = { ...(defaults.get(tf.trackId) ?? def) };
      let o = 8;
      const take = (n: number) => {
        need(b, o + n, 'tfhd');
        const at = o;
        o += n;
        return at;
      };
      if (flags & 0x1) {
        take(8);
        explicitBase = true; // an absolute base_data_offset: we only index moof-relative files
      }
      if (flags & 0x2) take(4);
      if (flags & 0x8) def.duration = b.readUInt32BE(take(4));
      if (flags & 0x10) def.size = b.readUInt32BE(take(4));
      if (flags & 0x20) def.flags = b.readUInt32BE(take(4));
      seenTfhd = true;
    } else if (box.type === 'tfdt') {
      need(b, 4, 'tfdt');
      if (b[0] === 1) {
        need(b, 12, 'tfdt');
        tf.baseDecodeTime = Number(b.readBigUInt64BE(4));
      } else {
        need(b, 8, 'tfdt');
        tf.baseDecodeTime = b.readUInt32BE(4);
      }
    } else if (box.type === 'trun') {
      if (!seenTfhd) throw new Fmp4Error('FMP4_MALFORMED', 'trun before tfhd');
      if (explicitBase) throw new Fmp4Error('FMP4_MALFORMED', 'absolute base_data_offset is not supported');
      need(b, 8, 'trun');
      const flags = b.readUIntBE(1, 3);
      const count = b.readUInt32BE(4);
      let o = 8;
      let dataOffset = nextData;
      if (flags & 0x1) {
        need(b, o + 4, 'trun');
        dataOffset = b.readInt32BE(o);
        o += 4;
      }
      let firstFlags: number | undefined;
      if (flags & 0x4) {
        need(b, o + 4, 'trun');
        firstFlags = b.readUInt32BE(o);
        o += 4;
      }
      const per = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
      // The count is checked against the box before the loop: no hostile count can spin.
      if (count * per > b.length - o) throw new Fmp4Error('FMP4_MALFORMED', `trun claims ${count} samples it does not hold`);
      if (per === 0 && count > 1 << 24) throw new Fmp4Error('FMP4_LIMIT', 'trun sample count over the limit');
      let bytes = 0;
      for (let i = 0; i < count; i++) {
        let duration = def.duration;
        let size = def.size;
        let sflags = i === 0 && firstFlags !== undefined ? firstFlags : def.flags;
        if (flags & 0x100) (duration = b.readUInt32BE(o)), (o += 4);
        if (flags & 0x200) (size = b.readUInt32BE(o)), (o += 4);
        if (flags & 0x400) {
          const f = b.readUInt32BE(o);
          o += 4;
          if (!(i === 0 && firstFlags !== undefined)) sflags = f;
        }
        if (flags & 0x800) o += 4;
        if (tf.sampleCount === 0 && i === 0) tf.firstSampleSync = (sflags & 0x10000) === 0;
        tf.duration += duration;
        bytes += size;
      }
      tf.sampleCount += count;
      tf.dataBytes += bytes;
      ranges.push({ start: dataOffset, end: dataOffset + bytes });
      nextData = dataOffset + bytes;
    }
  }
  if (!seenTfhd) throw new Fmp4Error('FMP4_MALFORMED', 'traf without tfhd');
  return tf;
}
