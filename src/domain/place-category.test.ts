import { describe, expect, it } from 'vitest';
import { coverageGaps, isProhibited, mandatoryCategories } from './place-category.js';
import { loadProfiles } from './profile-loader.js';

const profiles = loadProfiles();
const p = (id: string) => profiles.require(id);

describe('isProhibited', () => {
  it('cites the local article and the national one it inherits', () => {
    expect(isProhibited(p('anhui'), 'hotel-guest-rooms')).toEqual({ prohibited: true, articles: ['AH-8(1)', 'CN-11'] });
    expect(isProhibited(p('hubei'), 'dormitory-rooms')).toEqual({ prohibited: true, articles: ['HB-8(2)', 'CN-11'] });
    expect(isProhibited(p('harbin'), 'toilets')).toEqual({ prohibited: true, articles: ['HRB-9', 'CN-11'] });
    expect(isProhibited(p('weihai'), 'changing-rooms')).toEqual({ prohibited: true, articles: ['WH-9', 'CN-11'] });
    expect(isProhibited(p('national'), 'public-baths')).toEqual({ prohibited: true, articles: ['CN-11'] });
  });

  it('cites only the local article where the national text is silent', () => {
    expect(isProhibited(p('anhui'), 'fitting-rooms')).toEqual({ prohibited: true, articles: ['AH-8(2)'] });
    expect(isProhibited(p('hubei'), 'make-up-rooms')).toEqual({ prohibited: true, articles: ['HB-8(3)'] });
    expect(isProhibited(p('harbin'), 'hospital-wards')).toEqual({ prohibited: true, articles: ['HRB-9'] });
    expect(isProhibited(p('anhui'), 'voting-and-report-box-areas')).toEqual({ prohibited: true, articles: ['AH-8(4)'] });
    expect(isProhibited(p('hubei'), 'financial-customer-data-areas')).toEqual({ prohibited: true, articles: ['HB-8(4)'] });
  });

  it('allows what the jurisdiction does not list', () => {
    expect(isProhibited(p('harbin'), 'fitting-rooms')).toEqual({ prohibited: false });
    expect(isProhibited(p('national'), 'hospital-wards')).toEqual({ prohibited: false });
    expect(isProhibited(p('anhui'), 'schools')).toEqual({ prohibited: false });
    expect(isProhibited(p('anhui'), 'no-such-category')).toEqual({ prohibited: false });
  });

  it('returns a copy the caller may change', () => {
    const r = isProhibited(p('anhui'), 'toilets');
    if (r.prohibited) r.articles.push('X-1');
    expect(isProhibited(p('anhui'), 'toilets')).toEqual({ prohibited: true, articles: ['AH-8(2)', 'CN-11'] });
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
