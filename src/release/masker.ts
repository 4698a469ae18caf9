// The masking pipeline: detect on every Nth frame, track between, burn the masks in, encode.
//
//   ffmpeg decodes every frame once, as 4:2:0 → every Nth frame (and the last) is made into the
//   detectors' RGB input here → text and face detectors, both at once and off this thread
//   (onnxruntime's pool, the face thread) → the IoU tracker
//   Meanwhile each frame detection has settled (a few detector steps behind) gets its boxes from
//   the tracks (plus the operator's manual regions) burned in → ffmpeg's H.264 encoder. Decoding
//   waits when detection is behind, so a bounded number of frames is held in memory.
//
// The output is written in a private folder (mode 0700) beside it and renamed into place only
// when complete; on failure or cancellation the folder is removed, and a folder left by a
// process that died is removed by the next run in that place. Decoded frames never touch disk.
import { mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { scaleBox, type Box } from './box.js';
import { MaskCancelledError, MaskSourceError } from './errors.js';
import { DetectorThread } from './detector-thread.js';
import { FaceDetector, type FaceDetectorOptions } from './face-detector.js';
import { childrenCpuSeconds, processCpuSeconds, threadCpuSeconds } from './cpu-time.js';
import { decodeFrames, probeSource, startEncoder, type SourceInfo } from './ffmpeg-io.js';
import { yuv420ToRgb, type RgbFrame } from './frame.js';
import { maskFrame, yuv420Layout, type MaskStyle } from './mask-render.js';
import { SMALL_FACES, SmallFaceSearch, type SmallFaceOptions } from './small-faces.js';
import { DEFAULT_TEXT_SIDE, inputSize, TextDetector, type Detection, type TextDetectorOptions } from './text-detector.js';
import { boxesAt, IouTracker, type MaskKind, type Sighting, type Track } from './tracker.js';

export interface MaskerOptions {
  text?: TextDetectorOptions | false;
  faces?: FaceDetectorOptions | false;
  /**
   * Run each detector on a thread of its own (default; detector-thread.ts says why). False runs
   * them on this thread, one after the other.
   */
  threads?: boolean;
}

/** A detector, here or on its thread. */
interface Detector {
  detect(frame: RgbFrame): Promise<Detection[]>;
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
  /**
   * Faces too small for the whole frame searched in tiles taking turns (small-faces.ts; on by
   * default, false to search the whole frame only).
   */
  smallFaces?: SmallFaceOptions | false;
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
  /**
   * Where the time went: wall milliseconds (the detectors run at once, beside the render), and
   * CPU seconds by part — the ffmpeg decoder and encoder, the face thread, this thread (reading
   * frames, making the detectors' input, tracking, drawing, feeding the encoder) and the rest of
   * the process (the garbage collector, libuv's pool).
   */
  timings: {
    wall: number; textDetect: number; faceDetect: number; maskDraw: number; toRgb: number; detectorFrames: number;
    cpu: { decode: number; encode: number; textThread: number; faceThread: number; main: number; rest: number; total: number };
  };
  /** The boxes burned into frame n (for the manifest and the measurements). */
  boxesAt(n: number): { kind: MaskKind; box: Box }[];
}

const TEMP_PREFIX = '.vigil-mask-';

export class Masker {
  private constructor(
    private readonly text: Detector | undefined,
    private readonly faces: Detector | undefined,
    /** The text detector's input size for a frame of the source's size. */
    private readonly textInput: (width: number, height: number) => { width: number; height: number },
  ) {}

  /** Loads the models: a missing or corrupt one fails here, before any release is asked for. */
  static async open(o: MaskerOptions = {}): Promise<Masker> {
    const textOptions = o.text === false ? undefined : (o.text ?? {});
    const faceOptions = o.faces === false ? undefined : (o.faces ?? {});
    const textInput = (w: number, h: number) => inputSize(w, h, textOptions?.maxSide ?? DEFAULT_TEXT_SIDE);
    if (o.threads === false) {
      const [text, faces] = [textOptions && (await TextDetector.open(textOptions)), faceOptions && (await FaceDetector.open(faceOptions))];
      return new Masker(text, faces, textInput);
    }
    const opened = await Promise.allSettled([
      textOptions ? DetectorThread.open({ kind: 'text', options: textOptions }) : undefined,
      faceOptions ? DetectorThread.open({ kind: 'face', options: faceOptions }) : undefined,
    ]);
    const failure = opened.find((r) => r.status === 'rejected');
    if (failure) {
      // The one that did load is stopped: a masker that cannot start leaves no thread behind.
      await Promise.all(opened.map((r) => (r.status === 'fulfilled' ? r.value?.close() : undefined)));
      throw (failure as PromiseRejectedResult).reason;
    }
    const [text, faces] = opened.map((r) => (r as PromiseFulfilledResult<DetectorThread | undefined>).value);
    return new Masker(text, faces, textInput);
  }

  /** Stops the detector threads (a masker never closed does not keep the process alive). */
  async close(): Promise<void> {
    await Promise.all([this.text, this.faces].map((d) => (d instanceof DetectorThread ? d.close() : undefined)));
  }

  async mask(job: MaskJob): Promise<MaskResult> {
    const step = job.step ?? 5;
    const margin = typeof job.margin === 'number' ? job.margin : { text: job.margin?.text ?? 0.15, face: job.margin?.face ?? 0.05 };
    if (!Number.isInteger(step) || step < 1) throw new MaskSourceError(`The detector step must be a whole number of frames ≥ 1, not ${step}`);
    if (job.signal?.aborted) throw new MaskCancelledError();
    const source = await probeSource(job.input);
    removeAbandoned(dirname(job.output));
    const w0 = performance.now();
    const cpu0 = { process: processCpuSeconds(), children: childrenCpuSeconds(), main: threadCpuSeconds(), text: threadCpu(this.text), faces: threadCpu(this.faces) };
    const t = { wall: 0, textDetect: 0, faceDetect: 0, maskDraw: 0, toRgb: 0, detectorFrames: 0, cpu: { decode: 0, encode: 0, textThread: 0, faceThread: 0, main: 0, rest: 0, total: 0 } };

    const det = this.textInput(source.width, source.height);
    const sx = source.width / det.width;
    const sy = source.height / det.height;
    const layout = yuv420Layout(source.width, source.height);
    const whole = { x: 0, y: 0, w: source.width, h: source.height };
    const tracker = new IouTracker();
    const small = this.faces && job.smallFaces !== false ? new SmallFaceSearch(source.width, source.height, step, job.smallFaces ?? SMALL_FACES) : undefined;
    // A frame is rendered once detection has reached LAG frames past it: by then no later
    // sighting can change its boxes (a new track pads back one step — a tile's step for the
    // small faces; a track missed on up to maxMisses detector frames is interpolated once it is
    // seen again).
    const lag = Math.max(step, small?.tileStep ?? 0) * (tracker.maxMisses + 2);

    // Detection: each detector frame is made from the frame the render decoded (one decoder),
    // and the two detectors run at once, off this thread (onnxruntime's pool, the face thread),
    // while this thread draws and encodes the frames detection has settled.
    let detectedUpTo = -1;
    let detectError: unknown;
    let chain = Promise.resolve();
    let wake: (() => void) | undefined;
    const progressed = () => new Promise<void>((resolve) => (wake = resolve));
    const detectOn = (n: number, yuv: Uint8Array, tail = false) => {
      const c0 = performance.now();
      const frame = yuv420ToRgb(yuv, layout, whole, det.width, det.height);
      // The last frame searches every tile: nothing after it would correct a small face's guess.
      const tiles = small ? (tail ? small.tiles.map((_, i) => i) : small.due(n)).map((i) => ({ i, view: small.view(yuv, layout, i) })) : [];
      t.toRgb += performance.now() - c0;
      chain = chain.then(async () => {
        try {
          if (detectError !== undefined || job.signal?.aborted) return;
          const [texts, faces] = await Promise.all([
            this.text ? timed(() => this.text!.detect(frame), (ms) => (t.textDetect += ms)) : [],
            this.faces ? timed(() => this.faces!.detect(frame), (ms) => (t.faceDetect += ms)) : [],
            // On the face thread after the whole frame, one tile after the other.
            ...tiles.map(({ i, view }) => this.faces!.detect(view).then((faces) => small!.add(n, i, faces))),
          ]);
          tracker.add(n, [
            ...texts.map((d) => ({ ...scaleBox(d, sx, sy), kind: 'text' as const, score: d.score })),
            ...faces.map((d) => ({ ...scaleBox(d, sx, sy), kind: 'face' as const, score: d.score })),
          ]);
          detectedUpTo = n;
          t.detectorFrames++;
          job.onProgress?.({ phase: 'detect', frame: n, frames: source.frames });
        } catch (e) {
          detectError = e;
        } finally {
          wake?.();
        }
      });
    };
    const removed = new Set(job.removeTracks ?? []);
    const all = () => [...tracker.tracks(), ...(small?.tracks() ?? [])];
    const tracks = () => all().filter((tr) => !removed.has(tr.id));
    const manual = job.manual ?? [];
    const cover = { pad: step, margin };
    const boxesFrom = (list: Track[], n: number) => [
      ...boxesAt(list, n, cover).map(({ kind, box }) => ({ kind, box })),
      ...manual.filter((m) => n >= m.from && n <= m.to).map((m) => ({ kind: 'manual' as const, box: manualBoxAt(m, n) })),
    ];

    // Every frame, masked, into the encoder, in a private folder until complete.
    const work = mkdtempSync(join(dirname(job.output), `${TEMP_PREFIX}${process.pid}-`));
    const partial = join(work, basename(job.output));
    let captionFile: string | undefined;
    if (job.caption) {
      captionFile = join(work, 'caption.txt');
      writeFileSync(captionFile, job.caption, { mode: 0o600 });
    }
    const encoder = startEncoder(partial, { width: source.width, height: source.height, fps: source.fps, signal: job.signal, captionFile });
    const queue: { n: number; yuv: Uint8Array }[] = [];
    let rendered = 0;
    const renderUpTo = async (limit: number) => {
      while (queue.length && queue[0]!.n <= limit) {
        const { n, yuv } = queue.shift()!;
        const m0 = performance.now();
        maskFrame(yuv, layout, boxesFrom(tracks(), n).map((b) => b.box), job.style);
        t.maskDraw += performance.now() - m0;
        await encoder.write(yuv);
        rendered = n + 1;
        if (rendered % 25 === 0) job.onProgress?.({ phase: 'render', frame: rendered, frames: source.frames });
      }
    };
    const failed = () => {
      if (job.signal?.aborted) throw new MaskCancelledError();
      if (detectError !== undefined) throw detectError;
    };
    const onAbort = () => wake?.();
    job.signal?.addEventListener('abort', onAbort, { once: true });
    let n = 0;
    let last: Uint8Array | undefined;
    // Decoding waits while detection is behind: at most LAG and two steps of frames in memory.
    const held = lag + 2 * step;
    try {
      for await (const yuv of decodeFrames(job.input, { pixFmt: 'yuv420p', frameBytes: layout.frameBytes, signal: job.signal })) {
        if (n % step === 0) detectOn(n, yuv);
        queue.push({ n, yuv });
        last = yuv;
        n++;
        failed();
        await renderUpTo(detectedUpTo - lag);
        while (queue.length > held) {
          await progressed();
          failed();
          await renderUpTo(detectedUpTo - lag);
        }
      }
      t.cpu.decode = childrenCpuSeconds() - cpu0.children;
      // The last frame is a detector frame too, so the clip's tail is not left to extrapolation.
      if (last && (n - 1) % step !== 0) detectOn(n - 1, last, true);
      await chain;
      failed();
      await renderUpTo(Number.MAX_SAFE_INTEGER);
      const enc0 = childrenCpuSeconds();
      await encoder.end();
      t.cpu.encode = childrenCpuSeconds() - enc0;
      if (job.signal?.aborted) throw new MaskCancelledError();
      renameSync(partial, job.output);
    } catch (e) {
      encoder.kill();
      detectError ??= e;
      throw job.signal?.aborted ? new MaskCancelledError() : e;
    } finally {
      job.signal?.removeEventListener('abort', onAbort);
      await chain;
      rmSync(work, { recursive: true, force: true });
    }
    const final = tracks();
    const boxesOf = (frame: number) => boxesFrom(final, frame);
    t.wall = performance.now() - w0;
    t.cpu.main = threadCpuSeconds() - cpu0.main;
    t.cpu.textThread = threadCpu(this.text) - cpu0.text;
    t.cpu.faceThread = threadCpu(this.faces) - cpu0.faces;
    const own = processCpuSeconds() - cpu0.process;
    t.cpu.rest = own - t.cpu.main - t.cpu.textThread - t.cpu.faceThread;
    t.cpu.total = own + t.cpu.decode + t.cpu.encode;
    return { source, frames: n, tracks: final, detected: all(), timings: t, boxesAt: boxesOf };
  }
}

/** CPU seconds of a detector's thread so far (0 when it runs on this thread). */
const threadCpu = (d: Detector | undefined) => (d instanceof DetectorThread ? d.cpuSeconds : 0);

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
