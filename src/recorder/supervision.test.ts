import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';
import { ConnectGate } from './connect-gate.js';
import { detectGap } from './gap.js';
import { fixedClock } from '../domain/clock.js';

const T0 = Date.UTC(2026, 0, 1);

describe('gaps, backoff and the connect gate', () => {
  it('records a gap only past 1.5 frame intervals + 500 ms', () => {
    expect(detectGap(undefined, T0, 40)).toBeUndefined();
    expect(detectGap(T0, T0 + 560, 40)).toBeUndefined();
    expect(detectGap(T0, T0 + 561, 40)).toEqual({ startMs: T0, endMs: T0 + 561 });
  });

  it('backs off exponentially within bounds, with jitter in the upper half', () => {
    const b = { minMs: 500, maxMs: 8000 };
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, b, () => 0))).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    expect([0, 1, 4, 10].map((a) => backoffDelay(a, b, () => 0.999999))).toEqual([500, 1000, 8000, 8000]);
  });

  it('spaces connection attempts that arrive together', () => {
    const clock = fixedClock(T0);
    const gate = new ConnectGate(20, clock);
    expect([gate.reserve(), gate.reserve(), gate.reserve()]).toEqual([0, 20, 40]);
    clock.advance(1000);
    expect(gate.reserve()).toBe(0);
  });
});
