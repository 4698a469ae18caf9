// The clock strip as a viewer sees it: the simulator's live picture, sent over RTSP and decoded by
// ffmpeg (a decoder we did not write), read back frame by frame and compared with this machine's
// clock; misreadings made on those real frames are rejected.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_MODULUS, clockAge, readClockBand, readClockStrip, stripRect, type GreyImage } from './clock-strip.js';
import { startSimulator, type Simulator } from './simulator.js';

const run = promisify(execFile);
const W = 1280;
const H = 720;
let sim: Simulator;
let frames: GreyImage[] = [];
let before = 0;
let after = 0;

/** `count` frames of the stream as ffmpeg decodes them, luma only, at w×h. */
async function decoded(url: string, count: number, w: number, h: number): Promise<GreyImage[]> {
  const { stdout } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-rtsp_transport', 'tcp', '-i', url, '-vf', `scale=${w}:${h}`, '-frames:v', String(count), '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], {
    encoding: 'buffer',
    maxBuffer: 256 << 20,
    timeout: 20_000,
  });
  const out: GreyImage[] = [];
  for (let o = 0; o + w * h <= stdout.length; o += w * h) out.push({ width: w, height: h, data: stdout.subarray(o, o + w * h) });
  return out;
}

function painted(img: GreyImage, cell: number, level: number): GreyImage {
  const data = Uint8Array.from(img.data);
  const r = stripRect(img.width, img.height);
  for (let y = r.y; y < r.y + r.cell; y++) data.fill(level, y * img.width + r.x + cell * r.cell, y * img.width + r.x + (cell + 1) * r.cell);
  return { ...img, data };
}

beforeAll(async () => {
  sim = await startSimulator({ cameras: 1, bitrateKbps: 3000 });
  before = Date.now();
  frames = await decoded(sim.urls[0]!, 50, W, H);
  after = Date.now();
}, 30_000);
afterAll(async () => {
  await sim?.close();
});

describe('clock strip', () => {
  it('reads the wall-clock time of nearly every frame the simulator sends at 3 Mbit/s, 40 ms apart', () => {
    expect(frames.length).toBe(50);
    const readings = frames.map((f) => readClockStrip(f));
    const read = readings.filter((r): r is number => r !== undefined);
    expect(read.length).toBeGreaterThanOrEqual(48);
    // Every frame was drawn while ffmpeg was pulling the stream (a first viewer starts at the next keyframe).
    for (const r of read) {
      expect(clockAge(after, r)).toBeGreaterThanOrEqual(0);
      expect(clockAge(after, r)).toBeLessThanOrEqual(after - before);
    }
    // Consecutive frames: the realtime filter paces the encoder at 25 fps.
    const steps = read.slice(1).map((r, i) => clockAge(r, read[i]!));
    const mean = steps.reduce((s, d) => s + d, 0) / steps.length;
    expect(Math.min(...steps)).toBeGreaterThan(0);
    expect(mean).toBeGreaterThan(30);
    expect(mean).toBeLessThan(50);
  });

  it('reads the same time from the picture scaled down and from a crop of the strip alone', async () => {
    const small = await decoded(sim.urls[0]!, 10, 320, 180);
    const read = small.map((f) => readClockStrip(f, W, H)).filter((r) => r !== undefined);
    expect(read.length).toBeGreaterThanOrEqual(9);
    const full = frames[10]!;
    const r = stripRect(W, H);
    // The band as a viewer crops it from a canvas: the strip's rectangle, here at half size.
    const bw = (r.cell * r.cells) / 2;
    const bh = r.cell / 2;
    const band = new Uint8Array(bw * bh);
    for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) band[y * bw + x] = full.data[(r.y + 2 * y) * W + r.x + 2 * x]!;
    expect(readClockBand({ width: bw, height: bh, data: band })).toBe(readClockStrip(full));
    expect(readClockStrip(full)).toBeDefined();
  }, 30_000);

  it('rejects a real frame with one cell flipped (parity), one cell grey, or no strip at all', () => {
    const frame = frames.find((f) => readClockStrip(f) !== undefined)!;
    for (let cell = 2; cell < 24; cell++) {
      const r = stripRect(W, H);
      const x = r.x + cell * r.cell + (r.cell >> 1);
      const level = frame.data[(r.y + (r.cell >> 1)) * W + x]!;
      expect(readClockStrip(painted(frame, cell, level > 128 ? 16 : 235)), `cell ${cell} flipped`).toBeUndefined();
      expect(readClockStrip(painted(frame, cell, 126)), `cell ${cell} grey`).toBeUndefined();
    }
    expect(readClockStrip({ width: W, height: H, data: new Uint8Array(W * H).fill(16) })).toBeUndefined();
    expect(readClockBand({ width: 0, height: 0, data: [] })).toBeUndefined();
  });

  it('ages readings across the wrap of the modulus and says when a reading is ahead', () => {
    expect(clockAge(CLOCK_MODULUS * 5 + 100, CLOCK_MODULUS - 50)).toBe(150);
    expect(clockAge(1000, 1200)).toBe(-200);
    expect(clockAge(Date.now(), Date.now() % CLOCK_MODULUS)).toBeLessThanOrEqual(1);
  });
});
