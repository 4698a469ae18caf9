// Decoding sampled keyframes: ONE short ffmpeg call per sample, which reads either recorded
// fragments (piped in as init segment + fragments) or the live source, decodes keyframes only,
// and writes two outputs at once: small RGB pictures on stdout for the measurements, and a JPEG
// snapshot of the newest picture under <dataDir>/snapshots to keep with any finding.
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SourceGuard } from '../ingest/source-guard.js';
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
 * Keyframes from the live source (RTSP over TCP, or a file), for cameras the recorder does not
 * hold. ffmpeg never sees an unchecked address: the source guard decides first, ffmpeg is given
 * the checked address (or the file with its links followed), and a protocol whitelist keeps it
 * from following the source into any other protocol. Throws SourceRefusedError when refused.
 */
export async function grabFromLive(url: string, o: GrabOptions, sources: SourceGuard): Promise<GrabResult> {
  const allowed = await sources.admit(url);
  // The SDP already names the codec; a long probe only delays the first picture.
  const probe = ['-analyzeduration', '500000', '-probesize', '500000'];
  if (allowed.kind === 'file') return runFfmpeg(['-protocol_whitelist', 'file', ...probe, '-i', `file:${allowed.path}`], null, o);
  const target = new URL(url);
  if (allowed.kind !== 'network' || (target.protocol !== 'rtsp:' && target.protocol !== 'rtsps:')) {
    throw new GrabError('GRAB_FAILED', `ffmpeg does not read ${target.protocol}// sources`);
  }
  const address = allowed.addresses[0]!;
  target.hostname = address.includes(':') ? `[${address}]` : address;
  const input = ['-protocol_whitelist', 'rtsp,rtsps,tcp,tls', '-rtsp_transport', 'tcp', '-timeout', String(Math.round(o.timeoutMs * 1000))];
  return runFfmpeg([...input, ...probe, '-i', target.href], null, o);
}

async function runFfmpeg(input: string[], stdin: Buffer[] | null, o: GrabOptions): Promise<GrabResult> {
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
      for (const c of stdin) child.stdin.write(c);
      child.stdin.end();
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
