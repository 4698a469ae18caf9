import { describe, expect, it } from 'vitest';
import { place, planRound } from './placement.js';

const cams = (n: number, priority = 0) => Array.from({ length: n }, (_, i) => ({ id: i + 1, priority }));
const count = (m: Map<number, string>) => {
  const c = new Map<string, number>();
  for (const node of m.values()) c.set(node, (c.get(node) ?? 0) + 1);
  return c;
};

describe('placement (capacity-aware rendezvous hashing)', () => {
  it('spreads cameras over equal nodes about evenly and places each once', () => {
    const p = place(cams(3000), [{ id: 'a', capacity: 2000 }, { id: 'b', capacity: 2000 }, { id: 'c', capacity: 2000 }]);
    expect(p.size).toBe(3000);
    for (const n of count(p).values()) expect(n).toBeGreaterThan(850), expect(n).toBeLessThan(1150);
  });

  it('gives a node with twice the capacity about twice the cameras', () => {
    const c = count(place(cams(3000), [{ id: 'small', capacity: 1000 }, { id: 'big', capacity: 2000 }]));
    expect(c.get('big')! / c.get('small')!).toBeGreaterThan(1.6);
    expect(c.get('big')! / c.get('small')!).toBeLessThan(2.4);
  });

  it('never places more than a node holds; lowest priority goes unrecorded first', () => {
    const cameras = [...cams(10), { id: 100, priority: 5 }, { id: 101, priority: 5 }];
    const p = place(cameras, [{ id: 'a', capacity: 3 }, { id: 'b', capacity: 4 }]);
    expect(p.size).toBe(7);
    expect(count(p).get('a')).toBe(3);
    expect(count(p).get('b')).toBe(4);
    expect(p.has(100) && p.has(101)).toBe(true);
  });

  it('moves only the cameras of a node that leaves, and about a quarter when a fourth joins', () => {
    const nodes = [{ id: 'a', capacity: 5000 }, { id: 'b', capacity: 5000 }, { id: 'c', capacity: 5000 }];
    const before = place(cams(2000), nodes);
    const without = place(cams(2000), nodes.filter((n) => n.id !== 'b'));
    for (const [cam, node] of before) if (node !== 'b') expect(without.get(cam)).toBe(node);
    const joined = place(cams(2000), [...nodes, { id: 'd', capacity: 5000 }]);
    let moved = 0;
    for (const [cam, node] of before) if (joined.get(cam) !== node) (moved++, expect(joined.get(cam)).toBe('d'));
    expect(moved / 2000).toBeGreaterThan(0.2);
    expect(moved / 2000).toBeLessThan(0.3);
  });

  it('is the same answer whatever order the inputs come in', () => {
    const nodes = [{ id: 'a', capacity: 40 }, { id: 'b', capacity: 40 }, { id: 'c', capacity: 40 }];
    const a = place(cams(100), nodes);
    const b = place(cams(100).reverse(), [...nodes].reverse());
    expect([...b].sort((x, y) => x[0] - y[0])).toEqual([...a].sort((x, y) => x[0] - y[0]));
  });
});

describe('planRound', () => {
  it('takes free and expired cameras placed here, never a live lease of another node', () => {
    const placement = new Map([[1, 'me'], [2, 'me'], [3, 'me'], [4, 'other']]);
    const leases = new Map([[2, { nodeId: 'dead', expired: true }], [3, { nodeId: 'old', expired: false }]]);
    const plan = planRound({ self: 'me', placement, held: [], leases, recordable: new Set([1, 2, 3, 4]), maxHandOvers: 5 });
    expect(plan.acquire).toEqual([1, 2]);
    expect(plan.release).toEqual([]);
  });

  it('hands cameras placed elsewhere over a few a round, and drops unrecordable ones at once', () => {
    const placement = new Map([[1, 'new'], [2, 'new'], [3, 'new'], [4, 'me']]);
    const plan = planRound({ self: 'me', placement, held: [1, 2, 3, 4, 9], leases: new Map(), recordable: new Set([1, 2, 3, 4]), maxHandOvers: 2 });
    expect(plan.release).toEqual([9, 1, 2]);
  });
});
