// Playback of one camera from a wall-clock instant in one <video>: a stream token for the range,
// the server's plan (fragments, gaps skipped, offset to the instant), and hls.js over the plan's
// VOD playlist. The plan maps the player's time back to the wall clock.
import { mediaApi, type PlaybackPlan } from '../api/media';
import { attachHls, type HlsHandle } from './hls-attach';
import { firstFrame } from './live-stream';

/** Longest plan the server makes; a later instant needs a new plan. */
export const PLAN_SPAN_MS = 2 * 3600_000;

/** Wall-clock ms shown at player time `t` (seconds), or null outside every fragment. */
export function wallClockAt(plan: Pick<PlaybackPlan, 'segments'>, t: number): number | null {
  for (const s of plan.segments) {
    const len = (s.endMs - s.startMs) / 1000;
    if (t >= s.mediaStartS - 0.001 && t < s.mediaStartS + len + 0.05) return Math.round(s.startMs + (t - s.mediaStartS) * 1000);
  }
  return null;
}

/** Player time (seconds) for a wall-clock instant within the plan, or null in a gap / outside. */
export function playerTimeAt(plan: Pick<PlaybackPlan, 'segments'>, wallMs: number): number | null {
  for (const s of plan.segments) if (wallMs >= s.startMs && wallMs < s.endMs) return s.mediaStartS + (wallMs - s.startMs) / 1000;
  return null;
}

export class PlaybackStream {
  plan: PlaybackPlan | undefined;
  private hls: HlsHandle | undefined;

  constructor(
    private readonly video: HTMLVideoElement,
    readonly cameraId: number,
  ) {}

  /** Opens a plan at `instant` and positions the player there; resolves when it can play. */
  async seek(instant: number): Promise<PlaybackPlan> {
    this.stop();
    const to = instant + PLAN_SPAN_MS;
    const { token } = await mediaApi.streamToken({ cameraId: this.cameraId, kind: 'playback', from: instant, to });
    const plan = await mediaApi.playback.open(this.cameraId, token, instant, to);
    this.plan = plan;
    if (!plan.segments.length) return plan;
    this.hls = await attachHls(this.video, plan.playlistUrl, { live: false, startPosition: plan.offsetS });
    // hls.js may start at the fragment's first frame; the instant asked for is offsetS into it.
    await firstFrame(this.video, 10_000);
    if (Math.abs(this.video.currentTime - plan.offsetS) > 0.02) this.video.currentTime = plan.offsetS;
    return plan;
  }

  /** What wall-clock instant the picture shows now. */
  now(): number | null {
    return this.plan ? wallClockAt(this.plan, this.video.currentTime) : null;
  }

  /** Moves within the open plan when it covers `wallMs`; false when a new plan is needed. */
  moveTo(wallMs: number): boolean {
    if (!this.plan) return false;
    const t = playerTimeAt(this.plan, wallMs);
    if (t === null) return false;
    this.video.currentTime = t;
    return true;
  }

  stop(): void {
    this.hls?.destroy();
    this.hls = undefined;
    const id = this.plan?.sessionId;
    this.plan = undefined;
    if (id) void mediaApi.playback.close(id).catch(() => undefined);
  }
}
