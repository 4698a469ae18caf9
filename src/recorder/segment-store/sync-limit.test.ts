import { describe, expect, it } from 'vitest';
import { SyncLimit } from './sync-limit.js';

describe('the cap on syncs in flight', () => {
  it('runs at most its number at once, the rest in the order they asked, each turn passed on as one ends', async () => {
    const limit = new SyncLimit(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const runs = [0, 1, 2, 3, 4].map((i) => limit.run(() => new Promise<number>((resolve) => {
      started.push(i);
      finish[i] = () => resolve(i);
    })));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect([limit.inFlight, limit.waiting]).toEqual([2, 3]);
    finish[1]!();
    await runs[1];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    expect(limit.inFlight).toBe(2);
    finish[0]!();
    finish[2]!();
    await Promise.all([runs[0], runs[2]]);
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    finish[3]!();
    finish[4]!();
    expect(await Promise.all(runs)).toEqual([0, 1, 2, 3, 4]);
    expect([limit.inFlight, limit.waiting, limit.peakWaiting]).toEqual([0, 0, 3]);
  });

  it('passes the turn on when a sync fails, and says the failure to its caller', async () => {
    const limit = new SyncLimit(1);
    const failing = limit.run(() => Promise.reject(new Error('EIO')));
    const next = limit.run(() => Promise.resolve('ok'));
    await expect(failing).rejects.toThrow('EIO');
    expect(await next).toBe('ok');
    expect(limit.inFlight).toBe(0);
  });

  it('refuses a cap that is not a whole number of at least one', () => {
    expect(() => new SyncLimit(0)).toThrow(RangeError);
    expect(() => new SyncLimit(1.5)).toThrow(/whole number/);
  });
});
