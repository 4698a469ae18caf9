// The face detector on a thread of its own (face-worker.ts), with the detector's interface:
// frames go over as copies (640×360 RGB is under a megabyte), faces come back. A model that
// cannot load fails `open`, as the detector on this thread would.
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../project-root.js';
import { MaskModelError } from './errors.js';
import type { FaceDetectorOptions } from './face-detector.js';
import type { RgbFrame } from './frame.js';
import type { Detection } from './text-detector.js';

type Reply = { id: number; faces?: Detection[]; error?: string };

export class FaceThread {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (d: Detection[]) => void; reject: (e: Error) => void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: Reply) => {
      const w = this.waiting.get(m.id);
      if (!w) return;
      this.waiting.delete(m.id);
      if (!this.waiting.size) worker.unref();
      if (m.error !== undefined) w.reject(new Error(`face detection failed: ${m.error}`));
      else w.resolve(m.faces ?? []);
    });
    worker.on('error', (e) => this.failAll(e));
    worker.on('exit', () => this.failAll(new Error('the face detection thread stopped')));
    // A masker that is never closed must not keep the process alive: the thread holds it only
    // while a frame is out.
    worker.unref();
  }

  static async open(options: FaceDetectorOptions = {}): Promise<FaceThread> {
    const worker = startWorker(options);
    const first = await new Promise<{ ready: boolean; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (!first.ready) {
      await worker.terminate();
      throw new MaskModelError('face detection', 'blazeface.json', 'it does not load', first.error);
    }
    return new FaceThread(worker);
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
function startWorker(options: FaceDetectorOptions): Worker {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = new URL(fromSource ? './face-worker.ts' : './face-worker.js', import.meta.url).href;
  const tsx = pathToFileURL(join(projectRoot(), 'node_modules', 'tsx', 'dist', 'esm', 'api', 'index.mjs')).href;
  const code = fromSource
    ? `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(file)}); })`
    : `import(${JSON.stringify(file)})`;
  return new Worker(code, { eval: true, workerData: options });
}
