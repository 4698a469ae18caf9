import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../domain/profile-loader.js';
import { acceptanceRequirement, cameraServiceRefusal, serviceRefusal } from './acceptance-rules.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { profileFileSchema } from '../domain/profile-file.js';
import { resolveProfile } from '../domain/profile-resolution.js';
import { DUTIES, dutyArticles } from './duties.js';
import { DAY, filingDeadline, filingState, policeVisitDeadline, visitState } from './filing-rules.js';
import { coverageRestore } from './relocation-rules.js';
import { chinaMidnight, dayPeriodEnd } from '../domain/legal-deadline.js';
import { chinaDate, retentionHeld } from './retention-held.js';

const catalogue = loadProfiles();
const H = 3_600_000;
const now = Date.UTC(2026, 10, 20, 4);

// Read by hand from the regulation texts and the shipped profiles (REQUIREMENTS R7), per profile.
const EXPECTED: Record<string, {
  filing: [number, 'in-service' | 'acceptance', string];
  legacy: [number, string] | null;
  visit: [number, string] | null;
  acceptSelf: string[];
  acceptGov: string[];
  retention: [number, string];
  restore: [number, string] | null;
}> = {
  anhui: { filing: [30, 'in-service', 'AH-13'], legacy: [60, 'AH-13'], visit: [30, 'AH-13'], acceptSelf: [], acceptGov: ['AH-13'], retention: [30, 'AH-17(3)'], restore: null },
  // Hubei sets no legacy deadline; Decree 799's 90 days from 2025-04-01 applies (CN799-14).
  hubei: { filing: [30, 'in-service', 'HB-11'], legacy: [90, 'CN799-14'], visit: null, acceptSelf: ['HB-10'], acceptGov: ['HB-10'], retention: [30, 'CN799-17'], restore: null },
  // Decree 799 counts filing from going into use and no longer forbids use before acceptance (CN799-11, 14).
  national: { filing: [30, 'in-service', 'CN799-14'], legacy: [90, 'CN799-14'], visit: null, acceptSelf: [], acceptGov: [], retention: [30, 'CN799-17'], restore: null },
  'national-draft-2016': { filing: [30, 'acceptance', 'CN-12'], legacy: null, visit: null, acceptSelf: ['CN-12'], acceptGov: ['CN-12'], retention: [30, 'CN-20'], restore: null },
  harbin: { filing: [30, 'acceptance', 'HRB-18'], legacy: [30, 'HRB-18'], visit: null, acceptSelf: [], acceptGov: ['HRB-16'], retention: [30, 'HRB-28'], restore: [24, 'HRB-19'] },
  // Weihai sets no filing deadline of its own; the national one it inherits applies (CN799-14).
  // WH-15 sets acceptance standards; it does not forbid use before acceptance.
  weihai: { filing: [30, 'in-service', 'CN799-14'], legacy: [90, 'CN799-14'], visit: null, acceptSelf: [], acceptGov: [], retention: [30, 'WH-21(7)'], restore: null },
};

describe('lifecycle deadlines for every profile, clock passed in', () => {
  // The national-law layer is not deployed on its own: it holds no filing or acceptance rules.
  const deployable = catalogue.list().filter((p) => p.role !== 'law-layer');
  it('covers every shipped profile', () => expect(deployable.map((p) => p.id).sort()).toEqual(Object.keys(EXPECTED).sort()));

  for (const p of deployable) {
    const want = EXPECTED[p.id]!;
    const codes = p;

    it(`${p.id}: filing counts ${want.filing[0]} days from ${want.filing[1]} (${want.filing[2]})`, () => {
      const acceptedAt = now - 50 * DAY;
      const inServiceAt = now - 10 * DAY;
      const d = filingDeadline(p, { builtBeforeRules: false, rulesEffectiveAt: null, inServiceAt, acceptedAt });
      const start = want.filing[1] === 'in-service' ? inServiceAt : acceptedAt;
      // Civil Code art. 201: counted from the day after the event, to 24:00 of the last day.
      expect(d).toMatchObject({ dueAt: dayPeriodEnd(start, want.filing[0]), days: want.filing[0], startsAt: want.filing[1], article: want.filing[2] });
      expect(d.basis).toContain(want.filing[2]);
      // Exactly on the deadline is in time; a millisecond later is late.
      expect(filingState(d, d.dueAt, now)).toBe('filed');
      expect(filingState(d, d.dueAt! + 1, now)).toBe('filed-late');
      expect(filingState(d, null, d.dueAt!)).toBe('due');
      expect(filingState(d, null, d.dueAt! + 1)).toBe('overdue');
      // Before its starting event the deadline does not run.
      const notYet = filingDeadline(p, { builtBeforeRules: false, rulesEffectiveAt: null, inServiceAt: null, acceptedAt: null });
      expect(notYet.dueAt).toBeNull();
      expect(filingState(notYet, null, now)).toBe('not-started');
    });

    it(`${p.id}: filing reaches the systems its text names (AH-13¶2 / AH-9¶2, HRB-18 / HRB-10¶1: not government-built)`, () => {
      const base = { builtBeforeRules: false, rulesEffectiveAt: null, inServiceAt: now - 10 * DAY, acceptedAt: now - 50 * DAY };
      const gov = filingDeadline(p, { ...base, funding: 'government' });
      const self = filingDeadline(p, { ...base, funding: 'self' });
      expect(self.days).toBe(want.filing[0]);
      const scoped = { anhui: 'AH-13¶2', harbin: 'HRB-18' }[p.id];
      if (scoped) {
        expect(gov).toMatchObject({ dueAt: null, days: null, article: scoped });
        expect(gov.basis).toMatch(/government-built system is not filed/);
        expect(filingState(gov, null, now)).toBe('no-deadline');
      } else {
        expect(gov.dueAt).toBe(self.dueAt);
      }
    });

    it(`${p.id}: systems built before the rules`, () => {
      const effective = now - 45 * DAY;
      const d = filingDeadline(p, { builtBeforeRules: true, rulesEffectiveAt: effective, inServiceAt: now - 900 * DAY, acceptedAt: null });
      if (!want.legacy) {
        expect(d).toMatchObject({ dueAt: null, days: null, article: null });
        expect(d.basis).toMatch(/sets no filing deadline/);
        expect(filingState(d, null, now)).toBe('no-deadline');
        return;
      }
      if (p.filing.legacyCountsFrom !== null) {
        // The profile knows when its text took effect: that date counts, not the system's (CN799-14: 90 days from 2025-04-01,
        // to 24:00 of 2025-06-30, i.e. "before 2025-07-01" as the police notices say).
        expect(d).toMatchObject({ dueAt: Date.UTC(2025, 5, 30, 16), article: want.legacy[1], startsAt: 'rules-effective', startAt: chinaMidnight('2025-04-01') });
        expect(filingDeadline(p, { builtBeforeRules: true, rulesEffectiveAt: null, inServiceAt: null, acceptedAt: null }).dueAt).toBe(d.dueAt);
        expect(filingState(d, null, now)).toBe('overdue');
        return;
      }
      expect(d).toMatchObject({ dueAt: dayPeriodEnd(effective, want.legacy[0]), article: want.legacy[1], startsAt: 'rules-effective' });
      expect(filingState(d, null, now)).toBe(want.legacy[0] > 45 ? 'due' : 'overdue');
      // Without the date the rules took effect, in the profile or for the system, no deadline is guessed.
      expect(filingDeadline(p, { builtBeforeRules: true, rulesEffectiveAt: null, inServiceAt: null, acceptedAt: null })).toMatchObject({ dueAt: null, days: want.legacy[0], article: want.legacy[1] });
    });

    it(`${p.id}: police visit after a filing`, () => {
      const received = now - 20 * DAY;
      const v = policeVisitDeadline(p, received);
      if (!want.visit) {
        expect(v).toMatchObject({ dueAt: null, article: null });
        expect(visitState(v, null, now + 1000 * DAY)).toBe('no-deadline');
        return;
      }
      expect(v).toMatchObject({ dueAt: dayPeriodEnd(received, want.visit[0]), article: want.visit[1] });
      expect(visitState(v, null, now)).toBe('due');
      expect(visitState(v, null, v.dueAt! + 1)).toBe('overdue');
      expect(visitState(v, v.dueAt! + 1, now)).toBe('visited-late');
    });

    it(`${p.id}: acceptance before service`, () => {
      const self = acceptanceRequirement(codes, { funding: 'self', builtBeforeRules: false });
      const gov = acceptanceRequirement(codes, { funding: 'government', builtBeforeRules: false });
      expect(self).toMatchObject({ required: want.acceptSelf.length > 0, articles: want.acceptSelf });
      if (!want.acceptGov.length) {
        expect(gov).toMatchObject({ required: false, articles: [] });
        expect(serviceRefusal(gov, null)).toBeNull();
        return;
      }
      expect(gov).toMatchObject({ required: true, articles: want.acceptGov });
      const refusal = serviceRefusal(gov, null)!;
      expect(refusal.code).toBe('NOT_ACCEPTED');
      expect(refusal.articles).toEqual(want.acceptGov);
      expect(serviceRefusal(gov, 'failed')!.message).toMatch(/failed acceptance/);
      expect(serviceRefusal(gov, 'passed')).toBeNull();
      expect(acceptanceRequirement(codes, { funding: 'government', builtBeforeRules: true }).required).toBe(false);
      // The registry's gate: a camera of the system is held back on its status field, same articles.
      const camera = cameraServiceRefusal({ id: 7, name: 'gate', requirement: gov, acceptance: 'failed' }, 41)!;
      expect(camera).toMatchObject({ code: 'NOT_ACCEPTED', status: 422, articles: want.acceptGov, details: [{ path: 'status', message: 'system 7 failed acceptance' }] });
      expect(camera.message).toContain('camera 41');
      expect(cameraServiceRefusal({ id: 7, name: 'gate', requirement: gov, acceptance: 'passed' }, 41)).toBeNull();
      const legacy = acceptanceRequirement(codes, { funding: 'government', builtBeforeRules: true });
      expect(cameraServiceRefusal({ id: 7, name: 'gate', requirement: legacy, acceptance: null }, 41)).toBeNull();
    });

    it(`${p.id}: retention actually held, in whole days`, () => {
      const [days, article] = want.retention;
      const old = now - 400 * DAY;
      expect(retentionHeld(p, old, now - days * DAY, now)).toMatchObject({ requiredDays: days, heldDays: days, shortfall: false, article });
      const short = retentionHeld(p, old, now - 12 * DAY - H, now);
      expect(short).toMatchObject({ requiredDays: days, heldDays: 12, shortfall: true });
      expect(short.reason).toContain(article);
      // A camera in service for 5 days owes 5 days, not the whole period.
      expect(retentionHeld(p, now - 5 * DAY, now - 5 * DAY, now)).toMatchObject({ requiredDays: 5, shortfall: false });
      expect(retentionHeld(p, now - 5 * DAY, null, now)).toMatchObject({ heldDays: 0, shortfall: true });
    });

    it(`${p.id}: coverage back after relocation, judged from the recorder`, () => {
      const works = now - 48 * H;
      const back = coverageRestore(p, works, works + 20 * H, now);
      const never = coverageRestore(p, works, null, now);
      if (!want.restore) {
        expect(back).toMatchObject({ state: 'restored', dueAt: null, article: null, restoredAt: works + 20 * H });
        expect(never).toMatchObject({ state: 'pending', dueAt: null });
        return;
      }
      const [hours, article] = want.restore;
      expect(back).toMatchObject({ state: 'restored', dueAt: works + hours * H, article });
      expect(coverageRestore(p, works, works + hours * H + 1, now).state).toBe('restored-late');
      expect(never.state).toBe('overdue');
      expect(coverageRestore(p, works, null, works + hours * H).state).toBe('pending');
      // Footage from before the works does not count as coverage restored.
      expect(coverageRestore(p, works, works - 1, works + H).restoredAt).toBeNull();
    });
  }

  // Read by hand from the regulation texts: every duty's articles per profile, local before national.
  const DUTY_TABLE: Record<string, Record<string, string[]>> = {
    national: { designReview: ['CN799-11'], designReviewPenalty: [], qualifications: [], unobstructedView: ['CN799-23(2)'], emergencyPlan: [], securityEvaluation: ['CN799-15'], appealRights: [], acceptance: [], governmentAcceptance: [], archive: ['CN799-11'], maintenanceContract: [], accessRegister: ['CN799-16(3)'], training: ['CN799-16(1)'], dutyRoster: [], inspection: ['CN799-24'], complaint: ['CN799-25'], namedMaintainer: [], reportSuspicious: [], fixedView: ['CN799-13'] },
    'national-draft-2016': { designReview: [], designReviewPenalty: [], qualifications: [], unobstructedView: ['CN-15'], emergencyPlan: ['CN-17(1)'], securityEvaluation: ['CN-17(3)'], appealRights: [], acceptance: ['CN-12'], governmentAcceptance: [], archive: ['CN-14'], maintenanceContract: [], accessRegister: ['CN-18'], training: ['CN-17(2)'], dutyRoster: ['CN-17(1)'], inspection: ['CN-23'], complaint: ['CN-25'], namedMaintainer: [], reportSuspicious: [], fixedView: [] },
    anhui: { designReview: ['AH-11', 'CN799-11'], designReviewPenalty: ['AH-24(2)'], qualifications: [], unobstructedView: ['CN799-23(2)'], emergencyPlan: ['AH-16(1)'], securityEvaluation: ['AH-16(1)', 'CN799-15'], appealRights: [], acceptance: [], governmentAcceptance: ['AH-13'], archive: ['CN799-11'], maintenanceContract: ['AH-16(2)'], accessRegister: ['AH-17(2)', 'CN799-16(3)'], training: ['AH-17', 'CN799-16(1)'], dutyRoster: ['AH-17'], inspection: ['AH-23', 'CN799-24'], complaint: ['CN799-25'], namedMaintainer: [], reportSuspicious: ['AH-17¶2(1)'], fixedView: ['AH-14', 'CN799-13'] },
    hubei: { designReview: ['CN799-11'], designReviewPenalty: [], qualifications: [], unobstructedView: ['CN799-23(2)'], emergencyPlan: [], securityEvaluation: ['CN799-15'], appealRights: [], acceptance: ['HB-10'], governmentAcceptance: [], archive: ['CN799-11'], maintenanceContract: [], accessRegister: ['CN799-16(3)'], training: ['CN799-16(1)'], dutyRoster: [], inspection: ['CN799-24'], complaint: ['CN799-25'], namedMaintainer: [], reportSuspicious: [], fixedView: ['HB-9', 'CN799-13'] },
    harbin: { designReview: ['HRB-12', 'CN799-11'], designReviewPenalty: [], qualifications: ['HRB-14'], unobstructedView: ['HRB-11¶2', 'CN799-23(2)'], emergencyPlan: [], securityEvaluation: ['CN799-15'], appealRights: [], acceptance: [], governmentAcceptance: ['HRB-16'], archive: ['HRB-17', 'CN799-11'], maintenanceContract: [], namedMaintainer: ['HRB-23'], accessRegister: ['HRB-25(5)', 'CN799-16(3)'], training: ['HRB-25(2)', 'CN799-16(1)'], dutyRoster: ['HRB-25(4)'], inspection: ['HRB-32', 'CN799-24'], complaint: ['CN799-25'], reportSuspicious: ['HRB-25(4)'], fixedView: ['HRB-19', 'CN799-13'] },
    weihai: { designReview: ['WH-10', 'WH-15', 'CN799-11'], designReviewPenalty: [], qualifications: ['WH-12', 'WH-13'], unobstructedView: ['CN799-23(2)'], emergencyPlan: [], securityEvaluation: ['CN799-15'], appealRights: ['WH-29'], acceptance: [], governmentAcceptance: [], archive: ['CN799-11'], maintenanceContract: ['WH-23'], accessRegister: ['WH-21(1)', 'CN799-16(3)'], training: ['WH-21(2)', 'CN799-16(1)'], dutyRoster: ['WH-21(1)'], inspection: ['WH-27', 'CN799-24'], complaint: ['CN799-25'], namedMaintainer: [], reportSuspicious: ['WH-21(5)'], fixedView: ['CN799-13'] },
    'national-law': { designReview: [], designReviewPenalty: [], qualifications: [], unobstructedView: [], emergencyPlan: [], securityEvaluation: [], appealRights: [], acceptance: [], governmentAcceptance: [], archive: [], maintenanceContract: [], accessRegister: [], training: [], dutyRoster: [], inspection: [], complaint: [], namedMaintainer: [], reportSuspicious: [], fixedView: [] },
  };

  it('duty articles come from the profiles, local before national, none invented', () => {
    for (const p of catalogue.list()) {
      for (const duty of DUTIES) expect(dutyArticles(duty, p), `${p.id} ${duty}`).toEqual(DUTY_TABLE[p.id]![duty]);
      // Every cited duty article has its summary, as the loader demands of any cited article.
      for (const duty of DUTIES) for (const a of p.duties[duty]) expect(p.articles[a], `${p.id} ${a}`).toBeDefined();
    }
    // A new city whose file lists no duties still carries the national ones it inherits.
    const national = catalogue.require('national');
    const raw = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'profiles', 'national.json'), 'utf8')) as Record<string, unknown>;
    const { duties: _none, ...rest } = raw;
    const city = resolveProfile(profileFileSchema.parse({ ...rest, id: 'newcity', code: 'NC', inherits: 'national', articles: {}, penalties: [], prohibitedCategories: [] }), national);
    expect(dutyArticles('accessRegister', city)).toEqual(['CN799-16(3)']);
    expect(dutyArticles('maintenanceContract', city)).toEqual([]);
  });

  it('calendar dates are China Standard Time', () => {
    expect(chinaDate('2026-11-01')).toBe(Date.UTC(2026, 9, 31, 16));
    expect(chinaDate('not a date')).toBeNull();
    expect(chinaDate(null)).toBeNull();
  });
});
