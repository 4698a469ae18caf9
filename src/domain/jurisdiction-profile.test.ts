import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { citedArticles, profileFileSchema, type ProfileFile } from './profile-file.js';
import { looseningProblems, resolveProfile } from './profile-resolution.js';
import { defaultProfilesDir } from './profile-loader.js';

const read = (id: string): ProfileFile =>
  profileFileSchema.parse(JSON.parse(readFileSync(join(defaultProfilesDir(), `${id}.json`), 'utf8')));

describe('resolveProfile', () => {
  const law = resolveProfile(read('national-law'), null);
  const national = resolveProfile(read('national'), law);

  it('keeps a root profile as written, every value naming its own file', () => {
    expect(law.lineage).toEqual(['national-law']);
    expect(law.retention.keyTargetDays).toMatchObject({ value: 90, article: 'CTL-32', from: 'national-law' });
    expect(law.retention.minimumDays).toMatchObject({ value: null, article: null, from: 'national-law' });
    expect(national.lineage).toEqual(['national', 'national-law']);
    expect(national.retention.minimumDays).toEqual({ value: 30, article: 'CN799-17', from: 'national' });
    expect(national.relocation.noticeDays).toMatchObject({ value: null, article: null, from: 'national' });
  });

  it('takes a local value over the inherited one, and the inherited one where the local is unset', () => {
    const file = read('hubei');
    file.filing.policeVisitDays = { value: 20, article: 'HB-11', note: 'test value' };
    const hb = resolveProfile(file, national);
    expect(hb.lineage).toEqual(['hubei', 'national', 'national-law']);
    expect(hb.filing.deadlineDays).toMatchObject({ value: 30, article: 'HB-11', from: 'hubei' });
    expect(hb.filing.policeVisitDays).toEqual({ value: 20, article: 'HB-11', note: 'test value', from: 'hubei' });
    expect(hb.retention.minimumDays).toEqual({ value: 30, article: 'CN799-17', from: 'national' });
    expect(hb.signageRequired).toEqual({ value: true, article: 'HB-9', from: 'hubei' });
  });

  it('keeps the local note when neither sets a value', () => {
    const hb = resolveProfile(read('hubei'), national);
    expect(hb.maintenance.goodRateTarget).toEqual({
      value: null,
      article: null,
      note: 'Not in the surviving text of the Hubei measures',
      from: 'hubei',
    });
  });

  it('adds category rules up, local article first, without duplicates', () => {
    const file = read('weihai');
    const wh = resolveProfile(file, national);
    expect(wh.prohibitedCategories.find((r) => r.category === 'toilets')?.articles).toEqual(['WH-9', 'CN799-8(3)']);
    // car parks appear in two items of WH-7.
    expect(wh.mandatoryCategories.find((r) => r.category === 'car-parks')?.articles).toEqual(['WH-7(7)', 'WH-7(10)']);
    file.prohibitedCategories.push({ category: 'toilets', article: 'WH-9' });
    expect(resolveProfile(file, national).prohibitedCategories.filter((r) => r.category === 'toilets')).toHaveLength(1);
  });

  it('lists own penalties and notes before inherited ones, and merges the article summaries', () => {
    const ah = resolveProfile(read('anhui'), national);
    expect(ah.penalties.map((p) => `${p.from}:${p.article}`)).toEqual([
      'anhui:AH-24', 'anhui:AH-25', 'anhui:AH-26',
      'national:CN799-26', 'national:CN799-27', 'national:CN799-27¶2', 'national:CN799-28', 'national:CN799-29', 'national:CN799-30', 'national:CN799-31',
    ]);
    expect(ah.notes.every((n) => n.from === 'national' || n.from === 'national-law')).toBe(true);
    expect(ah.articles['AH-8(1)']?.en).toMatch(/hotel guest rooms/);
    expect(ah.articles['CN799-8(1)']?.zh).toMatch(/民宿/);
  });
});

describe('looseningProblems', () => {
  const national = resolveProfile(read('national'), resolveProfile(read('national-law'), null));

  it('allows equal or longer retention and refuses shorter', () => {
    const file = read('harbin');
    expect(looseningProblems(file, national)).toEqual([]);
    file.retention.minimumDays = { value: 7, article: 'HRB-28' };
    expect(looseningProblems(file, national)).toEqual([
      {
        path: 'retention.minimumDays.value',
        message: '7 days is shorter than the 30 days of CN799-17 it inherits; a local rule may only tighten the national one',
      },
    ]);
    expect(looseningProblems(file, null)).toEqual([]);
  });
});

describe('citedArticles', () => {
  it('finds every article a file cites, with where', () => {
    const cited = citedArticles(read('harbin'));
    expect(cited).toContainEqual({ article: 'HRB-28', path: 'retention.keyTargetDays.article' });
    expect(cited).toContainEqual({ article: 'HRB-22(3)', path: 'access.copyApproval.article' });
    expect(cited).toContainEqual({ article: 'HRB-11', path: 'signageRequired.article' });
    expect(cited.filter((c) => c.path.startsWith('prohibitedCategories'))).toHaveLength(7);
    expect(cited.some((c) => c.path === 'retention.minimumDays.article')).toBe(true);
  });
});
