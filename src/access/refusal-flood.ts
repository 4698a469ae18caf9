// Refusals of people nobody could identify (no cookie, an unknown cookie or API token, no stream
// token, a sign-in slowed down) are registered too, but a flood of them must not fill the disk
// through the register: per source address and kind, the first in a window is written at once
// and the rest of that window are counted and written as one entry with the count when the
// window has passed. So each refusal is in the register exactly once, alone or counted.
import type { Clock } from '../domain/clock.js';
import type { EventInput, SecurityLog } from './security-log.js';

interface Window {
  openedAt: number;
  /** Refusals after the first, not yet written. */
  more: number;
  sample: EventInput;
}

/** Beyond this many open windows, new addresses share one: the map cannot grow without end. */
const MAX_WINDOWS = 10_000;

export class AnonymousRefusals {
  private readonly windows = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: SecurityLog,
    private readonly clock: Clock,
    readonly windowMs: number,
  ) {}

  /** Registers (or counts) one refusal; `kind` tells floods of different refusals apart. */
  async refuse(kind: string, e: EventInput & { sourceAddress: string | null }): Promise<void> {
    const now = this.clock.now();
    await this.flush(now);
    let key = `${e.sourceAddress ?? '-'} ${kind}`;
    if (!this.windows.has(key) && this.windows.size >= MAX_WINDOWS) key = `* ${kind}`;
    const open = this.windows.get(key);
    if (open) {
      open.more++;
      return;
    }
    this.windows.set(key, { openedAt: now, more: 0, sample: e });
    this.startTimer();
    await this.log.record(null, { ...e, outcome: e.outcome ?? 'refused', detail: { ...e.detail, kind } });
  }

  /** Writes the counts of every window that has passed (all of them with `all`). */
  async flush(now = this.clock.now(), all = false): Promise<void> {
    for (const [key, w] of [...this.windows]) {
      if (!all && now < w.openedAt + this.windowMs) continue;
      const more = w.more;
      if (more > 0) {
        const kind = key.slice(key.indexOf(' ') + 1);
        // Written before the window is forgotten: if this fails, the count is still there to write.
        await this.log.record(null, {
          ...w.sample,
          outcome: w.sample.outcome ?? 'refused',
          sourceAddress: key.startsWith('* ') ? null : w.sample.sourceAddress ?? null,
          reason: `${more} more like this from the same address within ${Math.round(this.windowMs / 1000)} s: ${w.sample.reason ?? ''}`.trim(),
          detail: { ...w.sample.detail, kind, count: more, windowFrom: w.openedAt, windowTo: Math.min(now, w.openedAt + this.windowMs) },
        });
      }
      // Refusals counted while that was written go into a window of their own.
      if (w.more > more) this.windows.set(key, { openedAt: now, more: w.more - more, sample: w.sample });
      else if (this.windows.get(key) === w) this.windows.delete(key);
    }
    if (!this.windows.size) this.stopTimer();
  }

  /** Writes what is pending; for shutting down. */
  async close(): Promise<void> {
    this.stopTimer();
    await this.flush(this.clock.now(), true);
  }

  private startTimer(): void {
    if (this.timer) return;
    // No caller to hand a failure to here: the counts stay for the next refusal or close() to write.
    this.timer = setInterval(() => void this.flush().catch(() => undefined), this.windowMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
