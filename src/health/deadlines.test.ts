import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../domain/profile-loader.js';
import { checkNotice, isOverdue, workOrderDeadline } from './deadlines.js';

const catalogue = loadProfiles();
const H = 3_600_000;
const D = 24 * H;
const opened = Date.UTC(2026, 10, 2, 3);

// What the shipped profiles say (REQUIREMENTS "Jurisdiction profiles"), per profile.
const EXPECTED: Record<string, { damage: [number, string] | null; relocation: [number, string] | null; notice: [number, string] | null }> = {
  anhui: { damage: null, relocation: null, notice: [10, 'AH-15'] },
  hubei: { damage: null, relocation: null, notice: [30, 'HB-11'] },
  national: { damage: null, relocation: null, notice: null },
  harbin: { damage: [72, 'HRB-30'], relocation: [24, 'HRB-19'], notice: [30, 'HRB-19'] },
  weihai: { damage: null, relocation: null, notice: null },
};

describe('work order deadlines across the five profiles', () => {
  for (const p of catalogue.list()) {
    const want = EXPECTED[p.id]!;
    it(`${p.id}: municipal damage, relocation, faults`, () => {
      const damage = workOrderDeadline(p, 'municipal_damage', opened);
      const relocation = workOrderDeadline(p, 'relocation', opened);
      expect(damage.dueAt).toBe(want.damage ? opened + want.damage[0] * H : null);
      expect(damage.article).toBe(want.damage?.[1] ?? null);
      expect(relocation.dueAt).toBe(want.relocation ? opened + want.relocation[0] * H : null);
      expect(relocation.article).toBe(want.relocation?.[1] ?? null);
      // "Repair at once" has no number of hours anywhere: no deadline is invented.
      for (const cause of ['fault', 'offline'] as const) expect(workOrderDeadline(p, cause, opened)).toMatchObject({ dueAt: null, article: null });
      expect(damage.basis.length).toBeGreaterThan(10);
    });

    it(`${p.id}: notice before removal or relocation`, () => {
      const planned = opened + 40 * D;
      const early = checkNotice(p, 'removal', planned - 31 * D, planned);
      const late = checkNotice(p, 'relocation', planned - 9 * D, planned);
      if (!want.notice) {
        expect(early).toMatchObject({ inTime: true, noticeDays: null, article: null });
        expect(late.inTime).toBe(true);
        return;
      }
      const [days, article] = want.notice;
      expect(early).toMatchObject({ inTime: true, noticeDays: days, article, daysGiven: 31, latestNoticeAt: planned - days * D });
      expect(late).toMatchObject({ inTime: false, article, daysGiven: 9 });
      expect(late.reason).toContain(article);
      // Exactly on the last day is in time; a millisecond later is not.
      expect(checkNotice(p, 'removal', planned - days * D, planned).inTime).toBe(true);
      expect(checkNotice(p, 'removal', planned - days * D + 1, planned).inTime).toBe(false);
    });
  }

  it('overdue only past a deadline and while open', () => {
    expect(isOverdue(null, null, opened + 1000 * D)).toBe(false);
    expect(isOverdue(opened, null, opened)).toBe(false);
    expect(isOverdue(opened, null, opened + 1)).toBe(true);
    expect(isOverdue(opened, opened + 5, opened + 10)).toBe(false);
  });
});
