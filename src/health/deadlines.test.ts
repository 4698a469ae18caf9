import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultProfilesDir, loadProfiles } from '../domain/profile-loader.js';
import { profileFileSchema } from '../domain/profile-file.js';
import { checkNotice, isOverdue, nextEscalation, workOrderDeadline, workOrderPlan, type EscalationState } from './deadlines.js';

const catalogue = loadProfiles();
const H = 3_600_000;
const D = 24 * H;
const opened = Date.UTC(2026, 10, 2, 3);

// What the shipped profiles say (REQUIREMENTS "Jurisdiction profiles"), per profile.
const EXPECTED: Record<string, { damage: [number, string] | null; relocation: [number, string] | null; notice: [number, string] | null }> = {
  anhui: { damage: null, relocation: null, notice: [10, 'AH-15'] },
  hubei: { damage: null, relocation: null, notice: [30, 'HB-11'] },
  national: { damage: null, relocation: null, notice: null },
  'national-draft-2016': { damage: null, relocation: null, notice: null },
  harbin: { damage: [72, 'HRB-30'], relocation: [24, 'HRB-19'], notice: [30, 'HRB-19'] },
  weihai: { damage: null, relocation: null, notice: null },
};

const deployable = catalogue.list().filter((p) => p.role !== 'law-layer');

describe('work order deadlines across the profiles', () => {
  for (const p of deployable) {
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
      const late = checkNotice(p, 'removal', planned - 9 * D, planned);
      if (!want.notice) {
        expect(early).toMatchObject({ inTime: true, noticeDays: null, article: null });
        expect(late.inTime).toBe(true);
        return;
      }
      const [days, article] = want.notice;
      // Planned for 2026-12-12 (CST): the notice is due by 24:00 of the day `days` calendar days before.
      expect(early).toMatchObject({ inTime: true, noticeDays: days, article, daysGiven: 31, latestNoticeAt: Date.UTC(2026, 11, 12 - days, 16) });
      expect(late).toMatchObject({ inTime: false, article, daysGiven: 9 });
      expect(late.reason).toContain(article);
      // Any time on the last day is in time, to its 24:00; the next day is not.
      expect(checkNotice(p, 'removal', planned - days * D, planned).inTime).toBe(true);
      expect(checkNotice(p, 'removal', early.latestNoticeAt! - 1, planned).inTime).toBe(true);
      expect(checkNotice(p, 'removal', early.latestNoticeAt!, planned).inTime).toBe(false);
    });
  }

  it('a notice rule reaches only what its text names: AH-15 and HB-11 removal, HRB-19 moving and removal', () => {
    const planned = opened + 40 * D;
    const moving = (id: string) => checkNotice(catalogue.require(id), 'relocation', planned - 2 * D, planned);
    expect(moving('anhui')).toMatchObject({ inTime: true, noticeDays: null });
    expect(moving('anhui').reason).toMatch(/AH-15 asks notice before removal only/);
    expect(moving('hubei')).toMatchObject({ inTime: true, noticeDays: null });
    expect(moving('harbin')).toMatchObject({ inTime: false, noticeDays: 30, article: 'HRB-19' });
    expect(checkNotice(catalogue.require('anhui'), 'removal', planned - 2 * D, planned)).toMatchObject({ inTime: false, article: 'AH-15' });
  });

  it('overdue only past a deadline and while open', () => {
    expect(isOverdue(null, null, opened + 1000 * D)).toBe(false);
    expect(isOverdue(opened, null, opened)).toBe(false);
    expect(isOverdue(opened, null, opened + 1)).toBe(true);
    expect(isOverdue(opened, opened + 5, opened + 10)).toBe(false);
  });
});

// "Repair at once" made checkable: the duty with its article, then hours that are the platform's
// defaults where no text gives a number (respond, repair, tell the police), per profile.
const PLAN: Record<string, { duty: [string, string] | null; dutyFrom: string; respond: number }> = {
  national: { duty: ['regular-maintenance', 'CN799-15'], dutyFrom: 'national', respond: 2 },
  'national-draft-2016': { duty: ['regular-maintenance', 'CN-17(3)'], dutyFrom: 'national-draft-2016', respond: 2 },
  anhui: { duty: ['uninterrupted', 'AH-16(1)'], dutyFrom: 'anhui', respond: 2 },
  hubei: { duty: ['regular-maintenance', 'CN799-15'], dutyFrom: 'national', respond: 2 },
  weihai: { duty: ['normal-operation', 'WH-21(3)'], dutyFrom: 'weihai', respond: 2 },
  harbin: { duty: ['immediate', 'HRB-25(3)'], dutyFrom: 'harbin', respond: 1 },
};

describe('work order plans across the profiles', () => {
  for (const p of deployable) {
    const want = PLAN[p.id]!;
    const law = EXPECTED[p.id]!;
    it(`${p.id}: a fault responds, is repaired, then goes to the managing unit and the police`, () => {
      const plan = workOrderPlan(p, 'fault', opened);
      expect([plan.duty.value, plan.duty.article]).toEqual(want.duty);
      expect(p.repair.faultDuty.from).toBe(want.dutyFrom);
      expect(plan.respond).toMatchObject({ dueAt: opened + want.respond * H, hours: want.respond, article: null, platformDefault: true });
      // No text numbers a fault's repair: the platform default, said so in the basis.
      expect(plan.repair).toMatchObject({ dueAt: opened + 24 * H, article: null, platformDefault: true });
      expect(plan.repair.basis).toContain("platform's default");
      expect(plan.repair.basis).toContain(want.duty![1]);
      expect(plan.police).toMatchObject({ dueAt: opened + 48 * H, platformDefault: true });
      expect(workOrderPlan(p, 'offline', opened).repair.dueAt).toBe(plan.repair.dueAt);
    });

    it(`${p.id}: municipal damage and relocation keep the law's hours where a text sets them`, () => {
      for (const [cause, set] of [['municipal_damage', law.damage], ['relocation', law.relocation]] as const) {
        const plan = workOrderPlan(p, cause, opened);
        if (set) {
          expect(plan.repair).toMatchObject({ dueAt: opened + set[0] * H, hours: set[0], article: set[1], platformDefault: false });
        } else {
          expect(plan.repair).toMatchObject({ dueAt: opened + 24 * H, article: null, platformDefault: true });
        }
        expect(plan.police.dueAt).toBe(plan.repair.dueAt! + 24 * H);
        expect(plan.respond.dueAt).toBeLessThanOrEqual(plan.repair.dueAt!);
      }
    });
  }

  it('escalates one step at a time: managing unit on no response or no repair, then police', () => {
    const harbin = catalogue.require('harbin');
    const plan = workOrderPlan(harbin, 'fault', opened);
    const o: EscalationState = { level: 0, respondBy: plan.respond.dueAt, respondedAt: null, dueAt: plan.repair.dueAt, policeDueAt: plan.police.dueAt, closedAt: null };
    expect(nextEscalation(o, opened + H)).toBeNull();
    expect(nextEscalation(o, opened + H + 1)).toEqual({ level: 1, to: 'managing_unit', reason: 'no_response' });
    // Responded in time: nothing until the repair deadline passes.
    const responded = { ...o, respondedAt: opened + 30 * 60_000 };
    expect(nextEscalation(responded, opened + 24 * H)).toBeNull();
    expect(nextEscalation(responded, opened + 24 * H + 1)).toEqual({ level: 1, to: 'managing_unit', reason: 'not_repaired' });
    const told = { ...responded, level: 1 as const };
    expect(nextEscalation(told, opened + 48 * H)).toBeNull();
    expect(nextEscalation(told, opened + 48 * H + 1)).toEqual({ level: 2, to: 'police', reason: 'not_repaired' });
    expect(nextEscalation({ ...told, level: 2 }, opened + 1000 * H)).toBeNull();
    expect(nextEscalation({ ...o, closedAt: opened + 10 }, opened + 1000 * H)).toBeNull();
  });

  it('a profile file marks a number without an article as the platform default, with a note', () => {
    const file = (repair: unknown) => {
      const national = JSON.parse(readFileSync(join(defaultProfilesDir(), 'national.json'), 'utf8'));
      return profileFileSchema.safeParse({ ...national, repair });
    };
    expect(file({ faultRepairHours: { value: 4, platformDefault: true, note: 'no text' } }).success).toBe(true);
    expect(file({ faultRepairHours: { value: 4 } }).success).toBe(false);
    expect(file({ faultRepairHours: { value: 4, platformDefault: true } }).success).toBe(false);
    expect(file({ faultRepairHours: { value: 4, platformDefault: true, note: 'x', article: 'CN-17' } }).success).toBe(false);
    expect(file({ faultRepairHours: { value: null, platformDefault: true, note: 'x' } }).success).toBe(false);
    expect(file({ faultRepairHours: { value: 4, article: 'CN-17(3)' } }).success).toBe(true);
    expect(file(undefined).success).toBe(true);
  });
});
