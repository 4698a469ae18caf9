import { describe, expect, it } from 'vitest';
import { coverageGaps, isProhibited, mandatoryCategories } from './place-category.js';
import { loadProfiles } from './profile-loader.js';

const profiles = loadProfiles();
const p = (id: string) => profiles.require(id);

describe('isProhibited', () => {
  it('cites the local article and the national one it inherits', () => {
    expect(isProhibited(p('anhui'), 'hotel-guest-rooms')).toEqual({ prohibited: true, articles: ['AH-8(1)', 'CN799-8(1)'] });
    expect(isProhibited(p('hubei'), 'dormitory-rooms')).toEqual({ prohibited: true, articles: ['HB-8(2)', 'CN799-8(2)'] });
    expect(isProhibited(p('harbin'), 'toilets')).toEqual({ prohibited: true, articles: ['HRB-9', 'CN799-8(3)'] });
    expect(isProhibited(p('weihai'), 'changing-rooms')).toEqual({ prohibited: true, articles: ['WH-9', 'CN799-8(3)'] });
    expect(isProhibited(p('national'), 'public-baths')).toEqual({ prohibited: true, articles: ['CN799-8(3)'] });
    expect(isProhibited(p('national'), 'nursing-rooms')).toEqual({ prohibited: true, articles: ['CN799-8(3)'] });
  });

  it('never treats a list as closed: the catch-alls cover what a text does not name', () => {
    // Decree 799 names no hospital wards; its catch-all CN799-8(4) covers them.
    expect(isProhibited(p('national'), 'hospital-wards')).toEqual({ prohibited: true, articles: ['CN799-8(4)'] });
    // Harbin names no fitting rooms; its "等" (HRB-9) and Decree 799's item (3) do.
    expect(isProhibited(p('harbin'), 'fitting-rooms')).toEqual({ prohibited: true, articles: ['HRB-9', 'CN799-8(3)'] });
    expect(isProhibited(p('anhui'), 'make-up-rooms')).toEqual({ prohibited: true, articles: ['AH-8(5)', 'CN799-8(4)'] });
    expect(isProhibited(p('hubei'), 'financial-customer-data-areas')).toEqual({ prohibited: true, articles: ['HB-8(4)', 'CN799-8(4)'] });
    expect(isProhibited(p('weihai'), 'voting-and-report-box-areas')).toEqual({ prohibited: true, articles: ['WH-9', 'CN799-8(4)'] });
    // The 2016 draft's own "等" (CN-11) for its history profile.
    expect(isProhibited(p('national-draft-2016'), 'nursing-rooms')).toEqual({ prohibited: true, articles: ['CN-11'] });
  });

  it('refuses every privacy category of the catalogue under every profile', () => {
    const privacy = profiles.categories.list().filter((c) => c.kind === 'prohibited').map((c) => c.id);
    expect(privacy.length).toBeGreaterThanOrEqual(14);
    for (const prof of profiles.list().filter((x) => x.role !== 'law-layer')) {
      for (const c of privacy) {
        const r = isProhibited(prof, c);
        expect([prof.id, c, r.prohibited]).toEqual([prof.id, c, true]);
        // Nearest text first; a jurisdiction's list always ends with a Decree 799 article.
        if (r.prohibited && prof.role === 'jurisdiction') expect(r.articles.at(-1)).toMatch(/^CN799-8\(\d\)$/);
      }
    }
  });

  it('allows what is not a privacy place', () => {
    expect(isProhibited(p('anhui'), 'schools')).toEqual({ prohibited: false });
    expect(isProhibited(p('anhui'), 'no-such-category')).toEqual({ prohibited: false });
  });

  it('returns a copy the caller may change', () => {
    const r = isProhibited(p('anhui'), 'toilets');
    if (r.prohibited) r.articles.push('X-1');
    expect(isProhibited(p('anhui'), 'toilets')).toEqual({ prohibited: true, articles: ['AH-8(2)', 'CN799-8(3)'] });
  });
});

describe('mandatoryCategories', () => {
  it('lists each jurisdiction’s kinds of place with the item of the article', () => {
    const ah = mandatoryCategories(p('anhui'));
    expect(ah.find((r) => r.category === 'schools')).toEqual({ category: 'schools', articles: ['AH-7(11)'] });
    expect(ah.find((r) => r.category === 'metro-stations')?.articles).toEqual(['AH-7(6)']);
    expect(mandatoryCategories(p('harbin')).find((r) => r.category === 'pawnshops')?.articles).toEqual(['HRB-8(8)']);
    expect(mandatoryCategories(p('hubei')).find((r) => r.category === 'crime-hotspots')?.articles).toEqual(['HB-7(9)']);
    expect(mandatoryCategories(p('weihai')).find((r) => r.category === 'forest-fire-prevention')?.articles).toEqual(['WH-7(7)']);
    expect(mandatoryCategories(p('national'))).toEqual([]);
    expect(mandatoryCategories(p('harbin')).some((r) => r.category === 'pathogen-laboratories')).toBe(false);
  });
});

describe('coverageGaps', () => {
  it('lists per region the mandatory categories no camera covers', () => {
    const required = mandatoryCategories(p('weihai')).map((r) => r.category);
    const covered = new Map<number, string[]>([
      [1, required],
      [2, required.filter((c) => c !== 'schools' && c !== 'car-parks')],
    ]);
    const gaps = coverageGaps([1, 2, 3], covered, p('weihai'));
    expect(gaps.map((g) => g.region)).toEqual([1, 2, 3]);
    expect(gaps[0]!.missing).toEqual([]);
    expect(gaps[1]!.missing).toEqual([
      { category: 'schools', articles: ['WH-7(3)'] },
      { category: 'car-parks', articles: ['WH-7(7)', 'WH-7(10)'] },
    ]);
    expect(gaps[2]!.missing).toHaveLength(required.length);
  });

  it('counts only the kinds of place a region has, when told', () => {
    const covered = new Map([['district-a', new Set(['schools'])]]);
    const places = new Map([['district-a', ['schools', 'airports', 'parks']]]);
    const [gap] = coverageGaps(['district-a'], covered, p('anhui'), places);
    expect(gap!.missing.map((m) => m.category)).toEqual(['airports', 'parks']);
  });
});
