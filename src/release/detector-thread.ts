// A detector on a thread of its own (detector-worker.ts), with the detector's interface: frames
// go over as copies (640×352 RGB is under a megabyte), boxes come back. Both detectors run on
// the thread that calls them — onnxruntime-node's `run` is synchronous underneath its promise,
// TensorFlow.js's wasm backend too — so on the main thread each detector frame stood still the
// reading of the decoder, the drawing and the feeding of the encoder, and the two detectors took
// turns. Each on its own thread, the two detectors and the render use both cores. A model that
// cannot load fails `open`, as the detector on this thread would.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../project-root.js';
import { MaskModelError } from './errors.js';
import type { FaceDetectorOptions } from './face-detector.js';
import type { RgbFrame } from './frame.js';
import type { Detection, TextDetectorOptions } from './text-detector.js';

type Reply = { id: number; boxes?: Detection[]; error?: string; cpuSeconds?: number };

export type DetectorSpec = { kind: 'text'; options: TextDetectorOptions } | { kind: 'face'; options: FaceDetectorOptions };

const MODEL_NAMES = { text: 'text detection', face: 'face detection' } as const;

export class DetectorThread {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (d: Detection[]) => void; reject: (e: Error) => void }>();
  /** CPU seconds the thread has used, as it last said (NaN where /proc is not there). */
  cpuSeconds = 0;

  private constructor(
    private readonly worker: Worker,
    readonly kind: DetectorSpec['kind'],
  ) {
    worker.on('message', (m: Reply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (!this.waiting.size) worker.unref();
      if (m.cpuSeconds !== undefined) this.cpuSeconds = m.cpuSeconds;
      if (m.error !== undefined) w.reject(new Error(`${MODEL_NAMES[kind]} failed: ${m.error}`));
      else w.resolve(m.boxes ?? []);
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', () => this.failAll(new Error(`the ${MODEL_NAMES[kind]} thread stopped`)));
    // A masker that is never closed must not keep the process alive: the thread holds it only
    // while a frame is out.
    worker.unref();
  }

  static async open(spec: DetectorSpec): Promise<DetectorThread> {
    const worker = startWorker(spec);
    const first = await new Promise<{ ready: boolean; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!first.ready) {
      await worker.terminate();
      throw new MaskModelError(MODEL_NAMES[spec.kind], spec.kind, 'it does not load', first.error);
    }
    return new DetectorThread(worker, spec.kind);
  }

  detect(frame: RgbFrame): Promise<Detection[]> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, width: frame.width, height: frame.height, data: frame.data });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(e: Error) {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

// From source (tests, benchmarks) the thread first registers the TypeScript loader (tsx, a
// development dependency; execArgv loaders do not reach worker threads); built, it is plain .js.
function startWorker(spec: DetectorSpec): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = new URL(fromSource ? './detector-worker.ts' : './detector-worker.js', import.meta.url).href;
  const tsx = pathToFileURL(join(projectRoot(), 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href;
  const code = fromSource
    ? `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(file)}); })`
    : `import(${JSON.stringify(file)})`;
  return new Worker(code, { eval: true, workerData: spec });
}
