import { describe, expect, it } from 'vitest';
import { FollowUps, RegistrationActivity } from './follow-ups.js';

function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

const settle = () => new Promise<void>((r) => setImmediate(() => setImmediate(r)));

describe('follow-ups of a registration', () => {
  it('runs at most `limit` devices at once, in the order they registered, the next as one ends (also when it fails)', async () => {
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const q = new FollowUps(2, (id) => {
      started.push(id);
      const g = gate();
      gates.set(id, g);
      return id === 'b' ? g.p.then(() => Promise.reject(new Error('no answer'))) : g.p;
    });
    for (const id of ['a', 'b', 'c', 'd']) q.add(id);
    // Nothing starts inside add(): the REGISTER's own answer goes out first.
    expect(started).toEqual([]);
    await settle();
    expect(started).toEqual(['a', 'b']);
    expect(q.pending).toBe(4);
    gates.get('b')!.open();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    gates.get('a')!.open();
    await settle();
    expect(started).toEqual(['a', 'b', 'c', 'd']);
    gates.get('c')!.open();
    gates.get('d')!.open();
    await settle();
    expect(q.pending).toBe(0);
  });

  it('queues a device that is already waiting once, and runs nothing after close', async () => {
    const started: string[] = [];
    const first = gate();
    const q = new FollowUps(1, (id) => {
      started.push(id);
      return id === 'a' ? first.p : Promise.resolve();
    });
    q.add('a');
    q.add('b');
    q.add('b');
    await settle();
    expect(started).toEqual(['a']);
    expect(q.pending).toBe(2);
    q.close();
    first.open();
    await settle();
    expect(started).toEqual(['a']);
    q.add('c');
    await settle();
    expect(started).toEqual(['a']);
  });
});

describe('follow-ups held while devices register', () => {
  it('start nothing while registrations are under way, start when they end, and start one at a time for a device held past holdMs', async () => {
    const started: string[] = [];
    let busy = true;
    let now = 0;
    const q = new FollowUps(4, (id) => {
      started.push(id);
      return new Promise<void>(() => undefined);
    }, { busy: () => busy, holdMs: 1000, now: () => now });
    q.add('a');
    q.add('b');
    await settle();
    expect(started).toEqual([]);
    // Held past holdMs while registrations go on: one starts, not all four.
    now = 1000;
    q.pump();
    await settle();
    expect(started).toEqual(['a']);
    q.add('c');
    q.pump();
    await settle();
    expect(started).toEqual(['a']);
    // Registrations over: the rest start, up to the limit.
    busy = false;
    q.pump();
    await settle();
    expect(started).toEqual(['a', 'b', 'c']);
    q.close();
  });

  it('asks again on its own while held, so a registration that never comes back does not hold them for ever', async () => {
    const started: string[] = [];
    let busy = true;
    const q = new FollowUps(2, (id) => {
      started.push(id);
      return Promise.resolve();
    }, { busy: () => busy, holdMs: 60_000, now: () => 0 });
    q.add('a');
    await settle();
    expect(started).toEqual([]);
    busy = false;
    // No pump() from outside: the queue's own re-check starts it.
    await new Promise<void>((resolve) => {
      const poll = () => (started.length ? resolve() : setTimeout(poll, 20));
      poll();
    });
    expect(started).toEqual(['a']);
    q.close();
  });
});

describe('registrations under way', () => {
  it('is busy while a REGISTER is between its 401 and its end, and for the quiet period after the last one ends', () => {
    const r = new RegistrationActivity({ quietMs: 250, lapseMs: 5000 });
    expect(r.busy(0)).toBe(false);
    r.started('a', 0);
    r.started('b', 10);
    expect(r.busy(20)).toBe(true);
    expect(r.ended('a', 30), 'b is still under way').toBe(false);
    expect(r.busy(40)).toBe(true);
    expect(r.ended('b', 100), 'the last one').toBe(true);
    // The gap between two waves of devices: still busy.
    expect(r.busy(349)).toBe(true);
    expect(r.busy(350)).toBe(false);
    // A new wave.
    r.started('c', 400);
    expect(r.busy(1000)).toBe(true);
  });

  it('does not count an exchange it never saw start, and lets a challenge that never comes back lapse', () => {
    const r = new RegistrationActivity({ quietMs: 250, lapseMs: 5000 });
    expect(r.ended('unknown', 0)).toBe(false);
    expect(r.busy(1), 'an unknown end starts no quiet period').toBe(false);
    r.started('gone', 1000);
    r.started('gone', 4000);
    expect(r.busy(5999), 'a repeated challenge keeps its first time').toBe(true);
    expect(r.busy(6000)).toBe(false);
    expect(r.ended('gone', 6001), 'lapsed: no longer under way').toBe(false);
    expect(r.busy(6002)).toBe(false);
  });
});
