import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../domain/profile-loader.js';
import { addPeriod, DAY_MS, decideRetention, policyFromProfile, type RetentionFile, type RetentionPolicy } from './retention-decision.js';

const catalogue = loadProfiles();
const NOW = Date.UTC(2027, 5, 1);
const file = (id: number, endedDaysAgo: number, over: Partial<RetentionFile> = {}): RetentionFile => ({
  id,
  cameraId: 1,
  startedAt: NOW - endedDaysAgo * DAY_MS - 600_000,
  endedAt: NOW - endedDaysAgo * DAY_MS,
  closed: true,
  ...over,
});
const policy = (profileId: string, extra: Partial<RetentionPolicy> = {}): RetentionPolicy => ({
  cameras: new Map([[1, policyFromProfile(catalogue.require(profileId))]]),
  keyTargets: [],
  incidents: [],
  ...extra,
});

describe('retention decision across every shipped profile', () => {
  // The national-law layer sets no general minimum on its own; it is never a camera's whole policy.
  const ids = catalogue.list().filter((p) => p.role !== 'law-layer').map((p) => p.id);
  it('ships the profiles', () => expect(ids).toEqual(['anhui', 'harbin', 'hubei', 'national', 'national-draft-2016', 'weihai']));

  it('no profile keeps a key target less than the Counter-Terrorism Law\'s 90 days (CTL-32)', () => {
    for (const id of ids) {
      const p = catalogue.require(id);
      expect([id, p.retention.keyTargetDays.value]).toEqual([id, 90]);
      const marked = policy(id, { keyTargets: [{ cameraId: 1, from: null, to: null }] });
      const d = decideRetention([file(1, 31), file(2, 89), file(3, 91)], marked, [], NOW);
      expect(d.remove.map((r) => r.fileId)).toEqual([3]);
      expect(d.remove[0]!.period).toMatchObject({ days: 90, kind: 'key-target' });
    }
  });

  it('Decree 799: kept at least 30 days, deleted after them once no hold keeps the purpose open (CN799-17)', () => {
    const p = catalogue.require('national');
    expect(p.retention.deleteAfterPurpose).toMatchObject({ value: true, article: 'CN799-17' });
    const d = decideRetention([file(1, 29), file(2, 31), file(3, 45)], policy('national'), [{ id: 9, cameraId: 1, from: NOW - 46 * DAY_MS, to: NOW - 44 * DAY_MS }], NOW);
    expect(d.remove).toMatchObject([{ fileId: 2, period: { days: 30, article: 'CN799-17', kind: 'minimum' } }]);
    expect(d.keep.map((k) => [k.fileId, k.reason])).toEqual([[1, 'within-retention'], [3, 'hold']]);
  });

  for (const id of ids) {
    const p = catalogue.require(id);
    const min = p.retention.minimumDays.value!;
    const key = p.retention.keyTargetDays.value ?? min;
    const incident = p.retention.incidentDays.value ?? min;

    it(`${id}: the minimum period (${min} days, ${p.retention.minimumDays.article}) decides to the millisecond`, () => {
      const exact = file(1, min);
      const younger = { ...file(2, min), endedAt: exact.endedAt + 1 };
      const d = decideRetention([exact, younger, file(3, min + 100)], policy(id), [], NOW);
      expect(d.remove.map((r) => r.fileId)).toEqual([1, 3]);
      expect(d.remove[0]!.period).toEqual({ days: min, article: p.retention.minimumDays.article, kind: 'minimum' });
      expect(d.keep).toMatchObject([{ fileId: 2, reason: 'within-retention' }]);
    });

    it(`${id}: a key target keeps ${key} days, incident footage ${incident} days; the longest period rules`, () => {
      const pol = policy(id, { keyTargets: [{ cameraId: 1, from: null, to: null }] });
      const d = decideRetention([file(1, key - 1), file(2, key + 1)], pol, [], NOW);
      expect(d.remove.map((r) => r.fileId)).toEqual([2]);
      // Only the files the incident range touches get the incident period.
      const f1 = file(1, incident - 1);
      const f2 = file(2, incident - 1, { startedAt: NOW - (incident - 1) * DAY_MS + 1000, endedAt: NOW - (incident - 1) * DAY_MS + 2000 });
      const inc = policy(id, { incidents: [{ cameraId: 1, from: f1.startedAt + 10, to: f1.endedAt - 10 }] });
      const e = decideRetention([f1, f2], inc, [], NOW);
      // Where the profile sets no longer incident period, both are still inside the minimum.
      expect(e.keep.map((k) => k.fileId)).toEqual(incident > min ? [1] : [1, 2]);
      expect(e.remove.map((k) => k.fileId)).toEqual(incident > min ? [2] : []);
      if (incident > min) expect(e.keep[0]!.period).toMatchObject({ kind: 'incident', days: incident, article: p.retention.incidentDays.article });
    });

    it(`${id}: a hold keeps a file of any age, an open file is never taken, an unknown camera is kept`, () => {
      const d = decideRetention(
        [file(1, 5000), file(2, 5000, { closed: false }), file(3, 5000, { cameraId: 9 }), file(4, 5001)],
        policy(id),
        [{ id: 7, cameraId: 1, from: file(1, 5000).startedAt, to: file(1, 5000).startedAt }],
        NOW,
      );
      expect(d.remove.map((r) => r.fileId)).toEqual([4]);
      expect(d.keep).toMatchObject([
        { fileId: 1, reason: 'hold', holdIds: [7] },
        { fileId: 2, reason: 'open' },
        { fileId: 3, reason: 'no-policy' },
      ]);
    });
  }

  it('Harbin: key targets 90 days and incidents two calendar years (HRB-28)', () => {
    const p = policyFromProfile(catalogue.require('harbin'));
    expect(p.keyTarget).toEqual({ days: 90, article: 'HRB-28' });
    expect(p.incident).toEqual({ days: 730, article: 'HRB-28' });
    // Across 29 Feb 2028 two calendar years are 731 days: the later end is kept.
    const end = Date.UTC(2027, 2, 1);
    expect(addPeriod(end, 730)).toBe(Date.UTC(2029, 2, 1));
    expect(addPeriod(end, 30)).toBe(end + 30 * DAY_MS);
  });

  it('keeps everything of a camera whose profile sets no minimum period', () => {
    const pol: RetentionPolicy = { cameras: new Map([[1, { profileId: 'x', minimum: null, keyTarget: null, incident: null }]]), keyTargets: [], incidents: [] };
    expect(decideRetention([file(1, 9999)], pol, [], NOW)).toMatchObject({ remove: [], keep: [{ fileId: 1, reason: 'no-period' }] });
  });
});
