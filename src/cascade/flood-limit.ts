// A bound on how fast one peer may ask the upward SIP listener (issue 19, bad input: "a flood of
// queries … refused, registered, and nothing else slows down"): a token bucket per peer address
// (`ratePerSecond` refilled, `burst` at most). What is refused is counted; a burst — refusals
// until the peer has been quiet for `quietMs`, or `maxBurstMs` at the longest — is reported once
// by `drain`, so the register gets one entry per burst, not one per packet. Pure: the clock is an
// argument.

export interface FloodBurst {
  peer: string;
  refused: number;
  from: number;
  to: number;
}

interface Bucket {
  tokens: number;
  at: number;
  refused: number;
  burstFrom: number;
  lastRefusedAt: number;
}

export class FloodLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly o: { ratePerSecond: number; burst: number; quietMs?: number; maxBurstMs?: number; maxPeers?: number }) {}

  /** Whether a request from `peer` at `now` may be served; a refusal is counted in the peer's burst. */
  allow(peer: string, now: number): boolean {
    let b = this.buckets.get(peer);
    if (!b) {
      // Many spoofed source addresses must not grow this without bound: forget idle full buckets.
      if (this.buckets.size >= (this.o.maxPeers ?? 10_000)) this.prune(now);
      b = { tokens: this.o.burst, at: now, refused: 0, burstFrom: 0, lastRefusedAt: 0 };
      this.buckets.set(peer, b);
    }
    b.tokens = Math.min(this.o.burst, b.tokens + ((now - b.at) / 1000) * this.o.ratePerSecond);
    b.at = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    if (!b.refused) b.burstFrom = now;
    b.refused++;
    b.lastRefusedAt = now;
    return false;
  }

  /** The bursts that ended by `now` (quiet, or too long to wait for); each is reported once. */
  drain(now: number): FloodBurst[] {
    const out: FloodBurst[] = [];
    for (const [peer, b] of this.buckets) {
      if (!b.refused) continue;
      if (now - b.lastRefusedAt < (this.o.quietMs ?? 1000) && now - b.burstFrom < (this.o.maxBurstMs ?? 60_000)) continue;
      out.push({ peer, refused: b.refused, from: b.burstFrom, to: b.lastRefusedAt });
      b.refused = 0;
    }
    return out;
  }

  private prune(now: number): void {
    for (const [peer, b] of this.buckets) if (!b.refused && b.tokens + ((now - b.at) / 1000) * this.o.ratePerSecond >= this.o.burst) this.buckets.delete(peer);
  }
}
