// A simulated camera asked for a keyframe (GB/T 28181 DeviceControl IFameCmd, ONVIF Media
// SetSynchronizationPoint) answers as a real encoder does: the next picture it sends is an IDR.
// The simulator's cameras share one encoder whose GOP they cannot change, so beside it runs a
// second encoder of the same picture with every frame an IDR (same x264 settings, so the same
// parameter sets; `SharedEncoder` with `everyFrameKey`). Each frame of the shared line is paired
// with the all-intra frame made at the same moment; a camera asked for a keyframe sends the paired
// IDR in place of its next picture, and keeps sending all-intra pictures (each decodable alone,
// the P-frames of the shared line would refer to pictures the viewer never got) until its own line
// reaches a keyframe, where it goes back to it. Nothing else changes: the same picture, clock and
// frame times, its GOP phase (staggered or not) as before.
import type { EncodedFrame, FrameListener, SharedEncoder } from './encoder.js';
import type { FrameFeed } from './gb-media-sender.js';

/** The per-camera decision: which frame goes out in place of the shared line's next one. */
export class KeyframePicker {
  private wanted = false;
  private intraRun = false;
  /** Requests honoured (an all-intra picture sent in place of a non-key one of the line). */
  answered = 0;

  /** Asks for an IDR as the next picture. */
  request(): void {
    this.wanted = true;
  }

  get pending(): boolean {
    return this.wanted;
  }

  /**
   * `line`: the camera's next frame of the shared encoder; `intra`: the all-intra frame made at
   * the same moment (none while that encoder is not running). Undefined: send nothing (an intra
   * run whose encoder stopped; the line's P-frames cannot follow an intra picture).
   */
  pick(line: EncodedFrame, intra: EncodedFrame | undefined): EncodedFrame | undefined {
    if (line.keyframe) {
      this.wanted = this.intraRun = false;
      return line;
    }
    if (this.wanted && intra) {
      this.wanted = false;
      this.intraRun = true;
      this.answered++;
    }
    if (!this.intraRun) return line;
    return intra;
  }
}

/**
 * A GB/T 28181 channel's feed (gb-media-sender.ts) that honours a keyframe request: the shared
 * encoder's pictures, an all-intra one in their place from a request to the line's next keyframe.
 */
export class KeyframeOnDemandFeed implements FrameFeed {
  readonly codec = 'h264' as const;
  private readonly picker = new KeyframePicker();
  private readonly listeners = new Set<FrameListener>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly line: SharedEncoder,
    private readonly intra: SharedEncoder,
  ) {}

  get answered(): number {
    return this.picker.answered;
  }

  subscribe(listener: FrameListener): () => void {
    this.listeners.add(listener);
    this.unsubscribe ??= this.line.subscribe((f) => {
      const out = this.picker.pick(f, this.intra.latest);
      if (out) for (const l of this.listeners) l(out);
    });
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size) return;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    };
  }

  /** True when the request can be honoured (the all-intra encoder is running). */
  requestKeyframe(): boolean {
    this.picker.request();
    return this.intra.latest !== undefined;
  }
}
