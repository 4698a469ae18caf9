// Faces found by BlazeFace as bundled in @vladmandic/human (MIT; the model weights are Google's
// MediaPipe BlazeFace, Apache-2.0), run on TensorFlow.js's WebAssembly backend: tfjs-node's
// native build cannot install here, and the WebAssembly one ships inside its npm package.
//
// Human loads its models and the backend's .wasm with fetch(), which Node's fetch does not do for
// file:// addresses; for the time of loading, file:// requests are answered from disk and every
// other request goes to the real fetch. Nothing is fetched from the network.
//
// BlazeFace sees the whole picture at a small input size, so a face a few per cent of a 720p
// frame's width is too small for it: the frame is also cut into overlapping tiles, each seen on
// its own, and the boxes of all passes merged. Off by default: on the labelled 720p set the whole
// frame finds faces of 60 px and more, and tiles added false faces at six times the cost.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { iou, type Box } from './box.js';
import { MaskModelError } from './errors.js';
import type { RgbFrame } from './frame.js';
import type { Detection } from './text-detector.js';

export interface FaceDetectorOptions {
  /** Tiles across and down besides the whole frame (0 = whole frame only). */
  tiles?: { cols: number; rows: number };
  minConfidence?: number;
}

// The Human object and tf namespace: the package's types are not worth binding to.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

function humanDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(dirname(require.resolve('@vladmandic/human')));
}

async function withFileFetch<T>(fn: () => Promise<T>): Promise<T> {
  const real = globalThis.fetch;
  globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith('file://')) return real(input, init);
    const type = url.endsWith('.json') ? 'application/json' : url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
    return new Response(readFileSync(fileURLToPath(url)), { status: 200, headers: { 'content-type': type } });
  }) as typeof fetch;
  try {
    return await fn();
  } finally {
    globalThis.fetch = real;
  }
}

export class FaceDetector {
  private constructor(
    private readonly human: Any,
    private readonly o: Required<FaceDetectorOptions>,
  ) {}

  static async open(options: FaceDetectorOptions = {}): Promise<FaceDetector> {
    const dir = humanDir();
    const model = join(dir, 'models', 'blazeface.json');
    if (!existsSync(model) || !existsSync(join(dir, 'models', 'blazeface.bin'))) throw new MaskModelError('face detection', model, 'the file does not exist');
    const require = createRequire(import.meta.url);
    const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    // The package's exports map names this build without "./", so it is loaded by its path.
    const { Human } = require(join(dir, 'dist', 'human.node-wasm.js')) as { Human: new (config: unknown) => Any };
    const human = new Human({
      backend: 'wasm',
      wasmPath: `${pathToFileURL(wasmDir).href}/`,
      modelBasePath: `${pathToFileURL(join(dir, 'models')).href}/`,
      debug: false,
      async: false,
      warmup: 'none',
      cacheSensitivity: 0,
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: { rotation: false, maxDetected: 50, minConfidence: options.minConfidence ?? 0.3, return: false },
        mesh: { enabled: false }, iris: { enabled: false }, description: { enabled: false }, emotion: { enabled: false },
        antispoof: { enabled: false }, liveness: { enabled: false }, attention: { enabled: false }, gear: { enabled: false },
      },
      body: { enabled: false }, hand: { enabled: false }, object: { enabled: false }, gesture: { enabled: false }, segmentation: { enabled: false },
    });
    try {
      await withFileFetch(async () => {
        await human.load();
        await human.init?.();
      });
    } catch (e) {
      throw new MaskModelError('face detection', model, `it does not load (${(e as Error).message})`);
    }
    if (!human.models?.models?.blazeface && !human.models?.blazeface) {
      // Human logs a load failure and carries on; a masker without its face model must not.
      const loaded = Object.keys(human.models?.models ?? {}).filter((k) => human.models.models[k]);
      if (!loaded.some((k: string) => k.startsWith('blazeface'))) throw new MaskModelError('face detection', model, 'BlazeFace did not load (a corrupt or unreadable file)');
    }
    return new FaceDetector(human, { tiles: options.tiles ?? { cols: 1, rows: 1 }, minConfidence: options.minConfidence ?? 0.3 });
  }

  async detect(frame: RgbFrame): Promise<Detection[]> {
    const all: Detection[] = [];
    for (const region of tileRegions(frame.width, frame.height, this.o.tiles)) {
      for (const d of await this.detectIn(frame, region)) all.push(d);
    }
    return mergeOverlapping(all);
  }

  private async detectIn(frame: RgbFrame, r: Box): Promise<Detection[]> {
    const tf = this.human.tf;
    const crop = cropRgb(frame, r);
    const tensor = tf.tensor4d(crop, [1, r.h, r.w, 3], 'int32');
    try {
      const res = await this.human.detect(tensor);
      return (res.face as Any[]).map((f) => ({ x: r.x + f.box[0], y: r.y + f.box[1], w: f.box[2], h: f.box[3], score: f.boxScore ?? f.score }));
    } finally {
      tf.dispose(tensor);
    }
  }
}

/** The whole frame, then cols × rows tiles overlapping by a fifth. */
export function tileRegions(width: number, height: number, t: { cols: number; rows: number }): Box[] {
  const out: Box[] = [{ x: 0, y: 0, w: width, h: height }];
  if (t.cols * t.rows <= 1) return out;
  const tw = Math.min(width, Math.ceil((width / t.cols) * 1.2));
  const th = Math.min(height, Math.ceil((height / t.rows) * 1.2));
  for (let j = 0; j < t.rows; j++) {
    for (let i = 0; i < t.cols; i++) {
      const x = t.cols === 1 ? 0 : Math.round(((width - tw) * i) / (t.cols - 1));
      const y = t.rows === 1 ? 0 : Math.round(((height - th) * j) / (t.rows - 1));
      out.push({ x, y, w: tw, h: th });
    }
  }
  return out;
}

function cropRgb(f: RgbFrame, r: Box): Int32Array {
  const out = new Int32Array(r.w * r.h * 3);
  for (let y = 0; y < r.h; y++) {
    const src = ((r.y + y) * f.width + r.x) * 3;
    const row = f.data.subarray(src, src + r.w * 3);
    out.set(row, y * r.w * 3);
  }
  return out;
}

/** Keeps the best of boxes that are the same face seen by two passes. */
export function mergeOverlapping(ds: Detection[], threshold = 0.3): Detection[] {
  const sorted = [...ds].sort((a, b) => b.score - a.score);
  const kept: Detection[] = [];
  for (const d of sorted) {
    const same = kept.find((k) => iou(k, d) > threshold || containsMost(k, d));
    if (same) {
      // The union, so a face half seen by one tile and whole by another is covered whole.
      const x0 = Math.min(same.x, d.x), y0 = Math.min(same.y, d.y);
      const x1 = Math.max(same.x + same.w, d.x + d.w), y1 = Math.max(same.y + same.h, d.y + d.h);
      Object.assign(same, { x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
    } else kept.push({ ...d });
  }
  return kept;
}

function containsMost(a: Box, b: Box): boolean {
  const w = Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y);
  return w > 0 && h > 0 && (w * h) / Math.min(a.w * a.h, b.w * b.h) > 0.6;
}
