// Decoding sampled keyframes: ONE short ffmpeg call per sample, which reads either recorded
// fragments (piped in as init segment + fragments) or the live source (piped in from the guarded
// ingest source, or a checked file), decodes keyframes only,
// and writes two outputs at once: small RGB pictures on stdout for the measurements, and a JPEG
// snapshot of the newest picture under <dataDir>/snapshots to keep with any finding.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { createSource } from '../ingest/index.js';
import type { SourceGuard } from '../ingest/source-guard.js';
import type { StreamInfo } from '../ingest/source.js';
import type { Picture } from './picture-metrics.js';

export const SAMPLE_WIDTH = 320;
export const SAMPLE_HEIGHT = 180;

export class GrabError extends Error {
  constructor(
    readonly code: 'GRAB_NO_FRAME' | 'GRAB_TIMEOUT' | 'GRAB_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'GrabError';
  }
}

export interface GrabResult {
  /** Decoded keyframes, oldest first. */
  pictures: Picture[];
  /** Absolute path of the JPEG of the newest picture (written only when asked for). */
  snapshot: string | null;
  elapsedMs: number;
}

export interface GrabOptions {
  /** Keyframes to decode (1 or 2). */
  frames: number;
  /** Where the JPEG snapshot goes; null for none. */
  snapshotPath: string | null;
  timeoutMs: number;
  ffmpeg?: string;
}

/** Keyframes from recorded bytes: the file's init segment followed by whole fragments. */
export function grabFromRecording(chunks: Buffer[], o: GrabOptions): Promise<GrabResult> {
  // Fragmented MP4 has its moov first, so the demuxer reads it from a pipe without seeking.
  return runFfmpeg(['-protocol_whitelist', 'pipe', '-f', 'mp4', '-i', 'pipe:0'], chunks, o);
}

/**
 * Keyframes from the live source, for cameras the recorder does not hold. ffmpeg never connects
 * anywhere itself: a network camera is opened through the guarded ingest source (the address
 * checked, every redirect and ONVIF stream address checked again) and its video piped in; a file
 * is given with its links followed. A protocol whitelist keeps ffmpeg to that pipe or file.
 * Throws SourceRefusedError when the policy refuses the source.
 */
export async function grabFromLive(url: string, o: GrabOptions, sources: SourceGuard): Promise<GrabResult> {
  const allowed = await sources.admit(url);
  // A short probe: the stream is already described, a long probe only delays the first picture.
  const probe = ['-analyzeduration', '500000', '-probesize', '500000'];
  if (allowed.kind === 'file') return runFfmpeg(['-protocol_whitelist', 'file', ...probe, '-i', `file:${allowed.path}`], null, o);
  if (allowed.kind !== 'network') throw new GrabError('GRAB_FAILED', 'this source sends no stream to read');
  const source = createSource(url, { guard: sources, connectTimeoutMs: o.timeoutMs, stallTimeoutMs: o.timeoutMs });
  const video = new PassThrough();
  let info: StreamInfo | undefined;
  let keyed = false;
  source.on('info', (i) => (info = i));
  source.on('frame', (f) => {
    if (f.kind !== 'video' || !info) return;
    if (!keyed && !f.keyframe) return f.release?.();
    keyed = true;
    // Concatenation copies: the source may reuse the memory of its NAL units after release.
    const units = f.keyframe ? [...info.video.parameterSets, ...f.nalus] : f.nalus;
    video.write(Buffer.concat(units.flatMap((n) => [START_CODE, n])));
    f.release?.();
  });
  source.on('error', () => video.end());
  source.on('close', () => video.end());
  const started = Date.now();
  try {
    await withTimeout(source.start(), o.timeoutMs);
    if (!info) await withTimeout(new Promise((resolve) => source.once('info', resolve)), o.timeoutMs);
    const format = info!.video.codec === 'h265' ? 'hevc' : 'h264';
    const left = Math.max(1000, o.timeoutMs - (Date.now() - started));
    return await runFfmpeg(['-protocol_whitelist', 'pipe', ...probe, '-f', format, '-i', 'pipe:0'], video, { ...o, timeoutMs: left });
  } finally {
    await source.close().catch(() => undefined);
  }
}

const START_CODE = Buffer.from([0, 0, 0, 1]);

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GrabError('GRAB_TIMEOUT', `no picture within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function runFfmpeg(input: string[], stdin: Buffer[] | Readable | null, o: GrabOptions): Promise<GrabResult> {
  const started = Date.now();
  const frameBytes = SAMPLE_WIDTH * SAMPLE_HEIGHT * 3;
  const scale = `scale=${SAMPLE_WIDTH}:${SAMPLE_HEIGHT}:flags=area`;
  const args = ['-nostdin', '-hide_banner', '-v', 'error', '-threads', '1', '-skip_frame', 'nokey', ...input];
  if (o.snapshotPath) {
    await mkdir(dirname(o.snapshotPath), { recursive: true });
    args.push(
      '-filter_complex', `[0:v]split=2[m][s];[m]${scale}[mo];[s]scale=640:-2[so]`,
      '-map', '[mo]', '-fps_mode', 'passthrough', '-frames:v', String(o.frames), '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1',
      // -update keeps overwriting one file, so the newest picture is what remains.
      '-map', '[so]', '-fps_mode', 'passthrough', '-frames:v', String(o.frames), '-update', '1', '-q:v', '5', '-y', o.snapshotPath,
    );
  } else {
    args.push('-map', '0:v:0', '-vf', scale, '-fps_mode', 'passthrough', '-frames:v', String(o.frames), '-pix_fmt', 'rgb24', '-f', 'rawvideo', 'pipe:1');
  }
  return new Promise<GrabResult>((resolve, reject) => {
    const child = spawn(o.ffmpeg ?? 'ffmpeg', args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outLength = 0;
    let err = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, o.timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      // Never hold more than the frames asked for, whatever the decoder sends.
      if (outLength < frameBytes * o.frames) {
        out.push(d);
        outLength += d.length;
      }
    });
    child.stderr!.on('data', (d: Buffer) => {
      if (err.length < 2000) err += d.toString();
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new GrabError('GRAB_FAILED', `ffmpeg could not run: ${e.message}`));
    });
    if (stdin && child.stdin) {
      // ffmpeg stops reading once it has its frames: a closed pipe is expected, not an error.
      child.stdin.on('error', () => undefined);
      if (Array.isArray(stdin)) {
        for (const c of stdin) child.stdin.write(c);
        child.stdin.end();
      } else {
        stdin.pipe(child.stdin);
        child.on('close', () => stdin.unpipe(child.stdin!));
      }
    }
    child.on('close', (code) => {
      clearTimeout(timer);
      const all = Buffer.concat(out);
      const pictures: Picture[] = [];
      for (let off = 0; off + frameBytes <= all.length && pictures.length < o.frames; off += frameBytes) {
        pictures.push({ width: SAMPLE_WIDTH, height: SAMPLE_HEIGHT, rgb: all.subarray(off, off + frameBytes) });
      }
      const elapsedMs = Date.now() - started;
      if (pictures.length) return resolve({ pictures, snapshot: o.snapshotPath, elapsedMs });
      if (timedOut) return reject(new GrabError('GRAB_TIMEOUT', `no picture within ${o.timeoutMs} ms`));
      reject(new GrabError('GRAB_NO_FRAME', `no picture decoded (ffmpeg exit ${code}${err ? `: ${err.trim().split('\n').pop()}` : ''})`));
    });
  });
}
