// The masking pipeline: detect on every Nth frame, track between, burn the masks in, encode.
//
//   pass 1  ffmpeg decodes every Nth frame, scaled to the text detector's input, as RGB
//           → text and face detectors (both at once: onnxruntime runs on its own thread,
//           tfjs-wasm on this one) → the IoU tracker
//   pass 2  ffmpeg decodes every frame as 4:2:0 → each frame's boxes from the tracks (plus the
//           operator's manual regions) burned in → ffmpeg's H.264 encoder
//   The passes run side by side, the second a few detector steps behind the first, so decoding
//   and encoding overlap detection.
//
// The output is written in a private folder (mode 0700) beside it and renamed into place only
// when complete; on failure or cancellation the folder is removed, and a folder left by a
// process that died is removed by the next run in that place. Decoded frames never touch disk.
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { scaleBox, type Box } from './box.js';
import { MaskCancelledError, MaskSourceError } from './errors.js';
import { FaceDetector, type FaceDetectorOptions } from './face-detector.js';
import { FaceThread } from './face-thread.js';
import { decodeFrames, probeSource, startEncoder, type SourceInfo } from './ffmpeg-io.js';
import { maskFrame, yuv420Layout, type MaskStyle } from './mask-render.js';
import { TextDetector, type TextDetectorOptions } from './text-detector.js';
import { boxesAt, IouTracker, type MaskKind, type Sighting, type Track } from './tracker.js';

export interface MaskerOptions {
  text?: TextDetectorOptions | false;
  faces?: FaceDetectorOptions | false;
  /**
   * Run the face detector on a thread of its own (default): on this one, TensorFlow.js's wasm
   * backend held the event loop for every detector frame and the render pass stood still.
   */
  faceThread?: boolean;
}

/**
 * A region an operator masks by hand: on every frame from `from` to `to` (inclusive), at `box` on
 * the first; where `toBox` is given (the same object marked again on the last frame) the box moves
 * along the line between them, and the mask is grown by the distance moved in one frame.
 */
export interface ManualRegion {
  from: number;
  to: number;
  box: Box;
  toBox?: Box;
}

/** Where a manual region lies on frame n (n within from..to). */
export function manualBoxAt(m: ManualRegion, n: number): Box {
  if (!m.toBox || m.to === m.from) return m.box;
  const f = (n - m.from) / (m.to - m.from);
  const lerp = (a: number, b: number) => a + (b - a) * f;
  const grow = Math.max(Math.abs(m.toBox.x - m.box.x), Math.abs(m.toBox.y - m.box.y)) / (m.to - m.from);
  return { x: lerp(m.box.x, m.toBox.x) - grow, y: lerp(m.box.y, m.toBox.y) - grow, w: lerp(m.box.w, m.toBox.w) + 2 * grow, h: lerp(m.box.h, m.toBox.h) + 2 * grow };
}

export interface MaskJob {
  input: string;
  output: string;
  style: MaskStyle;
  /** Detect on every `step`th frame. */
  step?: number;
  /**
   * Growth of every detected box on each side, as a fraction of its size. Text boxes hug the
   * characters (a plate's rim is outside them); BlazeFace's boxes already reach past the face.
   */
  margin?: number | { text?: number; face?: number };
  manual?: ManualRegion[];
  /** A line drawn at the bottom of every frame (the "released by … on …" notice). */
  caption?: string;
  /** Tracks the operator removed as false. */
  removeTracks?: number[];
  signal?: AbortSignal;
  onProgress?: (p: { phase: 'detect' | 'render'; frame: number; frames: number }) => void;
}

export interface MaskResult {
  source: SourceInfo;
  frames: number;
  tracks: Track[];
  /** Every track found, those removed by the operator too (a review lists them to restore one). */
  detected: Track[];
  /** Where the time went, in milliseconds. */
  timings: { detectPass: number; textDetect: number; faceDetect: number; renderPass: number; maskDraw: number; detectorFrames: number };
  /** The boxes burned into frame n (for the manifest and the measurements). */
  boxesAt(n: number): { kind: MaskKind; box: Box }[];
}

const TEMP_PREFIX = '.vigil-mask-';

export class Masker {
  private constructor(
    private readonly text: TextDetector | undefined,
    private readonly faces: Pick<FaceDetector, 'detect'> | undefined,
    private readonly closeFaces: () => Promise<void>,
  ) {}

  /** Loads the models: a missing or corrupt one fails here, before any release is asked for. */
  static async open(o: MaskerOptions = {}): Promise<Masker> {
    const text = o.text === false ? undefined : await TextDetector.open(o.text ?? {});
    if (o.faces === false) return new Masker(text, undefined, async () => {});
    if (o.faceThread === false) return new Masker(text, await FaceDetector.open(o.faces ?? {}), async () => {});
    const thread = await FaceThread.open(o.faces ?? {});
    return new Masker(text, thread, () => thread.close());
  }

  /** Stops the face detection thread (a masker never closed does not keep the process alive). */
  async close(): Promise<void> {
    await this.closeFaces();
  }

  async mask(job: MaskJob): Promise<MaskResult> {
    const step = job.step ?? 5;
    const margin = typeof job.margin === 'number' ? job.margin : { text: job.margin?.text ?? 0.15, face: job.margin?.face ?? 0.05 };
    if (!Number.isInteger(step) || step < 1) throw new MaskSourceError(`The detector step must be a whole number of frames ≥ 1, not ${step}`);
    if (job.signal?.aborted) throw new MaskCancelledError();
    const source = await probeSource(job.input);
    removeAbandoned(dirname(job.output));
    const t = { detectPass: 0, textDetect: 0, faceDetect: 0, renderPass: 0, maskDraw: 0, detectorFrames: 0 };

    // Pass 1: detection on every step-th frame. Pass 2 runs beside it, LAG frames behind: by
    // then no later sighting can change a frame's boxes (a new track pads back one step; a track
    // missed on up to maxMisses detector frames is interpolated once it is seen again).
    const t1 = performance.now();
    const det = this.text?.inputSizeFor(source.width, source.height) ?? { width: 640, height: Math.round((640 * source.height) / source.width / 2) * 2 };
    const sx = source.width / det.width;
    const sy = source.height / det.height;
    const tracker = new IouTracker();
    const lag = step * (tracker.maxMisses + 2);
    let detectedUpTo = -1;
    let detectDone = false;
    let detectError: unknown;
    let wake: (() => void) | undefined;
    const woken = () => new Promise<void>((resolve) => (wake = resolve));
    // Stops the detection pass when the render pass fails, as the caller's signal stops both.
    const stopDetect = new AbortController();
    const forward = () => stopDetect.abort();
    job.signal?.addEventListener('abort', forward, { once: true });
    const detectPass = (async () => {
      let k = 0;
      try {
        for await (const rgb of decodeFrames(job.input, { vf: `select='not(mod(n\\,${step}))',scale=${det.width}:${det.height}`, pixFmt: 'rgb24', frameBytes: det.width * det.height * 3, signal: stopDetect.signal })) {
          const frame = { width: det.width, height: det.height, data: rgb };
          const [texts, faces] = await Promise.all([
            this.text ? timed(() => this.text!.detect(frame), (ms) => (t.textDetect += ms)) : [],
            this.faces ? timed(() => this.faces!.detect(frame), (ms) => (t.faceDetect += ms)) : [],
          ]);
          const sightings: Sighting[] = [
            ...texts.map((d) => ({ ...scaleBox(d, sx, sy), kind: 'text' as const, score: d.score })),
            ...faces.map((d) => ({ ...scaleBox(d, sx, sy), kind: 'face' as const, score: d.score })),
          ];
          tracker.add(k * step, sightings);
          detectedUpTo = k * step;
          k++;
          wake?.();
          job.onProgress?.({ phase: 'detect', frame: k * step, frames: source.frames });
        }
      } catch (e) {
        detectError = e;
      } finally {
        t.detectorFrames = k;
        t.detectPass = performance.now() - t1;
        detectDone = true;
        wake?.();
      }
    })();
    const removed = new Set(job.removeTracks ?? []);
    const tracks = () => tracker.tracks().filter((tr) => !removed.has(tr.id));
    const manual = job.manual ?? [];
    const cover = { pad: step, margin };
    const boxesFrom = (list: Track[], n: number) => [
      ...boxesAt(list, n, cover).map(({ kind, box }) => ({ kind, box })),
      ...manual.filter((m) => n >= m.from && n <= m.to).map((m) => ({ kind: 'manual' as const, box: manualBoxAt(m, n) })),
    ];
    const settled = async (n: number) => {
      while (!detectDone && detectedUpTo < n + lag) await woken();
      if (detectError !== undefined) throw detectError;
    };

    // Pass 2: every frame, masked, into the encoder, in a private folder until complete.
    const t2 = performance.now();
    const work = mkdtempSync(join(dirname(job.output), `${TEMP_PREFIX}${process.pid}-`));
    const partial = join(work, basename(job.output));
    const layout = yuv420Layout(source.width, source.height);
    let captionFile: string | undefined;
    if (job.caption) {
      captionFile = join(work, 'caption.txt');
      writeFileSync(captionFile, job.caption, { mode: 0o600 });
    }
    const encoder = startEncoder(partial, { width: source.width, height: source.height, fps: source.fps, signal: job.signal, captionFile });
    let n = 0;
    try {
      for await (const yuv of decodeFrames(job.input, { pixFmt: 'yuv420p', frameBytes: layout.frameBytes, signal: job.signal })) {
        await settled(n);
        const m0 = performance.now();
        maskFrame(yuv, layout, boxesFrom(tracks(), n).map((b) => b.box), job.style);
        t.maskDraw += performance.now() - m0;
        await encoder.write(yuv);
        n++;
        if (n % 25 === 0) job.onProgress?.({ phase: 'render', frame: n, frames: source.frames });
      }
      await settled(Number.MAX_SAFE_INTEGER);
      await encoder.end();
      if (job.signal?.aborted) throw new MaskCancelledError();
      renameSync(partial, job.output);
    } catch (e) {
      encoder.kill();
      stopDetect.abort();
      throw job.signal?.aborted ? new MaskCancelledError() : e;
    } finally {
      await detectPass;
      job.signal?.removeEventListener('abort', forward);
      rmSync(work, { recursive: true, force: true });
    }
    const final = tracks();
    const boxesOf = (frame: number) => boxesFrom(final, frame);
    t.renderPass = performance.now() - t2;
    return { source, frames: n, tracks: final, detected: tracker.tracks(), timings: t, boxesAt: boxesOf };
  }
}

async function timed<T>(fn: () => Promise<T>, add: (ms: number) => void): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    add(performance.now() - t0);
  }
}

/** Removes the private folders of masking runs whose process is gone (a crash mid-way). */
function removeAbandoned(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const pid = Number(name.slice(TEMP_PREFIX.length).split('-')[0]);
    if (pid === process.pid || (pid > 0 && alive(pid))) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
