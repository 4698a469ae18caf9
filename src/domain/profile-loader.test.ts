import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fuzz } from '../../test/corpus/rtsp-fuzz/mutate.js';
import { isVigilError, type VigilError } from '../errors.js';
import type { JurisdictionProfile, Setting } from './jurisdiction-profile.js';
import { CATEGORY_FILE, defaultProfilesDir, loadProfiles, parseProfiles, type SourceFile } from './profile-loader.js';

const DIR = defaultProfilesDir();
const shipped = loadProfiles();
const profile = (id: string): JurisdictionProfile => shipped.require(id);
const pair = <T>(s: Setting<T>): [T | null, string | null] => [s.value, s.article];

/** The shipped files as text, keyed by file name, for editing in tests. */
function shippedJson(): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const n of readdirSync(DIR).filter((f) => f.endsWith('.json'))) out[n] = JSON.parse(readFileSync(join(DIR, n), 'utf8'));
  return out;
}

function parseEdited(edit: (files: Record<string, Record<string, any>>) => void): VigilError {
  const files = shippedJson();
  edit(files);
  const sources: SourceFile[] = Object.entries(files)
    .filter(([n]) => n !== CATEGORY_FILE)
    .map(([n, v]) => ({ label: `profiles/${n}`, text: JSON.stringify(v) }));
  const cats = { label: `profiles/${CATEGORY_FILE}`, text: JSON.stringify(files[CATEGORY_FILE]) };
  try {
    parseProfiles(sources, cats);
  } catch (e) {
    if (isVigilError(e)) return e;
    throw e;
  }
  throw new Error('expected the edited profiles to be refused');
}

describe('the shipped profiles', () => {
  it('all load, the national-law layer beneath every lineage and the enacted regulation beneath every jurisdiction', () => {
    expect(shipped.list().map((p) => p.id)).toEqual(['anhui', 'harbin', 'hubei', 'national', 'national-draft-2016', 'national-law', 'weihai']);
    for (const p of shipped.list()) expect(p.lineage.at(-1)).toBe('national-law');
    for (const p of shipped.list().filter((x) => x.role === 'jurisdiction' && x.id !== 'national')) expect(p.lineage.slice(-2)).toEqual(['national', 'national-law']);
    expect(profile('harbin').lineage).toEqual(['harbin', 'national', 'national-law']);
    expect(profile('national').code).toBe('CN799');
    expect(profile('national-draft-2016')).toMatchObject({ code: 'CN', role: 'history', source: { status: 'draft' } });
    expect(shipped.get('shanghai')).toBeUndefined();
    expect(() => shipped.require('shanghai')).toThrow(/jurisdiction profile "shanghai" does not exist/);
  });

  // Transcribed from the profile table of REQUIREMENTS.md, with the article checked in each text.
  it('hold the retention, filing and relocation numbers of the requirements table', () => {
    const rows: [string, (p: JurisdictionProfile) => Setting<unknown>, Record<string, [unknown, string | null]>][] = [
      ['minimum retention', (p) => p.retention.minimumDays, {
        anhui: [30, 'AH-17(3)'], hubei: [30, 'CN799-17'], national: [30, 'CN799-17'], 'national-draft-2016': [30, 'CN-20'], harbin: [30, 'HRB-28'], weihai: [30, 'WH-21(7)'],
      }],
      ['key target retention', (p) => p.retention.keyTargetDays, {
        // The Counter-Terrorism Law (CTL-32) beneath every profile: no profile keeps key-target footage less than 90 days.
        anhui: [90, 'CTL-32'], hubei: [90, 'CTL-32'], national: [90, 'CTL-32'], 'national-draft-2016': [90, 'CTL-32'], 'national-law': [90, 'CTL-32'], harbin: [90, 'HRB-28'], weihai: [90, 'CTL-32'],
      }],
      ['delete after the purpose is achieved', (p) => p.retention.deleteAfterPurpose, {
        national: [true, 'CN799-17'], anhui: [true, 'CN799-17'], harbin: [true, 'CN799-17'], 'national-draft-2016': [null, null],
      }],
      ['incident retention', (p) => p.retention.incidentDays, {
        anhui: [null, null], hubei: [null, null], national: [null, null], harbin: [730, 'HRB-28'], weihai: [null, null],
      }],
      ['filing deadline', (p) => p.filing.deadlineDays, {
        anhui: [30, 'AH-13'], hubei: [30, 'HB-11'], national: [30, 'CN799-14'], 'national-draft-2016': [30, 'CN-12'], harbin: [30, 'HRB-18'], weihai: [30, 'CN799-14'],
      }],
      ['legacy filing deadline', (p) => p.filing.legacyDeadlineDays, {
        anhui: [60, 'AH-13'], hubei: [90, 'CN799-14'], national: [90, 'CN799-14'], 'national-draft-2016': [null, null], harbin: [30, 'HRB-18'], weihai: [90, 'CN799-14'],
      }],
      ['notice before removal', (p) => p.relocation.noticeDays, {
        anhui: [10, 'AH-15'], hubei: [30, 'HB-11'], national: [null, null], harbin: [30, 'HRB-19'], weihai: [null, null],
      }],
      ['coverage restored after relocation', (p) => p.relocation.coverageRestoreHours, {
        anhui: [null, null], hubei: [null, null], national: [null, null], harbin: [24, 'HRB-19'], weihai: [null, null],
      }],
      ['restore after municipal damage', (p) => p.maintenance.municipalDamageRestoreHours, {
        anhui: [null, null], hubei: [null, null], national: [null, null], harbin: [72, 'HRB-30'], weihai: [null, null],
      }],
      ['camera good rate', (p) => p.maintenance.goodRateTarget, {
        anhui: [null, null], hubei: [null, null], national: [null, null], harbin: [0.95, 'HRB-25(3)'], weihai: [null, null],
      }],
    ];
    for (const [row, get, expected] of rows) {
      for (const [id, want] of Object.entries(expected)) expect([row, id, pair(get(profile(id)))]).toEqual([row, id, want]);
    }
  });

  it('hold the access rules of the requirements table', () => {
    const access = (id: string) => {
      const a = profile(id).access;
      return [pair(a.officersToCopy), pair(a.viewApproval), pair(a.copyApproval), pair(a.policeHeadForOtherAdministrations)];
    };
    expect(access('anhui')).toEqual([[2, 'AH-22(1)'], ['head-of-agency', 'AH-21'], ['head-of-agency', 'AH-21'], [true, 'AH-21']]);
    expect(access('harbin')).toEqual([[2, 'HRB-22(1)'], ['unit-letter', 'HRB-22(3)'], ['unit-letter', 'HRB-22(3)'], [false, 'HRB-21']]);
    expect(access('weihai')).toEqual([[2, 'WH-26(1)'], ['none', 'WH-25'], ['county-police', 'WH-25'], [false, 'WH-25']]);
    // CN799-20: state organs act by the powers and procedures of law (their legal instrument); no
    // officer minimum. Hubei's surviving text is silent, so Decree 799 beneath it governs.
    expect(access('national')).toEqual([[null, null], ['by-law', 'CN799-20'], ['by-law', 'CN799-20'], [null, null]]);
    expect(access('hubei')).toEqual([[null, null], ['by-law', 'CN799-20'], ['by-law', 'CN799-20'], [null, null]]);
    expect(pair(profile('national').access.individualView)).toEqual([true, 'CN799-21']);
    expect(pair(profile('anhui').access.individualView)).toEqual([true, 'CN799-21']);
  });

  it('carry the legal status and dates of their source, and count legacy filing from the text that set it', () => {
    const src = (id: string) => { const s = profile(id).source; return [s.status, s.effectiveFrom, s.effectiveTo]; };
    expect(src('national')).toEqual(['in-force', '2025-04-01', null]);
    expect(src('national-draft-2016')).toEqual(['draft', null, null]);
    expect(src('national-law')).toEqual(['in-force', '2016-01-01', null]);
    expect(src('harbin')).toEqual(['draft', null, null]);
    expect(src('hubei')).toEqual(['in-force', '2013-09-01', null]);
    expect(src('weihai')).toEqual(['expired', '2015-01-01', '2024-11-30']);
    expect(src('anhui')).toEqual(['in-force', null, null]);
    // Inherited from CN799-14: counted from 2025-04-01, the day Decree 799 took effect, not Hubei's 2013.
    expect(profile('hubei').filing.legacyCountsFrom).toBe('2025-04-01');
    expect(profile('national').filing.legacyCountsFrom).toBe('2025-04-01');
    // Anhui's own AH-13 counts from the measures' date, which the text we hold does not give.
    expect(profile('anhui').filing.legacyCountsFrom).toBeNull();
  });

  it('say why a value is unset, and where an inherited value came from', () => {
    const hb = profile('hubei');
    expect(hb.retention.minimumDays).toEqual({ value: 30, article: 'CN799-17', from: 'national' });
    expect(hb.retention.keyTargetDays).toMatchObject({ value: 90, article: 'CTL-32', from: 'national-law' });
    expect(hb.retention.incidentDays.value === null && hb.retention.incidentDays.note).toMatch(/surviving text/);
    expect(profile('weihai').filing.deadlineDays.from).toBe('national');
    expect(profile('harbin').filing.deadlineStartsAt.value).toBe('acceptance');
    expect(profile('anhui').filing.deadlineStartsAt.value).toBe('in-service');
  });

  it('require signs everywhere, each under its own article', () => {
    const signs = Object.fromEntries(shipped.list().map((p) => [p.id, pair(p.signageRequired)]));
    expect(signs).toEqual({
      anhui: [true, 'AH-14'], hubei: [true, 'HB-9'], national: [true, 'CN799-13'], 'national-draft-2016': [true, 'CN-10'], 'national-law': [null, null], harbin: [true, 'HRB-11'], weihai: [true, 'WH-16'],
    });
  });

  it('have a summary in both languages for every article they cite', () => {
    for (const p of shipped.list()) {
      const cited = [
        ...p.mandatoryCategories.flatMap((r) => r.articles),
        ...p.prohibitedCategories.flatMap((r) => r.articles),
        ...p.penalties.map((x) => x.article),
        p.retention.minimumDays.article,
        p.access.copyApproval.article,
      ].filter((a): a is string => a !== null);
      for (const a of cited) {
        expect([p.id, a, Boolean(p.articles[a]?.zh && p.articles[a]?.en)]).toEqual([p.id, a, true]);
      }
    }
  });

  it('carry the fines the texts set, with national fines applying under every local profile', () => {
    const ah = profile('anhui');
    expect(ah.penalties.filter((p) => p.from === 'anhui').map((p) => p.article)).toEqual(['AH-24', 'AH-25', 'AH-26']);
    const ah24 = ah.penalties.find((p) => p.article === 'AH-24')!;
    expect(ah24.when).toBe('if-not-corrected');
    expect(ah24.fines.map((f) => [f.payer, f.minYuan, f.maxYuan])).toEqual([['unit', 2000, 10000], ['responsible-person', 200, 1000]]);
    const ah25 = ah.penalties.find((p) => p.article === 'AH-25')!;
    expect(ah25.fines.find((f) => f.payer === 'unit' && f.condition?.en.includes('with illegal gains'))).toMatchObject({ minYuan: 5000, maxYuan: 30000 });
    // Decree 799's own ranges (CN799-26..31), read from the enacted text.
    const cn = profile('national').penalties;
    const ranges = (a: string) => cn.find((p) => p.article === a)!.fines.map((f) => [f.payer, f.minYuan, f.maxYuan]);
    expect(cn.map((p) => p.article)).toEqual(['CN799-26', 'CN799-27', 'CN799-27¶2', 'CN799-28', 'CN799-29', 'CN799-30', 'CN799-31']);
    expect(ranges('CN799-26')).toEqual([['individual', 0, 5000], ['unit', 0, 20000], ['responsible-person', 0, 5000]]);
    expect(ranges('CN799-27')).toEqual([['individual', 5000, 10000], ['unit', 10000, 20000], ['responsible-person', 5000, 10000]]);
    expect(ranges('CN799-29')).toEqual([['unit', 0, 10000]]);
    expect(ranges('CN799-30')).toEqual([['individual', 0, 5000], ['unit', 5000, 10000], ['responsible-person', 0, 5000]]);
    expect(cn.find((p) => p.article === 'CN799-29')!.when).toBe('if-not-corrected');
    expect(cn.find((p) => p.article === 'CN799-31')!.perLaw?.zh).toMatch(/个人信息保护法/);
    // The 2016 draft's ranges stay with its history profile only.
    expect(profile('national-draft-2016').penalties.find((p) => p.article === 'CN-27')!.fines.map((f) => [f.payer, f.minYuan, f.maxYuan])).toEqual([['unit', 10000, 100000], ['individual', 1000, 5000]]);
    for (const id of ['harbin', 'weihai', 'hubei']) {
      const p = profile(id);
      expect(p.penalties.every((x) => x.from === 'national')).toBe(true);
      expect(p.notes.some((n) => n.from === id && /penalt|fines/.test(n.text))).toBe(true);
    }
  });

  it('map a GB/T 2260 division to the most specific profile', () => {
    expect(shipped.forDivisionCode('230102')?.id).toBe('harbin');
    expect(shipped.forDivisionCode('230200')?.id).toBe('national'); // Qiqihar: Heilongjiang has no profile; never the law layer or the draft
    expect(shipped.forDivisionCode('110000')?.id).toBe('national');
    expect(shipped.forDivisionCode('340100')?.id).toBe('anhui');
    expect(shipped.forDivisionCode('371002')?.id).toBe('weihai');
    expect(shipped.forDivisionCode('420100')?.id).toBe('hubei');
  });

  it('use every category of the catalogue in some profile', () => {
    const used = new Set(shipped.list().flatMap((p) => [...p.mandatoryCategories, ...p.prohibitedCategories].map((r) => r.category)));
    expect(shipped.categories.list().filter((c) => !used.has(c.id))).toEqual([]);
  });
});

describe('refusing bad profile files', () => {
  it('names the file and field of a missing value', () => {
    const e = parseEdited((f) => delete f['anhui.json']!.retention.minimumDays);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toContain('profiles/anhui.json: retention.minimumDays: required field is missing');
    expect(e.details).toContainEqual({ path: 'profiles/anhui.json: retention.minimumDays', message: 'required field is missing' });
  });

  it('names the file and field of a wrong type or a bad number', () => {
    expect(parseEdited((f) => (f['anhui.json']!.retention.minimumDays.value = '30')).message).toContain(
      'profiles/anhui.json: retention.minimumDays.value: expected number, got string',
    );
    expect(parseEdited((f) => (f['harbin.json']!.retention.minimumDays.value = -5)).message).toContain(
      'profiles/harbin.json: retention.minimumDays.value: expected a positive integer',
    );
    expect(parseEdited((f) => (f['harbin.json']!.maintenance.goodRateTarget.value = 95)).message).toContain(
      'profiles/harbin.json: maintenance.goodRateTarget.value: expected a fraction in (0, 1]',
    );
    expect(parseEdited((f) => (f['weihai.json']!.access.viewApproval.value = 'mayor')).message).toMatch(
      /profiles\/weihai\.json: access\.viewApproval\.value: .*"none"/,
    );
  });

  it('refuses a value without its article, a null without a note, and unknown fields', () => {
    expect(parseEdited((f) => delete f['anhui.json']!.access.officersToCopy.article).message).toContain(
      'profiles/anhui.json: access.officersToCopy.article: a value needs the article that sets it',
    );
    expect(parseEdited((f) => (f['anhui.json']!.retention.keyTargetDays = { value: null })).message).toContain(
      'profiles/anhui.json: retention.keyTargetDays.note: an unset value (null) needs a note saying why',
    );
    expect(parseEdited((f) => (f['anhui.json']!.retention.minimumDay = { value: 30, article: 'AH-17(3)' })).message).toMatch(
      /profiles\/anhui\.json: retention: .*minimumDay/,
    );
  });

  it('refuses unknown or wrong-kind categories and uncited articles', () => {
    expect(parseEdited((f) => f['anhui.json']!.prohibitedCategories.push({ category: 'saunas', article: 'AH-8(2)' })).message).toMatch(
      /profiles\/anhui\.json: prohibitedCategories\[\d+\]\.category: "saunas" is not in the place-category catalogue/,
    );
    expect(parseEdited((f) => f['anhui.json']!.prohibitedCategories.push({ category: 'schools', article: 'AH-8(2)' })).message).toMatch(
      /"schools" is a mandatory category, not a prohibited one/,
    );
    expect(parseEdited((f) => (f['anhui.json']!.relocation.noticeDays.article = 'AH-16')).message).toContain(
      'profiles/anhui.json: relocation.noticeDays.article: AH-16 has no summary in "articles"',
    );
    expect(parseEdited((f) => (f['anhui.json']!.relocation.noticeDays.article = 'Art. 15')).message).toContain(
      'relocation.noticeDays.article: expected an article like "AH-17(3)"',
    );
    expect(parseEdited((f) => (f['anhui.json']!.articles['CN-99'] = { zh: 'x', en: 'x' })).message).toContain(
      'profiles/anhui.json: articles.CN-99: an article of this profile starts with "AH-"',
    );
  });

  it('refuses inheritance cycles and missing parents', () => {
    const cycle = parseEdited((f) => {
      f['national.json']!.inherits = 'anhui';
    });
    expect(cycle.message).toMatch(/profiles\/(anhui|national)\.json: inherits: inheritance cycle: (anhui → national → anhui|national → anhui → national)/);
    const self = parseEdited((f) => (f['weihai.json']!.inherits = 'weihai'));
    expect(self.message).toContain('profiles/weihai.json: inherits: inheritance cycle: weihai → weihai');
    expect(parseEdited((f) => (f['harbin.json']!.inherits = 'heilongjiang')).message).toContain(
      'profiles/harbin.json: inherits: profile "heilongjiang" does not exist',
    );
  });

  it('refuses a local retention shorter than the national one it inherits', () => {
    const e = parseEdited((f) => (f['weihai.json']!.retention.minimumDays.value = 15));
    expect(e.message).toContain('profiles/weihai.json: retention.minimumDays.value: 15 days is shorter than the 30 days of CN799-17');
  });

  it('refuses any profile that would keep key-target footage less than the Counter-Terrorism Law\'s 90 days', () => {
    const e = parseEdited((f) => (f['anhui.json']!.retention.keyTargetDays = { value: 30, article: 'AH-17(3)' }));
    expect(e.message).toContain('profiles/anhui.json: retention.keyTargetDays.value: 30 days is shorter than the 90 days of CTL-32');
    const n = parseEdited((f) => (f['national.json']!.retention.keyTargetDays = { value: 30, article: 'CN799-17' }));
    expect(n.message).toContain('profiles/national.json: retention.keyTargetDays.value: 30 days is shorter than the 90 days of CTL-32');
  });

  it('refuses a source without its dates, and accepts paragraph and item article IDs', () => {
    expect(parseEdited((f) => delete f['anhui.json']!.source.effectiveFrom).message).toContain('profiles/anhui.json: source.effectiveFrom: required field is missing');
    expect(parseEdited((f) => (f['weihai.json']!.source.effectiveTo = null)).message).toContain('profiles/weihai.json: source.effectiveTo: an expired text needs the last day it was in force');
    expect(parseEdited((f) => (f['anhui.json']!.source.effectiveFrom = '2025-13-01')).message).toContain('profiles/anhui.json: source.effectiveFrom: expected a date like "2025-04-01"');
    expect(parseEdited((f) => (f['anhui.json']!.signageRequired.article = 'AH-14¶x')).message).toContain('expected an article like "AH-17(3)"');
  });

  it('refuses an id that does not match the file, duplicate codes, bad fine ranges and broken JSON', () => {
    expect(parseEdited((f) => (f['weihai.json']!.id = 'weihai-city')).message).toContain(
      'profiles/weihai.json: id: "weihai-city" must match the file name ("weihai")',
    );
    expect(parseEdited((f) => (f['weihai.json']!.code = 'AH')).message).toContain('profiles/weihai.json: code: "AH" is already the code of profiles/anhui.json');
    expect(parseEdited((f) => (f['anhui.json']!.penalties[0].fines[0].minYuan = 20000)).message).toContain(
      'profiles/anhui.json: penalties[0].fines[0].maxYuan: minYuan is above maxYuan',
    );
    const files = shippedJson();
    const e = (() => {
      try {
        parseProfiles([{ label: 'profiles/broken.json', text: '{ "id": "broken",' }], { label: 'profiles/place-categories.json', text: JSON.stringify(files[CATEGORY_FILE]) });
      } catch (err) {
        return err as VigilError;
      }
      return null;
    })();
    expect(e?.message).toMatch(/profiles\/broken\.json: not valid JSON/);
  });

  it('reports every problem at once', () => {
    const e = parseEdited((f) => {
      delete f['anhui.json']!.name;
      f['harbin.json']!.retention.keyTargetDays.value = 0;
    });
    expect(e.details.map((d) => d.path)).toEqual(expect.arrayContaining(['profiles/anhui.json: name', 'profiles/harbin.json: retention.keyTargetDays.value']));
  });

  it('blames a broken parent, not its children', () => {
    const e = parseEdited((f) => delete f['national.json']!.code);
    expect(e.message).toContain('profiles/national.json: code: required field is missing');
    expect(e.message).toContain('profiles/anhui.json: inherits: profile "national" is not valid (see its own errors)');
  });
});

describe('loadProfiles from a folder', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'vigil-profiles-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('adds a city by adding a file', () => {
    const dir = join(tmp, 'profiles');
    copyShipped(dir);
    const city = JSON.parse(readFileSync(join(DIR, 'weihai.json'), 'utf8'));
    Object.assign(city, { id: 'hefei', code: 'HF', inherits: 'anhui', divisionCode: '340100', name: { zh: '合肥市', en: 'Hefei City' } });
    city.retention.minimumDays = { value: 45, article: 'HF-10' };
    city.mandatoryCategories = [];
    city.prohibitedCategories = [];
    city.penalties = [];
    city.access = Object.fromEntries(Object.keys(city.access).map((k) => [k, { value: null, note: 'not set' }]));
    city.signageRequired = { value: null, note: 'not set' };
    delete city.repair;
    delete city.duties;
    delete city.privacyCatchAll;
    city.articles = { 'HF-10': { zh: '至少留存45日', en: 'Kept at least 45 days' } };
    writeFileSync(join(dir, 'hefei.json'), JSON.stringify(city));
    const c = loadProfiles(dir);
    const hf = c.require('hefei');
    expect(hf.lineage).toEqual(['hefei', 'anhui', 'national', 'national-law']);
    expect(pair(hf.retention.minimumDays)).toEqual([45, 'HF-10']);
    expect(pair(hf.access.officersToCopy)).toEqual([2, 'AH-22(1)']);
    expect(pair(hf.signageRequired)).toEqual([true, 'AH-14']);
    expect(pair(hf.repair.faultDuty)).toEqual(['uninterrupted', 'AH-16(1)']);
    expect(hf.repair.faultRepairHours).toMatchObject({ value: 24, platformDefault: true, from: 'national' });
    expect(hf.duties.governmentAcceptance).toEqual(['AH-13']);
    expect(hf.duties.archive).toEqual(['CN799-11']);
    expect(hf.prohibitedCategories.find((r) => r.category === 'hotel-guest-rooms')?.articles).toEqual(['AH-8(1)', 'CN799-8(1)']);
    expect(c.forDivisionCode('340102')?.id).toBe('hefei');
  });

  it('refuses a folder without the category catalogue, naming it', () => {
    const dir = join(tmp, 'no-catalogue');
    copyShipped(dir);
    rmSync(join(dir, CATEGORY_FILE));
    expect(() => loadProfiles(dir)).toThrow('no-catalogue/place-categories.json: the place-category catalogue is missing');
    expect(() => loadProfiles(join(tmp, 'does-not-exist'))).toThrow(/cannot read the profiles folder does-not-exist/);
  });

  /** A fresh copy of the shipped folder. */
  function copyShipped(dir: string) {
    rmSync(dir, { recursive: true, force: true });
    cpSync(DIR, dir, { recursive: true });
  }
});

describe('profile files under mutated input', () => {
  it('only typed errors escape and memory stays bounded', () => {
    const files = shippedJson();
    const cats = { label: 'profiles/place-categories.json', text: JSON.stringify(files[CATEGORY_FILE]) };
    const national = { label: 'profiles/national.json', text: JSON.stringify(files['national.json']) };
    const law = { label: 'profiles/national-law.json', text: JSON.stringify(files['national-law.json']) };
    const corpus = ['anhui.json', 'harbin.json', 'weihai.json'].map((n) => Buffer.from(JSON.stringify(files[n], null, 1)));
    let accepted = 0;
    const r = fuzz(corpus, 1_500, 0x9e0f11e, (b) => {
      const text = b.toString('utf8');
      const id = /"id": "([a-z]+)"/.exec(text)?.[1] ?? 'anhui';
      parseProfiles([law, national, { label: `profiles/${id}.json`, text }], cats);
      accepted++;
    }, isVigilError);
    expect(r.untyped).toEqual([]);
    expect(r.typed).toBeGreaterThan(0);
    expect(accepted).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(128 << 20);
  });
});
