// The masking pipeline on labelled footage (test/support/mask-footage.ts) with the real models,
// real ffmpeg and a released file read back: the recall goals of issue 23 are asserted against
// the labels, and the burned-in masks are checked in the file's pixels, not only in the boxes the
// masker says it drew. Alone: detection and two ffmpeg children keep both cores busy.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeLabelledClip, type LabelledClip } from '../../test/support/mask-footage.js';
import { scoreMasks } from '../../test/support/mask-measure.js';
import type { Box } from './box.js';
import { MaskCancelledError, MaskModelError, MaskSourceError } from './errors.js';
import { Masker, type MaskResult } from './masker.js';

const run = promisify(execFile);

let dir: string;
let clip: LabelledClip;
let masker: Masker;
let result: MaskResult;
let released: string;

async function lumaFrames(path: string, width: number, height: number): Promise<Buffer[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  const size = width * height;
  return Array.from({ length: Math.floor(stdout.length / size) }, (_, i) => stdout.subarray(i * size, (i + 1) * size));
}

function meanAbsDiff(a: Buffer, b: Buffer, width: number, r: Box): number {
  let sum = 0, n = 0;
  for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++, n++) sum += Math.abs(a[y * width + x]! - b[y * width + x]!);
  return sum / n;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-mask-'));
  [clip, masker] = await Promise.all([makeLabelledClip(dir, { width: 1280, height: 720, seconds: 3 }), Masker.open()]);
  released = join(dir, 'released.mp4');
  result = await masker.mask({ input: clip.path, output: released, style: 'pixelate', step: 5 });
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('masking labelled footage', () => {
  it('masks ≥ 99 % of plate and sign boxes and ≥ 97 % of faces, and leaves none wholly visible on any frame', () => {
    expect(result.frames).toBe(clip.frames);
    const s = scoreMasks(result.frames, clip.width, clip.height, clip.labels, (n) => result.boxesAt(n).map((b) => b.box));
    expect(s.labelled.text).toBe(clip.frames * 4);
    expect(s.labelled.face).toBe(clip.frames * 3);
    // The 24 px face too, found in the tiles: the issue's ≥ 97 % is for faces over 24 px.
    expect(s.byLabel['face-small']!.recallPct, s.misses.join('\n')).toBeGreaterThanOrEqual(97);
    expect(s.recallPct.text, s.misses.join('\n')).toBeGreaterThanOrEqual(99);
    expect(s.recallPct.face, s.misses.join('\n')).toBeGreaterThanOrEqual(97);
    expect(s.framesWhollyVisible).toEqual({ text: 0, face: 0 });
    // Reported by the bench; here only a bound that a mask over everything would break.
    expect(s.overMaskPct).toBeLessThan(25);
  });

  it('burns the masks into the released file and leaves the rest of the picture as it was', async () => {
    const [orig, out] = await Promise.all([lumaFrames(clip.path, clip.width, clip.height), lumaFrames(released, clip.width, clip.height)]);
    expect(out.length).toBe(orig.length);
    for (const n of [0, 12, 37, clip.frames - 1]) {
      const masks = result.boxesAt(n).map((b) => b.box);
      // A patch of background that no mask touches on this frame: what re-encoding alone changes.
      const patch = [{ x: 600, y: 300, w: 40, h: 40 }, { x: 20, y: 600, w: 40, h: 40 }, { x: 1200, y: 20, w: 40, h: 40 }].find((p) => masks.every((m) => m.x > p.x + p.w || m.x + m.w < p.x || m.y > p.y + p.h || m.y + m.h < p.y));
      expect(patch, `frame ${n}: some background is left unmasked`).toBeDefined();
      const noise = meanAbsDiff(orig[n]!, out[n]!, clip.width, patch!);
      expect(noise, `frame ${n} background`).toBeLessThan(8);
      for (const l of clip.labels(n)) {
        // Pixelation replaces a label's detail: far beyond what re-encoding changes.
        const changed = meanAbsDiff(orig[n]!, out[n]!, clip.width, l.box);
        expect(changed, `frame ${n} ${l.name}: changed ${changed.toFixed(1)}, re-encoding noise ${noise.toFixed(1)}`).toBeGreaterThan(Math.max(6, 2 * noise));
      }
    }
  }, 120_000);

  it('stops when cancelled mid-way and leaves no file and no temporary folder', async () => {
    const out = join(dir, 'cancelled.mp4');
    const ac = new AbortController();
    const p = masker.mask({
      // Few detector frames, so the render pass (the one writing a file) is reached soon.
      input: clip.path, output: out, style: 'solid', step: 25, signal: ac.signal,
      onProgress: (e) => e.phase === 'render' && ac.abort(),
    });
    await expect(p).rejects.toBeInstanceOf(MaskCancelledError);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.vigil-mask-'))).toEqual([]);
  }, 300_000);

  it('masks a portrait H.265 source and an odd-sized one, keeping every frame (odd sizes padded to even for H.264)', async () => {
    // H.264/H.265 encoders round odd sizes away, so the odd source is lossless FFV1.
    const sources = [
      { name: 'portrait.mp4', args: ['-f', 'lavfi', '-i', 'testsrc2=size=360x640:rate=25:duration=1', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-pix_fmt', 'yuv420p'], codec: 'hevc', w: 360, h: 640, out: 'h264,360,640,25' },
      { name: 'odd.mkv', args: ['-f', 'lavfi', '-i', 'testsrc=size=359x641:rate=25:duration=1', '-c:v', 'ffv1', '-pix_fmt', 'bgr0'], codec: 'ffv1', w: 359, h: 641, out: 'h264,360,642,25' },
    ];
    for (const s of sources) {
      const src = join(dir, s.name);
      await run('ffmpeg', ['-v', 'error', ...s.args, src]);
      const out = join(dir, `released-${s.name}.mp4`);
      const r = await masker.mask({ input: src, output: out, style: 'solid', step: 10 });
      expect(r.source).toMatchObject({ width: s.w, height: s.h, codec: s.codec });
      expect(r.frames).toBe(25);
      const { stdout } = await run('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=codec_name,width,height,nb_read_frames', '-of', 'csv=p=0', out]);
      expect(stdout.trim()).toBe(s.out);
    }
  }, 300_000);

  it('refuses a source that is not video, naming it, and writes nothing', async () => {
    const bad = join(dir, 'not-video.mp4');
    writeFileSync(bad, 'this is not a video');
    const out = join(dir, 'from-bad.mp4');
    await expect(masker.mask({ input: bad, output: out, style: 'blur' })).rejects.toThrow(MaskSourceError);
    await expect(masker.mask({ input: bad, output: out, style: 'blur' })).rejects.toThrow(/not-video\.mp4/);
    expect(existsSync(out)).toBe(false);
  }, 120_000);
});

describe('detector models', () => {
  it('fails at start, naming the file, when the text model is missing', async () => {
    const missing = join(dir, 'no-such-model.onnx');
    const e = await Masker.open({ text: { modelPath: missing }, faces: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MaskModelError);
    expect((e as MaskModelError).code).toBe('MASK_MODEL_UNAVAILABLE');
    expect((e as Error).message).toContain('no-such-model.onnx');
  });

  it('fails at start when the text model is corrupt', async () => {
    const corrupt = join(dir, 'corrupt.onnx');
    writeFileSync(corrupt, Buffer.alloc(4096, 7));
    const e = await Masker.open({ text: { modelPath: corrupt }, faces: false }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MaskModelError);
    expect((e as Error).message).toMatch(/corrupt\.onnx.*not a model/);
  });
});
