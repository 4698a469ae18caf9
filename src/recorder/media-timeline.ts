// Whether a camera's own media clock (RTP timestamps, unwrapped) runs on without a break from
// one video frame to the next. A recording file's decode times are these timestamps: a step the
// frame rate cannot explain (a camera reboot, an encoder restart, a timestamp jump, a long run of
// lost packets) must not become a jump inside the file. The recorder ends the file there, opens
// the next one at a keyframe, and records the step as an event; the wall-clock anchoring of each
// fragment is kept apart, in the index.
import { gapTolerance } from './gap.js';

/** Presentation order may step back this far within a GOP (B-frames); further is a break. */
const MAX_BACKWARD_MS = 500;

/**
 * The step from the previous frame's timestamp to this one's, in ms, when it is a break in the
 * stream's timeline; undefined when the stream runs on (forward by at most the gap tolerance of
 * its frame rate, the same bound gaps in the index are judged by).
 */
export function timelineBreak(prev90k: number | undefined, next90k: number, frameIntervalMs: number): number | undefined {
  if (prev90k === undefined) return undefined;
  const stepMs = (next90k - prev90k) / 90;
  if (stepMs < -MAX_BACKWARD_MS || stepMs > gapTolerance(frameIntervalMs)) return Math.round(stepMs);
  return undefined;
}
