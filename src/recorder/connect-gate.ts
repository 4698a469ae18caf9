// Spaces out connection attempts across every camera: each attempt takes the next free slot,
// at least `spacingMs` after the previous one, so a hundred cameras returning at once connect
// over a couple of seconds instead of in one burst.
import type { Clock } from '../domain/clock.js';

export class ConnectGate {
  private nextSlot = 0;

  constructor(
    private readonly spacingMs: number,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds this caller must wait for its slot; reserves the slot. */
  reserve(): number {
    const now = this.clock.now();
    const slot = Math.max(now, this.nextSlot);
    this.nextSlot = slot + this.spacingMs;
    return slot - now;
  }
}
