// Request rate limits for the API, per source address and per account: a token bucket per key,
// in this process's memory behind an interface (several API processes each limit their share).
import type { Clock } from '../domain/clock.js';

export interface RateLimiter {
  /** Takes one request's worth for `key`: 0 if it may go on, else milliseconds until it may. */
  take(key: string): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** Beyond this many keys the fullest buckets (idle keys) are forgotten first. */
const MAX_KEYS = 50_000;

export class TokenBuckets implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    private readonly clock: Clock,
    /** Requests a key may make in a minute on average, and in one burst. */
    private readonly perMinute: number,
  ) {
    this.perMs = perMinute / 60_000;
  }

  take(key: string): number {
    const now = this.clock.now();
    const b = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.min(this.perMinute, b.tokens + (now - b.at) * this.perMs);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.buckets.delete(key);
      this.buckets.set(key, b);
      this.prune();
      return 0;
    }
    this.buckets.set(key, b);
    return Math.ceil((1 - b.tokens) / this.perMs);
  }

  private prune(): void {
    if (this.buckets.size <= MAX_KEYS) return;
    // Map order is least recently used first (take() re-inserts): drop the oldest tenth.
    let n = Math.ceil(MAX_KEYS / 10);
    for (const key of this.buckets.keys()) {
      if (n-- <= 0) break;
      this.buckets.delete(key);
    }
  }
}
