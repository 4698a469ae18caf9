// The two ends of the masking pipeline in ffmpeg: a probe of the source, a decoder that hands
// over fixed-size raw frames from its stdout, and an encoder fed raw frames on its stdin. Frames
// live only in memory; the children are stopped when the caller's signal aborts.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { MaskCancelledError, MaskSourceError } from './errors.js';

const run = promisify(execFile);

export interface SourceInfo {
  width: number;
  height: number;
  /** Frames a second (the stream's nominal rate). */
  fps: number;
  /** Frames in the stream as ffprobe counts them from its header or duration; an estimate. */
  frames: number;
  codec: string;
}

export async function probeSource(path: string): Promise<SourceInfo> {
  let out: string;
  try {
    ({ stdout: out } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,r_frame_rate,avg_frame_rate,nb_frames,codec_name,duration:format=duration', '-of', 'json', path]));
  } catch (e) {
    throw new MaskSourceError(`The source ${path} cannot be read as video: ${String((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n')[0]}`);
  }
  const j = JSON.parse(out) as { streams?: Record<string, string | number>[]; format?: { duration?: string } };
  const s = j.streams?.[0];
  if (!s || !s.width || !s.height) throw new MaskSourceError(`The source ${path} has no video stream`);
  const rate = (v: unknown) => {
    const [a, b] = String(v ?? '0/1').split('/').map(Number);
    return b ? a! / b : 0;
  };
  const fps = rate(s.avg_frame_rate) || rate(s.r_frame_rate);
  if (!(fps > 0)) throw new MaskSourceError(`The source ${path} has no frame rate`);
  const duration = Number(s.duration ?? j.format?.duration ?? 0);
  const frames = Number(s.nb_frames) || Math.round(duration * fps);
  return { width: Number(s.width), height: Number(s.height), fps, frames, codec: String(s.codec_name) };
}

/** Stops a child when the signal aborts; the returned function stops listening. */
function stopOnAbort(child: ChildProcess, signal?: AbortSignal): () => void {
  if (!signal) return () => {};
  const onAbort = () => child.kill('SIGKILL');
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

function stderrTail(child: ChildProcess): () => string {
  let buf = '';
  child.stderr?.on('data', (d: Buffer) => {
    buf = (buf + d.toString()).slice(-2000);
  });
  return () => buf.trim();
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('close', (code) => resolve(code));
  });
}

/**
 * Raw frames of `frameBytes` each from ffmpeg decoding `input` with the video filters `vf`
 * into `pixFmt`. Throws MaskCancelledError when the signal aborts.
 */
export async function* decodeFrames(input: string, o: { vf?: string; pixFmt: string; frameBytes: number; signal?: AbortSignal }): AsyncGenerator<Uint8Array> {
  const args = ['-v', 'error', '-nostdin', '-i', input, '-map', '0:v:0', ...(o.vf ? ['-vf', o.vf] : []), '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', o.pixFmt, 'pipe:1'];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = stderrTail(child);
  const unlisten = stopOnAbort(child, o.signal);
  const done = exited(child);
  // Each frame is filled straight from the pipe's chunks: one copy a frame, no concatenation.
  let frame = new Uint8Array(o.frameBytes);
  let have = 0;
  let finished = false;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let at = 0;
      while (at < chunk.length) {
        const n = Math.min(o.frameBytes - have, chunk.length - at);
        frame.set(chunk.subarray(at, at + n), have);
        have += n;
        at += n;
        if (have === o.frameBytes) {
          const full = frame;
          frame = new Uint8Array(o.frameBytes);
          have = 0;
          yield full;
        }
      }
    }
    finished = true;
  } finally {
    unlisten();
    if (!finished) child.kill('SIGKILL');
    const code = await done;
    if (o.signal?.aborted) throw new MaskCancelledError();
    if (finished && code !== 0) throw new MaskSourceError(`ffmpeg could not decode ${input}: ${tail() || `exit code ${code}`}`);
  }
}

export interface Encoder {
  write(frame: Uint8Array): Promise<void>;
  /** Closes the input and waits for the file. */
  end(): Promise<void>;
  kill(): void;
}

/**
 * The notice at the bottom of every frame, white on a dark band, in a CJK font found by fontconfig
 * (Debian's fonts-wqy-zenhei); the text is read from a file so nothing in it needs escaping.
 */
function captionFilter(file: string, height: number): string {
  const size = Math.max(12, Math.round(height / 30));
  const path = file.replace(/\\/g, '/').replace(/'/g, "\\'").replace(/:/g, '\\:');
  return `,drawtext=font='WenQuanYi Zen Hei':textfile='${path}':fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.6:boxborderw=${Math.round(size / 3)}:x=(w-text_w)/2:y=h-text_h-${size}`;
}

/**
 * x264's fastest preset: on two shared cores the encode was the longest part of masking (113 s
 * for a minute of 720p at veryfast); the file is larger for the same quality, which a clip made
 * for public release can afford.
 */
export const ENCODER_PRESET = 'ultrafast';

/** An H.264 MP4 encoder fed raw 4:2:0 frames; odd sizes are padded to even ones. */
export function startEncoder(output: string, o: { width: number; height: number; fps: number; signal?: AbortSignal; crf?: number; preset?: string; captionFile?: string }): Encoder {
  const args = [
    '-v', 'error', '-nostdin', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${o.width}x${o.height}`, '-r', String(o.fps), '-i', 'pipe:0',
    '-vf', `pad=ceil(iw/2)*2:ceil(ih/2)*2${o.captionFile ? captionFilter(o.captionFile, o.height) : ''}`, '-c:v', 'libx264', '-preset', o.preset ?? ENCODER_PRESET, '-crf', String(o.crf ?? 23),
    '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-f', 'mp4', '-y', output,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  const tail = stderrTail(child);
  const unlisten = stopOnAbort(child, o.signal);
  const done = exited(child);
  let broken: Error | undefined;
  child.stdin!.on('error', (e) => (broken = e));
  return {
    async write(frame) {
      if (broken || o.signal?.aborted) throw o.signal?.aborted ? new MaskCancelledError() : new MaskSourceError(`The encoder stopped: ${tail() || broken?.message}`);
      if (!child.stdin!.write(frame)) {
        await new Promise<void>((resolve) => {
          const go = () => (child.stdin!.off('drain', go), child.off('close', go), resolve());
          child.stdin!.once('drain', go);
          child.once('close', go);
        });
      }
    },
    async end() {
      child.stdin!.end();
      const code = await done;
      unlisten();
      if (o.signal?.aborted) throw new MaskCancelledError();
      if (code !== 0) throw new MaskSourceError(`The encoder failed: ${tail() || `exit code ${code}`}`);
    },
    kill() {
      unlisten();
      child.kill('SIGKILL');
    },
  };
}
