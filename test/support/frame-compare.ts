// Comparing what a browser shows with what ffmpeg decodes from a recording.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Every frame of a recording file as ffmpeg decodes it, w×h luma scaled to full range. */
export async function decodeGrey(path: string, w: number, h: number): Promise<number[][]> {
  const { stdout } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-vf', `scale=${w}:${h}`, '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], { encoding: 'buffer', maxBuffer: 64 << 20 });
  const frames: number[][] = [];
  for (let o = 0; o + w * h <= stdout.length; o += w * h) frames.push([...stdout.subarray(o, o + w * h)].map((y) => Math.max(0, Math.min(255, ((y - 16) * 255) / 219))));
  return frames;
}

/** Pearson correlation of two pictures: insensitive to the colour matrix and range the browser used. */
export function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    ab += (a[i]! - ma) * (b[i]! - mb);
    aa += (a[i]! - ma) ** 2;
    bb += (b[i]! - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}
