import { describe, expect, it } from 'vitest';
import { signInWait } from './sign-in-throttle.js';

const P = { freeFailures: 3, firstDelayMs: 1_000, maxDelayMs: 60_000, windowMs: 600_000, perAddressFailures: 10 };

describe('sign-in throttle', () => {
  it('lets the free failures through, then doubles the wait after each further one, up to the cap', () => {
    expect(signInWait([0, 1, 2], [0, 1, 2], 3, P)).toBe(1_000 - 1);
    expect(signInWait([0, 1], [0, 1], 2, P)).toBe(0);
    expect(signInWait([0, 1, 2, 3], [], 3, P)).toBe(2_000);
    expect(signInWait([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [], 9, P)).toBe(60_000);
    expect(signInWait([0, 1, 2, 3], [], 3 + 2_000, P)).toBe(0);
  });

  it('stops an address that fails under many names until the oldest failures age out', () => {
    const spread = Array.from({ length: 10 }, (_, i) => i * 1_000);
    expect(signInWait([], spread, 10_000, P)).toBe(600_000 - 10_000);
    expect(signInWait([], spread.slice(1), 10_000, P)).toBe(0);
  });

  it('forgets failures older than the window', () => {
    expect(signInWait([0, 1, 2, 3, 4], [0, 1, 2, 3, 4], 600_005, P)).toBe(0);
  });
});
