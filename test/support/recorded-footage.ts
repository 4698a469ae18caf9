// Footage in the recording index without a camera: a short fragmented MP4 made by real ffmpeg
// (one colour a camera, so a picture tells whose it is), indexed fragment by fragment as the
// recorder indexes its own, for tests of what reads recordings (the event list's frames, playback).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Repositories } from '../../src/db/repositories.js';
import { scanFragments } from '../../src/media/fmp4/scan.js';

const run = promisify(execFile);

/** Records `seconds` of a plain `colour` picture (an ffmpeg colour name or 0xRRGGBB) for `cameraId` from `startMs`. */
export async function recordFootage(repos: Repositories, dataDir: string, cameraId: number, startMs: number, seconds: number, colour: string): Promise<{ fileId: number; fragments: number }> {
  const rel = `recordings/${cameraId}/${startMs}.mp4`;
  const abs = join(dataDir, ...rel.split('/'));
  mkdirSync(join(dataDir, 'recordings', String(cameraId)), { recursive: true });
  await run('ffmpeg', [
    '-nostdin', '-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', `color=c=${colour}:size=320x180:rate=10:duration=${seconds}`,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'baseline', '-pix_fmt', 'yuv420p', '-g', '10', '-bf', '0',
    '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', '-y', abs,
  ]);
  const bytes = await readFile(abs);
  const scan = await scanFragments(bytes);
  const timescale = scan.tracks[0]!.timescale;
  const file = await repos.recordings.createFile({ cameraId, path: rel, codec: codecOf(bytes), width: 320, height: 180, initSize: scan.init!.length, startedAt: startMs });
  const fragments = scan.fragments.map((f, i) => {
    const t = f.tracks[0]!;
    return {
      fileId: file.id, cameraId, seq: i + 1, byteOffset: f.offset, size: f.length,
      startMs: startMs + Math.round((t.baseDecodeTime * 1000) / timescale), endMs: startMs + Math.round(((t.baseDecodeTime + t.duration) * 1000) / timescale),
      keyframe: t.firstSampleSync, samples: t.sampleCount, sha256: createHash('sha256').update(bytes.subarray(f.offset, f.offset + f.length)).digest('hex'),
    };
  });
  const last = fragments.at(-1)!;
  await repos.recordings.commit({ fragments, fileProgress: [{ fileId: file.id, endedAt: last.endMs, bytes: bytes.length, closed: true }], events: [] });
  return { fileId: file.id, fragments: fragments.length };
}

/** The mean colour of a JPEG, decoded by ffmpeg to one pixel. */
export async function meanColour(jpeg: Buffer, dir: string): Promise<[number, number, number]> {
  const path = join(dir, `mean-${createHash('sha256').update(jpeg).digest('hex').slice(0, 12)}.jpg`);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path, jpeg);
  const { stdout } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-vf', 'scale=1:1:flags=area', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { encoding: 'buffer' });
  return [stdout[0]!, stdout[1]!, stdout[2]!];
}

/** The RFC 6381 codec string from the file's avcC (profile, constraints, level), as the recorder stores it. */
function codecOf(mp4: Buffer): string {
  const at = mp4.indexOf('avcC');
  if (at < 0) throw new Error('the test footage has no avcC');
  return `avc1.${[...mp4.subarray(at + 5, at + 8)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}
