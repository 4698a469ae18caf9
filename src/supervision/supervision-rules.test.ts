import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../domain/profile-loader.js';
import { buildChecklist, CHECKLIST_KEYS, type ChecklistItem, type UnitFacts } from './checklist.js';
import { DAY } from './filing-rules.js';
import { checkPenalty } from './penalty-rules.js';
import { correctedInTime, isRectificationOverdue, nextRectificationState } from './rectification-rules.js';

const catalogue = loadProfiles();
const now = Date.UTC(2026, 10, 20, 4);

/** One unit: a system accepted 50 days ago, in service for 10, not filed; entrusted maintenance
 * without a contract; one camera without a sign; one whose footage reaches back only 20 days. */
function facts(id: string, over: Partial<UnitFacts> = {}): UnitFacts {
  return {
    systems: [{
      id: 1, name: 'school', funding: 'self', builtBeforeRules: false, rulesEffectiveAt: null, inServiceAt: now - 10 * DAY, acceptedAt: now - 50 * DAY, acceptance: 'passed',
      filedAt: null, userUnitId: 7, managingUnitId: 7, maintainerUnitId: 9, hasMaintenanceContract: false, archiveCategories: ['design', 'construction', 'acceptance', 'maintenance'], archiveParties: 2,
      parties: [{ role: 'designer', licence: 'D-1' }, { role: 'builder', licence: 'B-1' }],
    }],
    cameras: [
      { id: 11, name: 'gate', inService: true, inServiceAt: now - 400 * DAY, signage: true, placeCategory: 'schools', oldestRecordedAt: now - 20 * DAY },
      { id: 12, name: 'hall', inService: true, inServiceAt: now - 400 * DAY, signage: false, placeCategory: 'schools', oldestRecordedAt: now - 31 * DAY },
      { id: 13, name: 'planned', inService: false, inServiceAt: null, signage: false, placeCategory: 'schools', oldestRecordedAt: null },
    ],
    registerEntries: 4,
    goodRate: { good: 9, total: 10, day: '2026-11-19' },
    observations: {},
    dutyRecords: [],
    ...over,
  };
}

const byKey = (items: ChecklistItem[]) => Object.fromEntries(items.map((i) => [i.key, i]));

// By hand, per profile: filing counts from acceptance (overdue) or from service (still due);
// the good-rate target exists only in Harbin; the maintainer's written duty only where a text says so.
const EXPECTED: Record<string, { filing: string; filingArticle: string; goodRate: string; contract: string; signage: string; retention: string; archive: string[]; register: string[]; training: string[] }> = {
  anhui: { filing: 'pass', filingArticle: 'AH-13', goodRate: 'no-target', contract: 'fail', signage: 'AH-14', retention: 'AH-17(3)', archive: ['CN799-11'], register: ['AH-17(2)', 'CN799-16(3)'], training: ['AH-17', 'CN799-16(1)'] },
  hubei: { filing: 'pass', filingArticle: 'HB-11', goodRate: 'no-target', contract: 'not-applicable', signage: 'HB-9', retention: 'CN799-17', archive: ['CN799-11'], register: ['CN799-16(3)'], training: ['CN799-16(1)'] },
  // Decree 799 counts filing from going into use (CN799-14): ten days in, still due.
  national: { filing: 'pass', filingArticle: 'CN799-14', goodRate: 'no-target', contract: 'not-applicable', signage: 'CN799-13', retention: 'CN799-17', archive: ['CN799-11'], register: ['CN799-16(3)'], training: ['CN799-16(1)'] },
  'national-draft-2016': { filing: 'fail', filingArticle: 'CN-12', goodRate: 'no-target', contract: 'not-applicable', signage: 'CN-10', retention: 'CN-20', archive: ['CN-14'], register: ['CN-18'], training: ['CN-17(2)'] },
  // HRB-23 asks for a named maintenance party, which the system has (unit 9), not a written contract.
  harbin: { filing: 'fail', filingArticle: 'HRB-18', goodRate: 'fail', contract: 'pass', signage: 'HRB-11', retention: 'HRB-28', archive: ['HRB-17', 'CN799-11'], register: ['HRB-25(5)', 'CN799-16(3)'], training: ['HRB-25(2)', 'CN799-16(1)'] },
  weihai: { filing: 'pass', filingArticle: 'CN799-14', goodRate: 'no-target', contract: 'fail', signage: 'WH-16', retention: 'WH-21(7)', archive: ['CN799-11'], register: ['WH-21(1)', 'CN799-16(3)'], training: ['WH-21(2)', 'CN799-16(1)'] },
};

// The article that forbids a government-built system's use before acceptance; Decree 799 has none.
const GOV_ACCEPTANCE: Record<string, string | null> = { anhui: 'AH-13', hubei: 'HB-10', harbin: 'HRB-16', weihai: null, national: null, 'national-draft-2016': 'CN-12' };
const deployable = catalogue.list().filter((p) => p.role !== 'law-layer');

describe('inspection checklist for every profile, clock passed in', () => {
  for (const p of deployable) {
    const want = EXPECTED[p.id]!;
    it(`${p.id}: items, statuses and articles`, () => {
      const items = buildChecklist(p, facts(p.id), now);
      expect(items.map((i) => i.key)).toEqual([...CHECKLIST_KEYS]);
      const k = byKey(items);
      expect(k.acceptance!.status).not.toBe('fail');
      expect(k.filing).toMatchObject({ status: want.filing, articles: [want.filingArticle] });
      expect(k.signage).toMatchObject({ status: 'fail', articles: [want.signage] });
      expect(k.signage!.problems.map((x) => x.id)).toEqual([12]);
      expect(k.retention).toMatchObject({ status: 'fail', articles: [want.retention] });
      expect(k.retention!.problems.map((x) => x.id)).toEqual([11]);
      expect(k.accessRegister).toMatchObject({ status: 'pass', articles: want.register });
      expect(k.goodRate!.status).toBe(want.goodRate);
      expect(k.maintenanceContract!.status).toBe(want.contract);
      expect(k.archive).toMatchObject({ status: 'pass', articles: want.archive });
      expect(k.training).toMatchObject({ status: 'to-observe', articles: want.training });
      for (const i of items) if (i.status === 'fail') expect(i.articles.length, i.key).toBeGreaterThan(0);
    });

    it(`${p.id}: a system in service without acceptance fails, a legacy one does not`, () => {
      const f = facts(p.id);
      f.systems[0] = { ...f.systems[0]!, acceptance: null, acceptedAt: null, funding: 'government' };
      const k = byKey(buildChecklist(p, f, now));
      const article = GOV_ACCEPTANCE[p.id];
      if (article === null) {
        // CN799-11 sets acceptance standards but does not forbid use before acceptance.
        expect(k.acceptance!.status).not.toBe('fail');
        return;
      }
      expect(k.acceptance!.status).toBe('fail');
      expect(k.acceptance!.problems[0]!.problem).toContain(article);
      f.systems[0] = { ...f.systems[0]!, builtBeforeRules: true };
      expect(byKey(buildChecklist(p, f, now)).acceptance!.status).toBe('pass');
    });
  }

  it('good rate is "not measured" without health figures, and observed items take the inspector\'s word', () => {
    const p = catalogue.require('harbin');
    const k = byKey(buildChecklist(p, facts('harbin', { goodRate: null, observations: { training: { ok: true, note: 'records for 2026 seen' }, dutyRoster: { ok: false, note: 'no roster for nights' } } }), now));
    expect(k.goodRate).toMatchObject({ status: 'not-measured', articles: ['HRB-25(3)'] });
    expect(k.training).toMatchObject({ status: 'pass', evidence: 'records for 2026 seen' });
    expect(k.dutyRoster).toMatchObject({ status: 'fail' });
    const good = byKey(buildChecklist(p, facts('harbin', { goodRate: { good: 19, total: 20, day: '2026-11-19' } }), now));
    expect(good.goodRate!.status).toBe('pass');
  });

  it('Harbin: a system naming no maintenance party fails HRB-23; a contract is not asked for', () => {
    const p = catalogue.require('harbin');
    const f = facts('harbin');
    f.systems[0] = { ...f.systems[0]!, maintainerUnitId: null, hasMaintenanceContract: false };
    const k = byKey(buildChecklist(p, f, now));
    expect(k.maintenanceContract).toMatchObject({ status: 'fail', articles: ['HRB-23'] });
    expect(k.maintenanceContract!.problems[0]!.problem).toMatch(/no party named/);
    // Anhui asks for the written duty (AH-16(2)) of an entrusted maintainer instead.
    expect(byKey(buildChecklist(catalogue.require('anhui'), facts('anhui'), now)).maintenanceContract).toMatchObject({ status: 'fail', articles: ['AH-16(2)'] });
  });

  it('archive gaps and an empty unit', () => {
    const p = catalogue.require('national');
    const f = facts('national');
    f.systems[0] = { ...f.systems[0]!, archiveCategories: ['design'] };
    expect(byKey(buildChecklist(p, f, now)).archive!.problems[0]!.problem).toMatch(/construction, acceptance, maintenance/);
    const empty = byKey(buildChecklist(p, facts('national', { systems: [], cameras: [] }), now));
    for (const key of ['acceptance', 'filing', 'signage', 'retention', 'archive'] as const) expect(empty[key]!.status, key).toBe('not-applicable');
  });
});

describe('penalties only within the ranges the articles give', () => {
  const order = (correctedInTime: boolean) => ({ dueAt: now - DAY, correctedInTime });
  for (const p of deployable.filter((x) => x.role === 'jurisdiction')) {
    it(`${p.id}: Decree 799's CN799-29 (filing) applies everywhere, up to ¥10,000 for a unit, only if not corrected`, () => {
      const ok = checkPenalty(p, { article: 'CN799-29', payer: 'unit', amountYuan: 10_000 }, order(false), now);
      expect(ok.ok).toBe(true);
      for (const [amount, re] of [[10_001, /outside/], [0, /positive/]] as const) {
        const r = checkPenalty(p, { article: 'CN799-29', payer: 'unit', amountYuan: amount }, order(false), now);
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.code).toBe('RULE_REFUSED');
          expect(r.error.articles).toEqual(['CN799-29']);
          expect(r.error.message).toMatch(re);
        }
      }
      // "If not corrected": no order, an order complied with, or one not yet due — no fine.
      expect(checkPenalty(p, { article: 'CN799-29', payer: 'unit', amountYuan: 5_000 }, null, now).ok).toBe(false);
      expect(checkPenalty(p, { article: 'CN799-29', payer: 'unit', amountYuan: 5_000 }, order(true), now).ok).toBe(false);
      expect(checkPenalty(p, { article: 'CN799-29', payer: 'unit', amountYuan: 5_000 }, { dueAt: now + DAY, correctedInTime: false }, now).ok).toBe(false);
      // CN799-27 fines at once within its own ranges; the draft's ¥100,000 is no longer allowed.
      expect(checkPenalty(p, { article: 'CN799-27', payer: 'unit', amountYuan: 20_000 }, null, now).ok).toBe(true);
      expect(checkPenalty(p, { article: 'CN799-27', payer: 'unit', amountYuan: 100_000 }, null, now).ok).toBe(false);
      expect(checkPenalty(p, { article: 'CN799-27', payer: 'individual', amountYuan: 4_999 }, null, now).ok).toBe(false);
      // CN799-30 only after an order was ignored; CN799-31 fines by other laws, never by a range here.
      expect(checkPenalty(p, { article: 'CN799-30', payer: 'unit', amountYuan: 5_000 }, null, now).ok).toBe(false);
      expect(checkPenalty(p, { article: 'CN799-30', payer: 'unit', amountYuan: 5_000 }, order(false), now).ok).toBe(true);
      const perLaw = checkPenalty(p, { article: 'CN799-31', payer: 'unit', amountYuan: 5_000 }, null, now);
      expect(perLaw.ok || perLaw.error.message).toMatch(/Personal Information Protection Law/);
      const payer = checkPenalty(p, { article: 'CN799-29', payer: 'individual', amountYuan: 2_000 }, order(false), now);
      expect(payer.ok || payer.error.message).toMatch(/fines no individual/);
      // The 2016 draft's articles are history: no fine under them.
      expect(checkPenalty(p, { article: 'CN-29', payer: 'unit', amountYuan: 20_000 }, order(false), now).ok).toBe(false);
    });
  }

  it('the 2016 draft profile keeps its own ranges, as history', () => {
    const p = catalogue.require('national-draft-2016');
    expect(checkPenalty(p, { article: 'CN-29', payer: 'unit', amountYuan: 20_000 }, order(false), now).ok).toBe(true);
    expect(checkPenalty(p, { article: 'CN-29', payer: 'unit', amountYuan: 5_000 }, order(false), now).ok).toBe(false);
    expect(checkPenalty(p, { article: 'CN-30', payer: 'unit', amountYuan: 10_000 }, null, now).ok).toBe(false);
    expect(checkPenalty(p, { article: 'CN-30', payer: 'unit', amountYuan: 10_000, seriousReason: 'footage deleted after 3 days, repeatedly' }, null, now).ok).toBe(true);
  });

  it('a local article only where the profile lists it (AH-24: ¥2,000–10,000 in Anhui)', () => {
    const ah = catalogue.require('anhui');
    expect(checkPenalty(ah, { article: 'AH-24', payer: 'unit', amountYuan: 2_000 }, order(false), now).ok).toBe(true);
    expect(checkPenalty(ah, { article: 'AH-24', payer: 'responsible-person', amountYuan: 1_001 }, order(false), now).ok).toBe(false);
    const hrb = checkPenalty(catalogue.require('harbin'), { article: 'AH-24', payer: 'unit', amountYuan: 2_000 }, order(false), now);
    expect(hrb.ok).toBe(false);
    if (!hrb.ok) expect(hrb.error.message).toMatch(/not a penalty article of Harbin/);
    // AH-25 has several ranges by condition: ¥20,000 fits only "for profit, with illegal gains".
    const r = checkPenalty(ah, { article: 'AH-25', payer: 'unit', amountYuan: 20_000 }, null, now);
    expect(r.ok && r.fine.condition?.en).toMatch(/with illegal gains/);
  });
});

describe('rectification orders', () => {
  it('open → reported → closed, or sent back; overdue from the clock', () => {
    expect(nextRectificationState('open', 'report')).toBe('reported');
    expect(nextRectificationState('reported', 'reopen')).toBe('open');
    expect(nextRectificationState('reported', 'close')).toBe('closed');
    expect(() => nextRectificationState('open', 'close')).toThrow(/cannot be closed/);
    expect(() => nextRectificationState('closed', 'report')).toThrow(/cannot be reported/);
    const due = now;
    expect(isRectificationOverdue({ state: 'open', dueAt: due, reportedAt: null, closedAt: null }, due)).toBe(false);
    expect(isRectificationOverdue({ state: 'open', dueAt: due, reportedAt: null, closedAt: null }, due + 1)).toBe(true);
    expect(isRectificationOverdue({ state: 'reported', dueAt: due, reportedAt: due - 5, closedAt: null }, due + DAY)).toBe(false);
    expect(isRectificationOverdue({ state: 'reported', dueAt: due, reportedAt: due + 5, closedAt: null }, due + DAY)).toBe(true);
    expect(correctedInTime({ state: 'closed', dueAt: due, reportedAt: due - 5, closedAt: due + DAY })).toBe(true);
    expect(correctedInTime({ state: 'closed', dueAt: due, reportedAt: due + 5, closedAt: due + DAY })).toBe(false);
  });
});
