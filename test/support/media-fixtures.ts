// Small H.264/H.265/AAC/G.711 streams made by real ffmpeg, for the codec and container tests.
// Each fixture is made once per test run (files keyed by the vitest run's parent process and
// written atomically, so parallel test files share them) and the peers' own view of a file
// (ffprobe, framemd5) is read through the helpers below.
import { execFile, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const DIR = join(tmpdir(), `vigil-media-fixtures-${process.ppid}`);

export interface Fixture {
  path: string;
  bytes: Buffer;
}

type FixtureName = keyof typeof RECIPES;

// Inputs and encoder settings; the output path is appended. Short and small: 2 cores.
const LAVFI_720P = ['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=25:duration=2'];
const LAVFI_360P = ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=2'];
const X264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-g', '25'];
const X265 = ['-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-x265-params', 'keyint=25:min-keyint=25:log-level=error'];
const SINE = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:duration=2'];

const RECIPES = {
  /** 1280x720 at 25 fps, GOP 25, no B-frames, Annex-B. */
  'h264-720p.h264': [...LAVFI_720P, ...X264, '-bf', '0', '-f', 'h264'],
  /** 640x360 at 25 fps, GOP 25, 2 B-frames, High profile. */
  'h264-bframes.h264': [...LAVFI_360P, ...X264, '-bf', '2', '-f', 'h264'],
  /** One 1920x1080 Main-profile picture: coded as 1088 lines and cropped. */
  'h264-1080p-main.h264': ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=30', '-frames:v', '1', '-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'main', '-f', 'h264'],
  /** 720x576 interlaced (field-coded, frame_mbs_only_flag 0), Baseline is not allowed so High. */
  'h264-interlaced.h264': ['-f', 'lavfi', '-i', 'testsrc2=size=720x576:rate=25', '-frames:v', '2', '-c:v', 'libx264', '-preset', 'ultrafast', '-flags', '+ildct+ilme', '-x264opts', 'tff=1', '-f', 'h264'],
  /** 176x144 Constrained Baseline. */
  'h264-baseline.h264': ['-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=15', '-frames:v', '3', '-c:v', 'libx264', '-profile:v', 'baseline', '-f', 'h264'],
  /** 640x360 H.265 at 25 fps, GOP 25, no B-frames. */
  'h265-360p.h265': [...LAVFI_360P, ...X265, '-bf', '0', '-f', 'hevc'],
  /** 44.1 kHz stereo AAC-LC in ADTS. */
  'aac.adts': [...SINE, '-ac', '2', '-c:a', 'aac', '-b:a', '96k', '-f', 'adts'],
  /** 8 kHz mono G.711 A-law, raw. */
  'pcma.raw': [...SINE, '-ar', '8000', '-ac', '1', '-c:a', 'pcm_alaw', '-f', 'alaw'],
} satisfies Record<string, string[]>;

const made = new Map<string, Promise<Fixture>>();

export function mediaFixture(name: FixtureName): Promise<Fixture> {
  let p = made.get(name);
  if (!p) {
    p = make(name);
    made.set(name, p);
  }
  return p;
}

async function make(name: FixtureName): Promise<Fixture> {
  mkdirSync(DIR, { recursive: true });
  const path = join(DIR, name);
  if (!existsSync(path)) {
    const tmp = `${path}.${process.pid}.tmp`;
    await run('ffmpeg', ['-v', 'error', '-y', ...RECIPES[name], tmp]);
    renameSync(tmp, path);
  }
  return { path, bytes: await readFile(path) };
}

/** A scratch directory for this worker's outputs. */
export function scratchDir(): string {
  const d = join(DIR, `scratch-${process.pid}`);
  mkdirSync(d, { recursive: true });
  return d;
}

export async function ffprobeJson(path: string, extra: string[] = []): Promise<any> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-of', 'json', ...extra, path], { maxBuffer: 64 << 20 });
  return JSON.parse(stdout);
}

/** MD5 of every decoded frame, in output order (ffmpeg's framemd5 muxer), for one stream type. */
export async function frameMd5s(path: string, stream: 'v' | 'a' = 'v', inputArgs: string[] = []): Promise<string[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', ...inputArgs, '-i', path, '-map', `0:${stream}`, '-f', 'framemd5', '-'], {
    maxBuffer: 64 << 20,
  });
  return stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());
}

/** Decodes the whole file; returns ffmpeg's error output (empty when clean). */
export async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-'], { maxBuffer: 64 << 20 });
  return stderr;
}

export interface RtpCapture {
  /** Raw RTP datagrams in arrival order. */
  packets: Buffer[];
  /** The same elementary stream ffmpeg wrote to a file alongside (Annex-B / ADTS). */
  elementary: Buffer;
}

/**
 * Encodes with ffmpeg and sends it over RTP/UDP to a dgram socket on loopback while ffmpeg's tee
 * muxer writes the very same packets to an elementary-stream file, so the test can compare what
 * arrived against what was sent. `-re` paces the input so loopback UDP does not overflow.
 */
export async function captureRtp(input: string[], codec: string[], esFormat: string): Promise<RtpCapture> {
  const sock = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
  const packets: Buffer[] = [];
  sock.on('message', (m) => packets.push(m));
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  const port = sock.address().port;
  const es = join(scratchDir(), `rtp-${createHash('sha1').update(input.join(' ') + codec.join(' ')).digest('hex').slice(0, 8)}.${esFormat}`);
  const args = ['-v', 'error', '-y', '-re', ...input, ...codec, '-f', 'tee', '-map', '0', `[f=${esFormat}]${es}|[f=rtp]rtp://127.0.0.1:${port}?pkt_size=1200`];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise((r) => setTimeout(r, 100)); // last datagrams still in the socket
  sock.close();
  if (code !== 0) throw new Error(`ffmpeg exited ${code}: ${stderr}`);
  return { packets, elementary: await readFile(es) };
}

/** MD5 of the whole decoded stream (independent of how it was cut into packets). */
export async function decodedMd5(path: string, stream: 'v' | 'a', inputArgs: string[] = []): Promise<string> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', ...inputArgs, '-i', path, '-map', `0:${stream}`, '-f', 'md5', '-'], {
    maxBuffer: 1 << 20,
  });
  return stdout.trim();
}

/**
 * RTP packets as one byte string, for fuzz corpora: per packet u16 record length, u8 marker,
 * u16 sequence number, u32 timestamp, payload.
 */
export function encodeRtpRecords(packets: readonly { payload: Buffer; marker: boolean; sequenceNumber: number; timestamp: number }[]): Buffer {
  return Buffer.concat(
    packets.map((p) => {
      const h = Buffer.alloc(9);
      h.writeUInt16BE(7 + p.payload.length, 0);
      h[2] = p.marker ? 1 : 0;
      h.writeUInt16BE(p.sequenceNumber & 0xffff, 3);
      h.writeUInt32BE(p.timestamp >>> 0, 5);
      return Buffer.concat([h, p.payload]);
    }),
  );
}

/** Inverse of encodeRtpRecords; whatever the bytes, it returns packets and never throws. */
export function decodeRtpRecords(b: Buffer): { payload: Buffer; marker: boolean; sequenceNumber: number; timestamp: number }[] {
  const out = [];
  let o = 0;
  while (o + 9 <= b.length) {
    const len = b.readUInt16BE(o);
    const end = Math.min(b.length, o + 2 + Math.max(len, 7));
    out.push({ marker: b[o + 2] === 1, sequenceNumber: b.readUInt16BE(o + 3), timestamp: b.readUInt32BE(o + 5), payload: b.subarray(o + 9, end) });
    o = end;
  }
  return out;
}
