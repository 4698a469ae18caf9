// Keeps a live viewer live. The camera's stream reaches us over TCP (or through a socket
// buffer): when this process is starved for a while, the frames pile up in the kernel and are
// read late, and without a rule the viewer would watch that backlog for ever — seconds behind,
// at the camera's own pace. The gate notices frames arriving later than the stream's own clock
// says they should (no trust in the camera's wall clock: only its RTP time against our arrival
// time), drops them, and lets the picture resume at the first keyframe that is on time again.
// Dropped frames also cost nothing to send, so the backlog drains quickly.

export interface LagGateOptions {
  /** A frame this much later than the stream's best seen timing is dropped (default 800 ms: with the browser's own ~100 ms, the picture stays within a second). */
  maxLagMs?: number;
  /** Dropping for longer than this means the stream's timing itself moved: start over (default 3000 ms). */
  resetAfterMs?: number;
}

/** How fast the reference may creep later: camera clocks run slow by far less than 1000 ppm. */
const DRIFT_PER_MS = 0.001;

export class LagGate {
  private best: number | undefined;
  private lastArrival = 0;
  private lastPts = 0;
  private droppingSince: number | undefined;
  private readonly maxLagMs: number;
  private readonly resetAfterMs: number;
  /** Frames dropped as late, since construction. */
  dropped = 0;

  constructor(options: LagGateOptions = {}) {
    this.maxLagMs = options.maxLagMs ?? 800;
    this.resetAfterMs = options.resetAfterMs ?? 3000;
  }

  /** Forgets the stream's timing (a new source, new parameters). */
  reset(): void {
    this.best = undefined;
    this.droppingSince = undefined;
  }

  /**
   * Whether to send a frame with presentation time `pts90k` that arrived at `arrivalMs`. Once a
   * frame is dropped, frames pass again from the first keyframe that is on time.
   */
  pass(pts90k: number, keyframe: boolean, arrivalMs: number): boolean {
    // The stream restarted (a reconnect) or its clock jumped back: its old timing means nothing.
    if (this.best !== undefined && pts90k < this.lastPts) this.best = undefined;
    const offset = arrivalMs - pts90k / 90;
    this.best = this.best === undefined ? offset : Math.min(offset, this.best + (arrivalMs - this.lastArrival) * DRIFT_PER_MS);
    this.lastArrival = arrivalMs;
    this.lastPts = pts90k;
    const late = offset - this.best > this.maxLagMs;
    if (this.droppingSince === undefined) {
      if (!late) return true;
      this.droppingSince = arrivalMs;
    } else if (!late && keyframe) {
      this.droppingSince = undefined;
      return true;
    } else if (arrivalMs - this.droppingSince > this.resetAfterMs) {
      // Late for this long while reading as fast as we can: the timing moved, not a backlog.
      this.best = offset;
      if (keyframe) {
        this.droppingSince = undefined;
        return true;
      }
    }
    this.dropped++;
    return false;
  }
}
