// A verifier thread: checks the stretches of the register it is sent, through its own connection.
import { parentPort, workerData } from 'node:worker_threads';
import { chainRowArrays } from '../db/audit-chain-reader.js';
import { RowHasher } from './canonical.js';
import { checkSegment, type SegmentTask } from './verify-segment.js';

const { url } = workerData as { url: string };
const hasher = new RowHasher();
parentPort!.on('message', (task: SegmentTask) => {
  checkSegment(chainRowArrays(url, task.after, task.through), task, hasher).then(
    (summary) => parentPort!.postMessage({ summary }),
    (e: Error) => parentPort!.postMessage({ error: e.message }),
  );
});
