// file:// sources over the ffmpeg-made MP4 corpus: paced like a camera, looped with continuous
// timestamps, and refused cleanly when there is nothing to record.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FileSource } from './file-source.js';
import type { StreamInfo, VideoFrame } from './source.js';

const run = promisify(execFile);
const corpus = (name: string) => new URL(`../../test/corpus/mp4/${name}`, import.meta.url);

async function play(url: URL, ms: number, options = {}) {
  const source = new FileSource(url, options);
  const infos: StreamInfo[] = [];
  const frames: (VideoFrame & { at: number })[] = [];
  let closed = false;
  source.on('info', (i) => infos.push(i));
  source.on('frame', (f) => frames.push({ ...(f as VideoFrame), at: Date.now() }));
  source.on('close', () => (closed = true));
  // A reference in the same run: a 40 ms timer's own lateness says how busy the machine was.
  const ticksLate: number[] = [];
  let due = Date.now() + 40;
  const reference = setInterval(() => {
    ticksLate.push(Date.now() - due);
    due += 40;
  }, 40);
  await source.start();
  await new Promise((r) => setTimeout(r, ms));
  clearInterval(reference);
  await source.close();
  return { infos, frames, closed, stats: source.stats, ticksLate };
}

describe('FileSource', () => {
  it.each([
    ['h264-bframes.mp4', 'h264', /^avc1\./],
    ['h265-fragmented.mp4', 'h265', /^hev1\./],
    ['h264-no-bframes.mp4', 'h264', /^avc1\./],
  ] as const)('%s: plays in real time and loops with continuous timestamps', async (file, codec, codecString) => {
    const { infos, frames, closed, stats, ticksLate } = await play(corpus(file), 2900);
    expect(closed).toBe(true);
    expect(infos).toHaveLength(1);
    expect(infos[0]!.video).toMatchObject({ codec, width: 160, height: 120, fps: 25 });
    expect(infos[0]!.video.codecString).toMatch(codecString);
    // 1.2 s of file: two passes and a half in 2.9 s, 25 frames a second.
    expect(frames.length).toBeGreaterThanOrEqual(62); // a loaded machine starts late
    expect(frames.length).toBeLessThanOrEqual(75);
    expect(frames[0]!.keyframe).toBe(true);
    expect(frames.filter((f) => f.keyframe).length).toBeGreaterThanOrEqual(6);
    const dts = frames.map((f) => f.dts90k ?? f.pts90k);
    for (let i = 1; i < dts.length; i++) expect(dts[i]! - dts[i - 1]!).toBe(3600);
    // Presentation times cover every frame slot once, across the loop boundaries.
    const pts = frames.map((f) => f.pts90k).sort((a, b) => a - b);
    const whole = pts.slice(0, 60);
    for (let i = 1; i < whole.length; i++) expect(whole[i]! - whole[i - 1]!).toBe(3600);
    // Frames leave when their decode time comes: against the steadiest frame, rarely a tick late,
    // and no more often than a plain 40 ms timer of the same run was (a busy machine delays both).
    const offsets = frames.map((f, i) => f.at - dts[i]! / 90);
    const base = Math.min(...offsets);
    const machineLate = ticksLate.filter((l) => l > 40).length;
    expect(offsets.filter((o) => o - base > 40).length).toBeLessThan(frames.length / 10 + machineLate);
    expect((frames.at(-1)!.at - frames[0]!.at) / ((dts.at(-1)! - dts[0]!) / 90)).toBeCloseTo(1, 1);
    expect(frames.every((f) => f.nalus.every((n) => n.length > 0))).toBe(true);
    expect(stats.bytesIn).toBeGreaterThan(0);
  }, 20_000);

  it('hands ffmpeg a stream it decodes: the frames of one pass, written as Annex B', async () => {
    const { infos, frames } = await play(corpus('h264-bframes.mp4'), 1400);
    const start = Buffer.from([0, 0, 0, 1]);
    const parts = infos[0]!.video.parameterSets.flatMap((n) => [start, n]);
    for (const f of frames.slice(0, 30)) for (const n of f.nalus) parts.push(start, n);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-file-source-'));
    try {
      writeFileSync(join(dir, 'out.h264'), Buffer.concat(parts));
      const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames,width,height', '-of', 'csv=p=0', join(dir, 'out.h264')]);
      expect(stdout.trim()).toBe('160,120,30');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('plays once with ?loop=0 and then closes', async () => {
    const url = corpus('h264-no-bframes.mp4');
    url.search = '?loop=0';
    const { frames, closed } = await play(url, 1700);
    expect(frames).toHaveLength(30);
    expect(closed).toBe(true);
  }, 20_000);

  it('closed while it is opening the file, leaves the file closed and sends nothing', async () => {
    const url = corpus('h264-bframes.mp4');
    const openOnFile = () => readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === fileURLToPath(url);
      } catch {
        return false; // the descriptor readdir itself used
      }
    }).length;
    const before = openOnFile();
    const source = new FileSource(url);
    const frames: unknown[] = [];
    source.on('frame', (f) => frames.push(f));
    const starting = source.start();
    await source.close();
    await starting;
    await new Promise((r) => setTimeout(r, 200));
    expect(frames).toEqual([]);
    expect(openOnFile()).toBe(before);
  });

  it('refuses a missing file, a file that is not MP4, and one without video', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-file-source-'));
    try {
      await expect(new FileSource(pathToFileURL(join(dir, 'none.mp4'))).start()).rejects.toMatchObject({ code: 'INGEST_URL' });
      writeFileSync(join(dir, 'text.mp4'), 'not a movie at all');
      await expect(new FileSource(pathToFileURL(join(dir, 'text.mp4'))).start()).rejects.toMatchObject({ code: 'MP4_MALFORMED' });
      await run('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'sine=sample_rate=16000', '-t', '0.5', '-c:a', 'aac', join(dir, 'audio.mp4')]);
      await expect(new FileSource(pathToFileURL(join(dir, 'audio.mp4'))).start()).rejects.toMatchObject({ code: 'INGEST_CODEC' });
      expect(() => new FileSource(new URL('http://example.invalid/x.mp4'))).toThrow(/file:\/\//);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);
});
