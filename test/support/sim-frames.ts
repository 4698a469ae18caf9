// Decoded pictures from an RTSP URL for the simulator tests: ffmpeg (a decoder we did not write)
// pulls the stream and hands back small grey frames to measure.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const THUMB_W = 160;
export const THUMB_H = 90;

/**
 * `count` consecutive decoded frames, skipping the first `skip`: the luma plane of a 160x90
 * yuv420p picture, in the stream's own (limited) range, so black is 16.
 */
export async function grabFrames(url: string, count = 1, skip = 0, transport: 'tcp' | 'udp' = 'tcp'): Promise<Buffer[]> {
  const { stdout } = await run(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-rtsp_transport', transport, '-i', url,
      '-vf', `select=gte(n\\,${skip}),scale=${THUMB_W}:${THUMB_H}`, '-fps_mode', 'passthrough',
      '-frames:v', String(count), '-pix_fmt', 'yuv420p', '-f', 'rawvideo', '-'],
    { encoding: 'buffer', maxBuffer: 16 << 20, timeout: 20_000 },
  );
  const luma = THUMB_W * THUMB_H;
  const size = luma * 1.5;
  const frames: Buffer[] = [];
  for (let o = 0; o + size <= stdout.length; o += size) frames.push(stdout.subarray(o, o + luma));
  return frames;
}

export function meanLuma(frame: Buffer): number {
  let sum = 0;
  for (const v of frame) sum += v;
  return sum / frame.length;
}

/** Mean absolute difference of two frames of the same size, 0…255. */
export function frameDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}
