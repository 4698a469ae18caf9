// The console reads jurisdiction profiles by shape; check it against the shipped profile files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../../src/domain/profile-loader.js';
import { projectRoot } from '../../src/project-root.js';
import { flattenParameters, isLocalText, readProfile } from '../../web/src/pages/profiles/profile-values.js';

const profile = (id: string) => JSON.parse(readFileSync(join(projectRoot(), 'profiles', `${id}.json`), 'utf8')) as Record<string, unknown>;

describe('profile view', () => {
  it('reads every parameter of the Anhui profile with its value, article and note', () => {
    const v = readProfile(profile('anhui'));
    expect(v.code).toBe('AH');
    expect(v.inherits).toBe('national');
    const min = v.parameters.find((r) => r.path.join('.') === 'retention.minimumDays');
    expect(min).toEqual({ path: ['retention', 'minimumDays'], value: 30, articles: ['AH-17(3)'], note: undefined });
    const keyTarget = v.parameters.find((r) => r.path.join('.') === 'retention.keyTargetDays');
    expect(keyTarget?.value).toBeNull();
    expect(keyTarget?.note).toMatch(/no separate period/);
    // Nothing nested is shown as a raw object: every row is a leaf value, or a text the page shows in the reader's language.
    for (const r of v.parameters) expect(typeof r.value === 'object' && r.value !== null && !Array.isArray(r.value) && !isLocalText(r.value), r.path.join('.')).toBe(false);
    const caption = v.parameters.find((r) => r.path.join('.') === 'releaseCaption');
    expect(caption?.value).toMatchObject({ zh: expect.stringContaining('{custodian}') });
    expect(caption?.note).toMatch(/Anhui/);
    expect(v.mandatory.length).toBeGreaterThan(5);
    expect(v.mandatory.every((c) => c.category && c.articles.length > 0)).toBe(true);
    expect(v.penalties.length).toBeGreaterThan(0);
    expect(v.penalties[0]!.fines.length).toBeGreaterThan(0);
    expect(Object.keys(v.articleTexts).length).toBeGreaterThan(0);
  });

  it('reads the national profile: prohibited places cite Decree 799 (CN799-8)', () => {
    const v = readProfile(profile('national'));
    expect(v.prohibited.map((c) => c.category)).toContain('toilets');
    expect(v.prohibited.find((c) => c.category === 'toilets')?.articles).toEqual(['CN799-8(3)']);
    expect(v.mandatory).toEqual([]);
    expect(v.notes.length).toBeGreaterThan(0);
  });

  it('reads resolved profiles as the API sends them: inherited values name the profile they come from', () => {
    const catalogue = loadProfiles();
    for (const p of catalogue.list().filter((x) => x.role !== 'law-layer')) {
      // The API sends JSON, so read what survives a round trip.
      const v = readProfile(JSON.parse(JSON.stringify(p)) as Record<string, unknown>);
      expect(v.id).toBe(p.id);
      expect(v.lineage[0]).toBe(p.id);
      expect(v.parameters.length).toBeGreaterThan(10);
      for (const r of v.parameters) {
        expect(typeof r.value === 'object' && r.value !== null && !isLocalText(r.value), `${p.id} ${r.path.join('.')}`).toBe(false);
        // A set value cites its article; an unset one, or a platform default no text numbers, explains why.
        if (r.value !== null && !r.platformDefault) expect(r.articles.length, `${p.id} ${r.path.join('.')}`).toBeGreaterThan(0);
        else expect(r.note, `${p.id} ${r.path.join('.')}`).toBeTruthy();
        if (r.platformDefault) expect(r.articles, `${p.id} ${r.path.join('.')}`).toEqual([]);
      }
      expect(v.prohibited.find((c) => c.category === 'toilets')?.articles.at(-1)).toMatch(/^CN(799)?-(8\(3\)|11)$/);
      expect(v.parameters.find((r) => r.path.join('.') === 'repair.faultRepairHours')).toMatchObject({ value: 24, platformDefault: true, articles: [] });
      expect(v.notes.every((n) => n.text.length > 0)).toBe(true);
    }
    const hubei = readProfile(JSON.parse(JSON.stringify(catalogue.require('hubei'))) as Record<string, unknown>);
    const retention = hubei.parameters.find((r) => r.path.join('.') === 'retention.minimumDays');
    expect(retention).toMatchObject({ value: 30, articles: ['CN799-17'], from: 'national' });
    // Duties without a number are rows too: held by their articles, or unset with why.
    const harbin = readProfile(JSON.parse(JSON.stringify(catalogue.require('harbin'))) as Record<string, unknown>);
    expect(harbin.parameters.find((r) => r.path.join('.') === 'duties.archive')).toMatchObject({ value: true, articles: ['HRB-17', 'CN799-11'] });
    expect(hubei.parameters.find((r) => r.path.join('.') === 'duties.governmentAcceptance')).toMatchObject({ value: null, articles: [] });
  });

  it('tolerates odd shapes without throwing and bounds the rows', () => {
    const odd = readProfile({ name: 'x', mandatoryCategories: [1, 'schools', { id: 'toilets', articles: ['A-1', 2] }], penalties: 'none', articles: [] });
    expect(odd.name).toBeUndefined();
    expect(odd.mandatory).toEqual([{ category: 'schools', articles: [] }, { category: 'toilets', articles: ['A-1'] }]);
    expect(odd.penalties).toEqual([]);
    let deep: Record<string, unknown> = { value: 1 };
    for (let i = 0; i < 50; i++) deep = { nested: deep };
    expect(flattenParameters([['deep', deep]]).length).toBe(1);
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, { value: i }]));
    expect(flattenParameters([['wide', wide]], 100).length).toBe(100);
  });
});
