// Force majeure (不可抗力) in the rates, pure: HRB-25(3) excepts it from the duty to keep cameras
// running, so a confirmed force-majeure span of an outage leaves both rates' denominators.
//   在线率: offline camera-time inside confirmed spans is left out of the camera-time;
//   完好率: a camera down under a confirmed span at the evaluation instant is left out of the count.
// Time the camera was online inside a span still counts: force majeure excuses an outage, it
// does not erase uptime.
import { coveredMs, isCoveredAt, type Interval } from './rates.js';

/** The parts common to two sets of intervals. */
export function intersect(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  for (const x of a) {
    for (const y of b) {
      const startMs = Math.max(x.startMs, y.startMs);
      const endMs = Math.min(x.endMs, y.endMs);
      if (endMs > startMs) out.push({ startMs, endMs });
    }
  }
  return out;
}

export interface Exclusion {
  /** Offline camera-time inside confirmed spans within the counted window. */
  excludedMs: number;
  /** Offline at the evaluation instant inside a confirmed span. */
  excused: boolean;
}

/**
 * What confirmed force majeure takes out of one camera's day. `window`: the camera-time counted
 * (registered, and not after now — the caller's clock); `evalAt`: the instant the good rate is
 * judged at.
 */
export function forceMajeureExclusion(window: Interval | null, online: readonly Interval[], spans: readonly Interval[], evalAt: number): Exclusion {
  if (!window || !spans.length) return { excludedMs: 0, excused: false };
  const inSpans = coveredMs(spans, window.startMs, window.endMs);
  const onlineInSpans = coveredMs(intersect(spans, online), window.startMs, window.endMs);
  const excused = isCoveredAt(spans, evalAt - 1) && !isCoveredAt(online, evalAt - 1);
  return { excludedMs: inSpans - onlineInSpans, excused };
}
