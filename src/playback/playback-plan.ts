// What to play for "camera C from instant T": the recorded fragments from the keyframe fragment
// at or before T onward, across files, with the gaps between them skipped and reported, and the
// offset from the first fragment's start to T — the player decodes from the keyframe and shows T.
// A pure function of index rows, so every edge (T in a gap, T before any recording, a file
// change, a hole inside a file) is tested without a database.
import type { IndexedFragment } from '../db/recording-index.repository.js';

export interface PlanSegment extends IndexedFragment {
  /** Where this fragment starts on the player's timeline (sum of the durations before it), seconds. */
  mediaStartS: number;
  /** The player must reset its decoder here: another file (init segment) or a hole before it. */
  discontinuity: boolean;
}

export interface PlanGap {
  startMs: number;
  endMs: number;
}

export interface PlaybackPlan {
  cameraId: number;
  /** The instant asked for. */
  requestedMs: number;
  /** Wall-clock start of the first segment (a keyframe at or before the request, or the first recording after it). */
  startMs: number;
  /** Seconds from the start of the playlist to the requested instant; 0 when it fell in a gap. */
  offsetS: number;
  /** True when nothing was recorded at the requested instant and playback starts at the next recording. */
  requestedInGap: boolean;
  /** Wall-clock end of the last segment. */
  endMs: number;
  segments: PlanSegment[];
  gaps: PlanGap[];
  /** Set when the range has more fragments than one plan holds: ask again from here to fetch ahead. */
  nextFromMs: number | null;
}

/** Holes shorter than this between fragments are jitter of the recorder's clock, not gaps. */
export const GAP_TOLERANCE_MS = 1000;

/**
 * Builds the plan from `key` (the keyframe fragment at or before T, if any) and `fragments`
 * (every fragment starting in [key?.startMs ?? T, to), time-ordered, possibly cut at a limit).
 */
export function buildPlan(cameraId: number, requestedMs: number, to: number, key: IndexedFragment | undefined, fragments: readonly IndexedFragment[], truncated: boolean): PlaybackPlan {
  let list = fragments.filter((f) => f.startMs < to && f.endMs > f.startMs);
  // The keyframe is only useful if recording runs without a hole from it to T.
  let covered = false;
  if (key) {
    let end = key.startMs;
    for (const f of list) {
      if (f.startMs > end + GAP_TOLERANCE_MS) break;
      end = Math.max(end, f.endMs);
      if (end > requestedMs) {
        covered = true;
        break;
      }
    }
  }
  if (covered) {
    const i = list.findIndex((f) => f.fileId === key!.fileId && f.seq === key!.seq);
    list = i < 0 ? [] : list.slice(i);
  } else {
    // Nothing recorded at T: start at the first keyframe fragment after it.
    const i = list.findIndex((f) => f.startMs >= requestedMs && f.keyframe);
    list = i < 0 ? [] : list.slice(i);
  }
  const segments: PlanSegment[] = [];
  const gaps: PlanGap[] = [];
  let media = 0;
  let prev: IndexedFragment | undefined;
  for (const f of list) {
    // Overlaps (a restart re-recording the same seconds) are skipped: play each instant once.
    if (prev && f.startMs < prev.endMs - GAP_TOLERANCE_MS) continue;
    const hole = !!prev && f.startMs - prev.endMs > GAP_TOLERANCE_MS;
    const newFile = !!prev && prev.fileId !== f.fileId;
    // After a hole or in a new file, decoding restarts at a keyframe; what comes before it is skipped.
    if ((hole || newFile) && !f.keyframe) continue;
    if (hole) gaps.push({ startMs: prev!.endMs, endMs: f.startMs });
    segments.push({ ...f, mediaStartS: media, discontinuity: hole || newFile });
    media += (f.endMs - f.startMs) / 1000;
    prev = f;
  }
  const first = segments[0];
  const last = segments[segments.length - 1];
  return {
    cameraId,
    requestedMs,
    startMs: first?.startMs ?? requestedMs,
    offsetS: covered && first ? Math.max(0, (requestedMs - first.startMs) / 1000) : 0,
    requestedInGap: !covered,
    endMs: last?.endMs ?? requestedMs,
    segments,
    gaps,
    nextFromMs: truncated && last ? last.endMs : null,
  };
}
