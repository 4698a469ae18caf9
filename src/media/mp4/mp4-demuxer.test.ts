// The demuxer against MP4s made by ffmpeg (test/corpus/mp4, see its README), packet by packet
// against ffprobe -show_packets: position, size, times and keyframe flags.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseH264Sps } from '../h264/sps.js';
import { parseH265Sps } from '../h265/sps.js';
import { demuxMp4, openMp4File, sampleTimes, splitLengthPrefixed, type Mp4Movie } from './mp4-demuxer.js';
import { Mp4Error } from './errors.js';

const run = promisify(execFile);
const corpus = (name: string) => fileURLToPath(new URL(`../../../test/corpus/mp4/${name}`, import.meta.url));

interface ProbePacket {
  pts: number;
  dts: number;
  duration: number;
  size: number;
  pos: number;
  key: boolean;
}

async function probe(file: string, stream: string): Promise<ProbePacket[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', stream, '-show_packets', '-show_entries', 'packet=pts,dts,duration,size,pos,flags', '-of', 'json', file]);
  return (JSON.parse(stdout) as { packets: Record<string, string>[] }).packets.map((p) => ({
    pts: Number(p.pts), dts: Number(p.dts), duration: Number(p.duration), size: Number(p.size), pos: Number(p.pos), key: String(p.flags).startsWith('K'),
  }));
}

function ours(movie: Mp4Movie, handler: string, applyEdits: boolean): ProbePacket[] {
  const t = movie.tracks.find((x) => x.handler === handler)!;
  return t.samples.map((s) => {
    const times = applyEdits ? sampleTimes(t, s) : { dts: s.dts, pts: s.dts + s.ctsOffset };
    return { ...times, duration: s.duration, size: s.size, pos: s.offset, key: s.keyframe };
  });
}

const CASES = [
  { file: 'h264-no-bframes.mp4', codec: 'h264', fragmented: false, reordered: false },
  { file: 'h264-faststart.mp4', codec: 'h264', fragmented: false, reordered: false },
  { file: 'h264-bframes.mp4', codec: 'h264', fragmented: false, reordered: true },
  { file: 'h264-aac.mp4', codec: 'h264', fragmented: false, reordered: true },
  { file: 'h265-bframes.mp4', codec: 'h265', fragmented: false, reordered: true },
  { file: 'h264-fragmented.mp4', codec: 'h264', fragmented: true, reordered: true },
  { file: 'h265-fragmented.mp4', codec: 'h265', fragmented: true, reordered: true },
] as const;

describe('demuxMp4 against ffprobe', () => {
  it.each(CASES)('$file: every video sample as ffprobe lists it', async ({ file, codec, fragmented, reordered }) => {
    const movie = demuxMp4(readFileSync(corpus(file)));
    expect(movie.fragmented).toBe(fragmented);
    const video = movie.tracks.find((t) => t.handler === 'vide')!;
    expect(video.entry!.codec).toBe(codec);
    expect([video.entry!.width, video.entry!.height]).toEqual([160, 120]);
    // ffprobe applies edit lists to ordinary files only.
    const expected = await probe(corpus(file), 'v:0');
    expect(ours(movie, 'vide', !fragmented)).toEqual(expected);
    expect(expected.length).toBe(30);
    expect(video.samples.some((s) => s.ctsOffset !== 0)).toBe(reordered);
  });

  it('reads the audio track beside the video', async () => {
    const movie = demuxMp4(readFileSync(corpus('h264-aac.mp4')));
    expect(movie.tracks.map((t) => t.handler)).toEqual(['vide', 'soun']);
    const audio = movie.tracks[1]!;
    expect(audio.entry!.format).toBe('mp4a');
    const expected = await probe(corpus('h264-aac.mp4'), 'a:0');
    expect(ours(movie, 'soun', true).map((p) => [p.pos, p.size])).toEqual(expected.map((p) => [p.pos, p.size]));
  });

  it('gives parameter sets that parse, and samples that split into NAL units', async () => {
    for (const file of ['h264-bframes.mp4', 'h265-fragmented.mp4']) {
      const f = await openMp4File(corpus(file));
      try {
        const v = f.movie.tracks[0]!;
        const entry = v.entry!;
        if (entry.codec === 'h264') {
          expect(parseH264Sps(entry.parameterSets[0]!)).toMatchObject({ width: 160, height: 120 });
        } else {
          expect(entry.parameterSets.map((n) => (n[0]! >> 1) & 0x3f)).toEqual([32, 33, 34]);
          expect(parseH265Sps(entry.parameterSets[1]!)).toMatchObject({ width: 160, height: 120 });
        }
        for (const s of v.samples) {
          const nalus = splitLengthPrefixed(await f.readSample(s), entry.nalLengthSize);
          expect(nalus.length).toBeGreaterThan(0);
        }
      } finally {
        await f.close();
      }
    }
  });

  it('reads 64-bit chunk offsets (co64) like 32-bit ones', () => {
    const original = readFileSync(corpus('h264-no-bframes.mp4'));
    const rewritten = stcoToCo64(original);
    expect(rewritten.length).toBeGreaterThan(original.length);
    const a = demuxMp4(original).tracks[0]!.samples;
    const b = demuxMp4(rewritten).tracks[0]!.samples;
    expect(b).toEqual(a);
  });

  it('stops at the last complete sample of a file cut short, and refuses a file without moov', () => {
    const whole = readFileSync(corpus('h264-fragmented.mp4'));
    const all = demuxMp4(whole).tracks[0]!.samples;
    const cut = demuxMp4(whole.subarray(0, Math.floor(whole.length * 0.6))).tracks[0]!.samples;
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.length).toBeLessThan(all.length);
    expect(cut).toEqual(all.slice(0, cut.length));
    expect(() => demuxMp4(Buffer.from('0000000866726565', 'hex'))).toThrow(Mp4Error);
  });
});

// The movie box sits after mdat in this file, so growing it moves no sample: swap stco for co64
// and enlarge every ancestor box.
function stcoToCo64(file: Buffer): Buffer {
  const path: number[] = [];
  const find = (start: number, end: number): boolean => {
    for (let o = start; o + 8 <= end;) {
      const size = file.readUInt32BE(o);
      const type = file.toString('latin1', o + 4, o + 8);
      if (type === 'stco') {
        path.push(o);
        return true;
      }
      if (['moov', 'trak', 'mdia', 'minf', 'stbl'].includes(type)) {
        path.push(o);
        if (find(o + 8, o + size)) return true;
        path.pop();
      }
      o += size;
    }
    return false;
  };
  if (!find(0, file.length)) throw new Error('no stco');
  const stco = path.at(-1)!;
  const size = file.readUInt32BE(stco);
  const n = file.readUInt32BE(stco + 12);
  const co64 = Buffer.alloc(16 + n * 8);
  co64.writeUInt32BE(co64.length, 0);
  co64.write('co64', 4, 'latin1');
  co64.writeUInt32BE(n, 12);
  for (let i = 0; i < n; i++) co64.writeBigUInt64BE(BigInt(file.readUInt32BE(stco + 16 + i * 4)), 16 + i * 8);
  const out = Buffer.concat([file.subarray(0, stco), co64, file.subarray(stco + size)]);
  const grow = co64.length - size;
  for (const at of path.slice(0, -1)) out.writeUInt32BE(out.readUInt32BE(at) + grow, at);
  return out;
}
