import { describe, expect, it } from 'vitest';
import { dutyRecordProblem, inForce, reviewedBeforeWorks } from './duty-records.js';

const DAY = 86_400_000;
const now = Date.UTC(2026, 10, 20);

describe('duty records, clock passed in', () => {
  it('refuses what cannot be true, naming the field', () => {
    const base = { kind: 'training' as const, systemId: null, heldAt: now - DAY, validUntil: null, title: '培训' };
    expect(dutyRecordProblem(base, now)).toBe(null);
    expect(dutyRecordProblem({ ...base, title: ' ' }, now)?.path).toBe('title');
    expect(dutyRecordProblem({ ...base, kind: 'design-review' }, now)?.path).toBe('systemId');
    expect(dutyRecordProblem({ ...base, heldAt: now + 1 }, now)?.path).toBe('heldAt');
    expect(dutyRecordProblem({ ...base, validUntil: base.heldAt }, now)?.path).toBe('validUntil');
  });

  it('is in force from the day held until its end, exclusive', () => {
    expect(inForce({ heldAt: now, validUntil: null }, now)).toBe(true);
    expect(inForce({ heldAt: now + 1, validUntil: null }, now)).toBe(false);
    expect(inForce({ heldAt: now - DAY, validUntil: now }, now)).toBe(false);
    expect(inForce({ heldAt: now - DAY, validUntil: now + 1 }, now)).toBe(true);
  });

  it('judges the design review against the first of acceptance and going into use', () => {
    expect(reviewedBeforeWorks([], { acceptedAt: now, inServiceAt: null })).toBe(null);
    expect(reviewedBeforeWorks([{ heldAt: now - DAY }], { acceptedAt: now, inServiceAt: now + DAY })).toBe(true);
    expect(reviewedBeforeWorks([{ heldAt: now - DAY }], { acceptedAt: now, inServiceAt: now - 2 * DAY })).toBe(false);
    // A later review does not undo an earlier one; with no works yet, any review is in time.
    expect(reviewedBeforeWorks([{ heldAt: now + DAY }, { heldAt: now - 3 * DAY }], { acceptedAt: now, inServiceAt: null })).toBe(true);
    expect(reviewedBeforeWorks([{ heldAt: now }], { acceptedAt: null, inServiceAt: null })).toBe(true);
  });
});
