import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitAdts } from '../audio/aac-config.js';
import { groupAccessUnits, splitAnnexB } from '../h264/annexb.js';
import { H264Depacketizer } from '../h264/depacketizer.js';
import { parseRtpPacket } from '../rtp/rtp-packet.js';
import {
  captureRtp, decodedMd5, decodeErrors, ffprobeJson, frameMd5s, mediaFixture, scratchDir,
} from '../../../test/support/media-fixtures.js';
import { Fmp4Error } from './errors.js';
import { Fmp4Muxer, type FragmentOut, type Fmp4MuxerOptions, type VideoAccessUnit } from './muxer.js';
import { scanFragments } from './scan.js';

interface Muxed {
  file: Buffer;
  fragments: FragmentOut[];
}

function collect(m: Fmp4Muxer, outs: (FragmentOut | null)[]): Buffer[] {
  const parts: Buffer[] = [];
  for (const o of outs) {
    if (!o) continue;
    if (o.init) parts.push(o.init);
    parts.push(...o.bytes);
  }
  void m;
  return parts;
}

/** Interleaves video AUs and audio frames by time, as a live source would deliver them. */
function mux(options: Fmp4MuxerOptions, video: VideoAccessUnit[], audio: { pts90k: number; data: Buffer }[] = []): Muxed {
  const m = new Fmp4Muxer(options);
  const outs: (FragmentOut | null)[] = [];
  let a = 0;
  for (const au of video) {
    while (a < audio.length && audio[a]!.pts90k <= au.pts90k) outs.push(m.addAudio(audio[a++]!));
    outs.push(m.addVideo(au));
  }
  while (a < audio.length) outs.push(m.addAudio(audio[a++]!));
  outs.push(m.flush());
  const fragments = outs.filter((o): o is FragmentOut => o !== null);
  for (const f of fragments) expect(f.byteLength).toBe(f.bytes.reduce((n, b) => n + b.length, 0));
  return { file: Buffer.concat(collect(m, outs)), fragments };
}

function annexBUnits(bytes: Buffer): VideoAccessUnit[] {
  return groupAccessUnits(splitAnnexB(bytes), 'h264').map((nalus, i) => ({
    pts90k: 1_000_000 + i * 3600,
    nalus,
    keyframe: nalus.some((n) => (n[0]! & 0x1f) === 5),
  }));
}

function write(name: string, bytes: Buffer): string {
  const p = join(scratchDir(), name);
  writeFileSync(p, bytes);
  return p;
}

describe('fMP4 from H.264 without B-frames (1280x720, GOP 25)', () => {
  let src: { path: string; bytes: Buffer };
  let out: Muxed;
  let path: string;
  beforeAll(async () => {
    src = await mediaFixture('h264-720p.h264');
    out = mux({ video: { codec: 'h264' } }, annexBUnits(src.bytes));
    path = write('h264-720p.mp4', out.file);
  });

  it('is read by ffprobe as 50 frames of 1280x720 H.264 lasting 2 s', async () => {
    const p = await ffprobeJson(path, ['-count_frames', '-show_streams', '-show_format']);
    expect(p.streams).toHaveLength(1);
    const s = p.streams[0];
    expect([s.codec_name, s.codec_tag_string, s.width, s.height, s.r_frame_rate]).toEqual(['h264', 'avc1', 1280, 720, '25/1']);
    expect(Number(s.nb_read_frames)).toBe(50);
    expect(Number(p.format.duration)).toBeCloseTo(2, 3);
    expect(p.format.tags.major_brand).toBe('iso6');
  });

  it('decodes without a single error and bit-exactly like the elementary stream', async () => {
    expect(await decodeErrors(path)).toBe('');
    const want = await frameMd5s(src.path);
    expect(want).toHaveLength(50);
    expect(await frameMd5s(path)).toEqual(want);
  });

  it('makes one fragment per GOP that scanFragments indexes exactly', async () => {
    expect(out.fragments.map((f) => [f.videoSamples, f.keyframe])).toEqual([[25, true], [25, true]]);
    expect(out.fragments[0]!.init).toBeDefined();
    expect(out.fragments[1]!.init).toBeUndefined();
    expect(out.fragments.map((f) => [f.startTime90k, f.endTime90k])).toEqual([
      [1_000_000, 1_090_000],
      [1_090_000, 1_180_000],
    ]);
    const fromBuffer = await scanFragments(out.file);
    expect(await scanFragments(path)).toEqual(fromBuffer);
    expect(fromBuffer.tail).toBeUndefined();
    expect(fromBuffer.validLength).toBe(out.file.length);
    expect(fromBuffer.init).toEqual({ offset: 0, length: out.fragments[0]!.init!.length });
    expect(fromBuffer.tracks).toEqual([{ id: 1, timescale: 90000, handler: 'vide' }]);
    expect(fromBuffer.fragments.map((f) => [f.sequence, f.tracks[0]!.baseDecodeTime, f.tracks[0]!.duration, f.tracks[0]!.sampleCount, f.tracks[0]!.firstSampleSync])).toEqual([
      [1, 0, 90000, 25, true],
      [2, 90000, 90000, 25, true],
    ]);
    expect(fromBuffer.fragments.map((f) => f.length)).toEqual(out.fragments.map((f) => f.byteLength));
  });
});

describe('fMP4 from H.264 with B-frames received over RTP from ffmpeg', () => {
  let path: string;
  let esPath: string;
  let out: Muxed;
  let cap: Awaited<ReturnType<typeof captureRtp>>;
  beforeAll(async () => {
    const captured = await captureRtp(
      ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=2'],
      ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', '-bf', '2'],
      'h264',
    );
    cap = captured;
    esPath = write('bframes-es.h264', cap.elementary);
    const d = new H264Depacketizer();
    const aus = cap.packets.map(parseRtpPacket).flatMap((p) => d.push(p));
    const last = d.flush();
    if (last) aus.push(last);
    out = mux({ video: { codec: 'h264' } }, aus);
    path = write('bframes.mp4', out.file);
  });

  it('writes composition offsets so that presentation times come out in order', async () => {
    const frames = (await ffprobeJson(path, ['-show_frames', '-select_streams', 'v'])).frames;
    const pts: number[] = frames.map((f: { pts: number }) => f.pts);
    expect(pts).toHaveLength(50);
    // Decoded pictures, in output order, are exactly one frame apart.
    expect(pts.slice(1).map((t, i) => t - pts[i]!)).toEqual(Array(49).fill(3600));
    const packets: { pts: number; dts: number }[] = (await ffprobeJson(path, ['-show_packets', '-select_streams', 'v'])).packets;
    expect(packets.some((k) => k.pts !== k.dts)).toBe(true);
    expect(packets.every((k) => k.dts <= k.pts)).toBe(true);
    expect(packets.slice(1).every((k, i) => k.dts > packets[i]!.dts)).toBe(true);
  });

  it('writes units laid out with their length prefixes from that memory: the same bytes in a few buffers', () => {
    const d = new H264Depacketizer();
    const aus = cap.packets.map(parseRtpPacket).flatMap((p) => d.push(p));
    const last = d.flush();
    if (last) aus.push(last);
    expect(aus.every((u) => u.lengthPrefixed)).toBe(true);
    // The same units, copied: nothing is known about the memory before them.
    const copies = aus.map((u) => ({ pts90k: u.pts90k, keyframe: u.keyframe, nalus: u.nalus.map((n) => Buffer.from(n)) }));
    const plain = mux({ video: { codec: 'h264' } }, copies);
    expect(out.file.equals(plain.file)).toBe(true);
    const buffers = (m: Muxed) => m.fragments.reduce((n, f) => n + f.bytes.length, 0);
    // Without: a length prefix and a unit for each of at least 50 pictures, plus moof and mdat header.
    expect(buffers(plain)).toBeGreaterThanOrEqual(2 * 50 + 2 * out.fragments.length);
    // With: moof, mdat header and a run per slab (and per parameter set taken out of a keyframe).
    expect(buffers(out)).toBeLessThan(buffers(plain) / 5);
  });

  it('decodes cleanly and bit-exactly like the stream ffmpeg sent', async () => {
    expect(await decodeErrors(path)).toBe('');
    const want = await frameMd5s(esPath);
    expect(want).toHaveLength(50);
    expect(await frameMd5s(path)).toEqual(want);
    const s = (await ffprobeJson(path, ['-show_streams'])).streams[0];
    expect([s.profile, s.has_b_frames, s.width, s.height]).toEqual(['High', 2, 640, 360]);
  });
});

describe('fMP4 with audio', () => {
  it('muxes H.264 + AAC into one fragment per GOP that ffmpeg decodes bit-exactly', async () => {
    const video = annexBUnits((await mediaFixture('h264-720p.h264')).bytes);
    const aac = await mediaFixture('aac.adts');
    const { config, frames } = splitAdts(aac.bytes);
    const audio = frames.map((data, i) => ({ pts90k: 1_000_000 + Math.round((i * 1024 * 90000) / 44100), data }));
    const out = mux({ video: { codec: 'h264' }, audio: { codec: 'aac', config: config.bytes } }, video, audio);
    const path = write('h264-aac.mp4', out.file);

    const p = await ffprobeJson(path, ['-count_frames', '-show_streams']);
    const a = p.streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
    expect([a.codec_name, a.profile, Number(a.sample_rate), a.channels]).toEqual(['aac', 'LC', 44100, 2]);
    expect(Number(a.nb_read_frames)).toBe(frames.length);
    expect(out.fragments.reduce((n, f) => n + f.audioSamples, 0)).toBe(frames.length);
    expect(await decodeErrors(path)).toBe('');
    expect(await frameMd5s(path, 'a')).toEqual(await frameMd5s(aac.path, 'a'));

    const scan = await scanFragments(out.file);
    expect(scan.tracks.map((t) => [t.id, t.timescale, t.handler])).toEqual([[1, 90000, 'vide'], [2, 44100, 'soun']]);
    // Audio in each fragment starts where the video does, on the same file timeline.
    for (const f of scan.fragments) {
      const [v, au] = f.tracks;
      expect(Math.abs(v!.baseDecodeTime / 90000 - au!.baseDecodeTime / 44100)).toBeLessThan(1024 / 44100);
    }
  });

  it('muxes H.264 + G.711 A-law into an alaw track', async () => {
    const video = annexBUnits((await mediaFixture('h264-720p.h264')).bytes);
    const pcma = await mediaFixture('pcma.raw');
    const audio: { pts90k: number; data: Buffer }[] = [];
    for (let o = 0; o < pcma.bytes.length; o += 160) {
      audio.push({ pts90k: 1_000_000 + (o / 8000) * 90000, data: pcma.bytes.subarray(o, o + 160) });
    }
    const out = mux({ video: { codec: 'h264' }, audio: { codec: 'pcma' } }, video, audio);
    const path = write('h264-pcma.mp4', out.file);
    const a = (await ffprobeJson(path, ['-show_streams'])).streams.find((s: { codec_type: string }) => s.codec_type === 'audio');
    expect([a.codec_name, Number(a.sample_rate), a.channels]).toEqual(['pcm_alaw', 8000, 1]);
    expect(await decodeErrors(path)).toBe('');
    expect(await decodedMd5(path, 'a')).toBe(await decodedMd5(pcma.path, 'a', ['-f', 'alaw', '-ar', '8000', '-ac', '1']));
  });
});

describe('parameter-set change mid-stream', () => {
  it('closes the fragment, then hands out a new init segment with the next one', async () => {
    const first = annexBUnits((await mediaFixture('h264-720p.h264')).bytes);
    const second = annexBUnits((await mediaFixture('h264-bframes.h264')).bytes).slice(0, 25);
    // The B-frame stream has no presentation timestamps here; give it its decode order as pts.
    second.forEach((au, i) => (au.pts90k = au.dts90k = 2_000_000 + i * 3600));
    const out = mux({ video: { codec: 'h264' } }, [...first, ...second]);
    expect(out.fragments.map((f) => Boolean(f.init))).toEqual([true, false, true]);
    const changed = out.fragments[2]!;
    expect(changed.fileTime90k).toBe(0);
    const path = write('after-change.mp4', Buffer.concat([changed.init!, ...changed.bytes]));
    const s = (await ffprobeJson(path, ['-show_streams'])).streams[0];
    expect([s.width, s.height]).toEqual([640, 360]);
  });
});

describe('a file cut off by a crash', () => {
  it('still plays up to its last complete fragment, and scanFragments finds exactly those', async () => {
    const src = await mediaFixture('h264-720p.h264');
    // Shorter GOPs give more fragments to cut between: 10 frames (0.4 s) each.
    const video = annexBUnits(src.bytes);
    const m = new Fmp4Muxer({ video: { codec: 'h264' }, maxFragmentMs: 400 });
    const outs = video.map((au) => m.addVideo(au));
    outs.push(m.flush());
    const file = Buffer.concat(collect(m, outs));
    const full = await scanFragments(file);
    expect(full.fragments.length).toBeGreaterThanOrEqual(4);
    expect(full.fragments[1]!.tracks[0]!.firstSampleSync).toBe(false); // cut inside the GOP

    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const cuts = [full.init!.length, full.fragments[0]!.offset + full.fragments[0]!.length];
    for (let i = 0; i < 4; i++) cuts.push(full.init!.length + Math.floor(rand() * (file.length - full.init!.length)));
    for (const cut of cuts) {
      const truncated = file.subarray(0, cut);
      const scan = await scanFragments(truncated);
      const complete = full.fragments.filter((f) => f.offset + f.length <= cut);
      expect(scan.fragments).toEqual(complete);
      expect(scan.validLength).toBe(complete.length ? complete.at(-1)!.offset + complete.at(-1)!.length : full.init!.length);
      expect(scan.tail?.reason ?? 'none').toBe(cut === scan.validLength ? 'none' : 'truncated');

      const frames = complete.reduce((n, f) => n + f.tracks[0]!.sampleCount, 0);
      const path = write(`cut-${cut}.mp4`, truncated);
      const p = await ffprobeJson(path, ['-count_frames', '-show_streams']);
      // ffprobe opens it; a torn last fragment may yield at most one damaged picture more.
      expect(Number(p.streams[0].nb_read_frames ?? 0)).toBeGreaterThanOrEqual(frames);
      // Recovery cuts the file back to validLength; then the count is exact and decoding clean.
      const recovered = write(`recovered-${cut}.mp4`, truncated.subarray(0, scan.validLength));
      const r = await ffprobeJson(recovered, ['-count_frames', '-show_streams']);
      expect(Number(r.streams[0].nb_read_frames ?? 0)).toBe(frames);
      if (frames) expect(await decodeErrors(recovered)).toBe('');
    }
  });
});

describe('scanFragments on a file ffmpeg fragmented', () => {
  it('finds every fragment and sample of an fMP4 that ffmpeg wrote (frag_keyframe, default_base_moof)', async () => {
    const src = await mediaFixture('h264-720p.h264');
    const path = join(scratchDir(), 'ffmpeg-frag.mp4');
    await promisify(execFile)('ffmpeg', [
      '-v', 'error', '-y', '-r', '25', '-i', src.path, '-c', 'copy',
      '-movflags', 'frag_keyframe+empty_moov+default_base_moof', path,
    ]);
    const scan = await scanFragments(path);
    expect(scan.tail).toBeUndefined();
    expect(scan.fragments.map((f) => f.tracks[0]!.sampleCount)).toEqual([25, 25]);
    expect(scan.fragments.every((f) => f.tracks[0]!.firstSampleSync)).toBe(true);
    expect(scan.fragments[1]!.tracks[0]!.baseDecodeTime / scan.tracks[0]!.timescale).toBeCloseTo(1, 6);
  });
});

describe('scanFragments on hostile input', () => {
  it('refuses oversized boxes and impossible sample tables with typed errors', async () => {
    const src = await mediaFixture('h264-720p.h264');
    const { file } = mux({ video: { codec: 'h264' } }, annexBUnits(src.bytes).slice(0, 5));
    const scan = await scanFragments(file);
    const moofAt = scan.fragments[0]!.offset;

    const huge = Buffer.from(file);
    huge.writeUInt32BE(0x7fffffff, moofAt); // moof claims 2 GiB
    await expect(scanFragments(huge)).rejects.toMatchObject({ code: 'FMP4_LIMIT' });

    const count = Buffer.from(file);
    const trun = count.indexOf('trun', moofAt) + 4; // version/flags
    count.writeUInt32BE(0xffffffff, trun + 4); // sample_count
    await expect(scanFragments(count)).rejects.toBeInstanceOf(Fmp4Error);

    const outside = Buffer.from(file);
    outside.writeUInt32BE(file.length, trun + 8); // data_offset past the mdat
    await expect(scanFragments(outside)).rejects.toMatchObject({ code: 'FMP4_MALFORMED' });

    // Zero-filled tail (what a crash on some file systems leaves) stops the scan, not an error.
    const zeros = Buffer.concat([file, Buffer.alloc(4096)]);
    const z = await scanFragments(zeros);
    expect(z.tail).toEqual({ offset: file.length, reason: 'invalid-box' });
    expect(z.fragments).toHaveLength(1);
  });
});
