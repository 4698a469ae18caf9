// The body of a detector thread (detector-thread.ts): opens the text or the face detector named in
// its workerData and answers one frame at a time, in order, with the boxes and its own CPU time.
import { parentPort, workerData } from 'node:worker_threads';
import { threadCpuSeconds } from './cpu-time.js';
import type { DetectorSpec } from './detector-thread.js';
import { FaceDetector } from './face-detector.js';
import type { RgbFrame } from './frame.js';
import { TextDetector, type Detection } from './text-detector.js';

type Request = { id: number; width: number; height: number; data: Uint8Array };

const port = parentPort!;
const spec = workerData as DetectorSpec;
const open: Promise<{ detect(f: RgbFrame): Promise<Detection[]> }> =
  spec.kind === 'text' ? TextDetector.open(spec.options) : FaceDetector.open(spec.options);
open.then(
  (detector) => {
    port.postMessage({ ready: true });
    let queue = Promise.resolve();
    port.on('message', (m: Request) => {
      queue = queue.then(async () => {
        try {
          const boxes = await detector.detect({ width: m.width, height: m.height, data: m.data });
          // This thread's CPU so far: the detector's cost, whatever else the machine runs.
          port.postMessage({ id: m.id, boxes, cpuSeconds: threadCpuSeconds() });
        } catch (e) {
          port.postMessage({ id: m.id, error: (e as Error).message });
        }
      });
    });
  },
  (e: unknown) => port.postMessage({ ready: false, error: (e as Error).message, code: (e as { code?: string }).code }),
);
