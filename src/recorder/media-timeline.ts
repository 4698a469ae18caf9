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

/**
 * A fragment's wall-clock span as the index records it: where the clock mapping put it, moved
 * later when that is before the end of what the same writer wrote last. One connection's frames
 * come one after another, so its footage never covers one instant twice; a mapping that stepped
 * back (the camera's sender reports corrected its clock, or the camera caught up after running
 * late) would otherwise make fragments overlap, and playback order them out of sequence. The
 * span keeps its length, its media duration; `movedMs` is how far it moved.
 */
export function followOn(startMs: number, endMs: number, writtenEndMs: number | undefined): { startMs: number; endMs: number; movedMs: number } {
  const movedMs = writtenEndMs === undefined ? 0 : Math.max(0, writtenEndMs - startMs);
  return { startMs: startMs + movedMs, endMs: endMs + movedMs, movedMs };
}
