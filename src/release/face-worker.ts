// The body of the face detection thread (face-thread.ts): BlazeFace on TensorFlow.js's wasm
// backend runs on the thread that calls it, so on the main thread every detector frame stopped the
// render pass (reading the decoder, drawing masks, feeding the encoder) for its whole duration.
import { parentPort, workerData } from 'node:worker_threads';
import { FaceDetector, type FaceDetectorOptions } from './face-detector.js';

type Request = { id: number; width: number; height: number; data: Uint8Array };

const port = parentPort!;
FaceDetector.open(workerData as FaceDetectorOptions).then(
  (detector) => {
    port.postMessage({ ready: true });
    // One frame at a time, in order: the caller awaits each before the next detector frame.
    let queue = Promise.resolve();
    port.on('message', (m: Request) => {
      queue = queue.then(async () => {
        try {
          port.postMessage({ id: m.id, faces: await detector.detect({ width: m.width, height: m.height, data: m.data }) });
        } catch (e) {
          port.postMessage({ id: m.id, error: (e as Error).message });
        }
      });
    });
  },
  (e: unknown) => port.postMessage({ ready: false, error: (e as Error).message, code: (e as { code?: string }).code }),
);
