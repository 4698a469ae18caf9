// Playback of one camera from a wall-clock instant in one <video>: a stream token for the range,
// the server's plan (fragments, gaps skipped, offset to the instant), and hls.js over the plan's
// VOD playlist. The plan maps the player's time back to the wall clock.
import { mediaApi, type PlaybackPlan } from '../api/media';
import { attachHls, type HlsHandle } from './hls-attach';
import { firstFrame } from './live-stream';
import { playerTimeAt, wallClockAt } from './plan-time';

export { playerTimeAt, wallClockAt, type SegmentTimes } from './plan-time';

/** Longest plan the server makes; a later instant needs a new plan. */
export const PLAN_SPAN_MS = 2 * 3600_000;

/**
 * A paused player fetches nothing, and the server closes a playback session after 30 s without a
 * request; while the stream is open it says it is still there well within that.
 */
export const KEEPALIVE_MS = 10_000;

export class PlaybackStream {
  plan: PlaybackPlan | undefined;
  private hls: HlsHandle | undefined;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private generation = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    readonly cameraId: number,
    /** Playing under an approved access request: only inside its range (investigators, CN799-21). */
    private readonly under?: { requestId: number; from: number; to: number },
  ) {}

  /**
   * Opens a plan at `instant` and positions the player there; resolves when it can play. A later
   * seek or stop supersedes this one: its session is closed and it leaves the player alone.
   */
  async seek(instant: number): Promise<PlaybackPlan> {
    this.stop();
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    const u = this.under;
    if (u) instant = Math.min(Math.max(instant, u.from), u.to - 1);
    const to = u ? Math.min(instant + PLAN_SPAN_MS, u.to) : instant + PLAN_SPAN_MS;
    const { token } = await mediaApi.streamToken({ cameraId: this.cameraId, kind: 'playback', from: instant, to, ...(u ? { requestId: u.requestId } : {}) });
    const plan = await mediaApi.playback.open(this.cameraId, token, instant, to);
    if (!current()) {
      void mediaApi.playback.close(plan.sessionId).catch(() => undefined);
      return plan;
    }
    this.plan = plan;
    this.keepalive = setInterval(() => void mediaApi.playback.plan(plan.sessionId, plan.requestedMs, plan.requestedMs + 1).catch(() => undefined), KEEPALIVE_MS);
    if (!plan.segments.length) return plan;
    const hls = await attachHls(this.video, plan.playlistUrl, { live: false, startPosition: plan.offsetS });
    if (!current()) {
      hls.destroy();
      return plan;
    }
    this.hls = hls;
    // hls.js may start at the fragment's first frame; the instant asked for is offsetS into it.
    await firstFrame(this.video, 15_000);
    if (current() && Math.abs(this.video.currentTime - plan.offsetS) > 0.02) this.video.currentTime = plan.offsetS;
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
    this.generation++;
    clearInterval(this.keepalive);
    this.keepalive = undefined;
    this.hls?.destroy();
    this.hls = undefined;
    const id = this.plan?.sessionId;
    this.plan = undefined;
    if (id) void mediaApi.playback.close(id).catch(() => undefined);
  }
}
