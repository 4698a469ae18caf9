// Reads the jurisdiction profiles (one JSON file per jurisdiction) and the place-category
// catalogue, validates them and resolves inheritance. Every problem names its file and field,
// and all problems are reported at once, so a broken profile is fixed in one pass.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { z } from 'zod';
import { Errors, type ErrorDetail } from '../errors.js';
import { projectRoot } from '../project-root.js';
import type { CategoryRule, JurisdictionProfile } from './jurisdiction-profile.js';
import { citedArticles, profileFileSchema, type ProfileFile } from './profile-file.js';
import { looseningProblems, resolveProfile } from './profile-resolution.js';
import { placeCategoryCatalogue, placeCategoryFileSchema, type PlaceCategoryCatalogue } from './place-category.js';
import { holidayCalendar, holidayYearSchema, type HolidayCalendar } from './legal-deadline.js';

export const CATEGORY_FILE = 'place-categories.json';
const MAX_FILE_BYTES = 1 << 20;
const MAX_FILES = 500;

export interface ProfileCatalogue {
  get(id: string): JurisdictionProfile | undefined;
  /** Like get, but a missing profile is a NOT_FOUND error. */
  require(id: string): JurisdictionProfile;
  /** Every profile, sorted by id. */
  list(): JurisdictionProfile[];
  categories: PlaceCategoryCatalogue;
  /** The most specific profile whose division contains this GB/T 2260 code ('230102' → harbin). */
  forDivisionCode(code: string): JurisdictionProfile | undefined;
}

export interface SourceFile {
  /** Shown in errors: 'profiles/anhui.json'. */
  label: string;
  text: string;
}

/** The profiles folder shipped with the project, found from this module under src/ or dist/. */
export function defaultProfilesDir(): string {
  return join(projectRoot(), 'profiles');
}

/** Reads every *.json in `dir` (place-categories.json is the catalogue, the rest are profiles). */
export function loadProfiles(dir: string = defaultProfilesDir()): ProfileCatalogue {
  const folder = basename(dir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (e) {
    throw Errors.config(`cannot read the profiles folder ${folder}: ${(e as Error).message}`);
  }
  if (names.length > MAX_FILES) throw Errors.config(`${folder}: ${names.length} files is more than the ${MAX_FILES} allowed`);
  const problems: ErrorDetail[] = [];
  const read = (name: string): SourceFile | null => {
    const label = `${folder}/${name}`;
    try {
      const size = statSync(join(dir, name)).size;
      if (size > MAX_FILE_BYTES) {
        problems.push({ path: label, message: `${size} bytes is more than the ${MAX_FILE_BYTES} allowed` });
        return null;
      }
      return { label, text: readFileSync(join(dir, name), 'utf8') };
    } catch (e) {
      problems.push({ path: label, message: `cannot read: ${(e as Error).message}` });
      return null;
    }
  };
  const categoryFile = names.includes(CATEGORY_FILE) ? read(CATEGORY_FILE) : null;
  if (!names.includes(CATEGORY_FILE)) problems.push({ path: `${folder}/${CATEGORY_FILE}`, message: 'the place-category catalogue is missing' });
  const profileFiles = names.filter((n) => n !== CATEGORY_FILE).map(read).filter((f): f is SourceFile => f !== null);
  if (problems.length) throw failure(problems);
  return parseProfiles(profileFiles, categoryFile!);
}

/** Builds the catalogue from file contents; pure, so tests can feed it broken text directly. */
export function parseProfiles(profileSources: readonly SourceFile[], categorySource: SourceFile): ProfileCatalogue {
  const problems: ErrorDetail[] = [];
  const report = (label: string, path: string, message: string) => problems.push({ path: path ? `${label}: ${path}` : label, message });

  const categoryData = parseJson(categorySource, placeCategoryFileSchema, report);
  const categories = placeCategoryCatalogue(categoryData?.categories ?? []);
  if (categoryData) {
    const seen = new Set<string>();
    categoryData.categories.forEach((c, i) => {
      if (seen.has(c.id)) report(categorySource.label, `categories[${i}].id`, `"${c.id}" appears twice`);
      seen.add(c.id);
    });
  }

  const files = new Map<string, { file: ProfileFile; label: string }>();
  const codes = new Map<string, string>();
  const invalid = new Set<string>();
  for (const src of profileSources) {
    const expectedId = basename(src.label).replace(/\.json$/, '');
    const file = parseJson(src, profileFileSchema, report);
    if (!file) {
      invalid.add(expectedId);
      continue;
    }
    if (file.id !== expectedId) {
      report(src.label, 'id', `"${file.id}" must match the file name ("${expectedId}")`);
      continue;
    }
    const otherCode = codes.get(file.code);
    if (otherCode) report(src.label, 'code', `"${file.code}" is already the code of ${otherCode}`);
    codes.set(file.code, src.label);
    files.set(file.id, { file, label: src.label });
    checkReferences(file, src.label, categoryData ? categories : null, report);
  }

  // Resolve parents before children; a chain that comes back to itself is a cycle.
  const resolved = new Map<string, JurisdictionProfile>();
  const failed = new Set<string>();
  const resolve = (id: string, chain: string[]): JurisdictionProfile | null => {
    const done = resolved.get(id);
    if (done) return done;
    if (failed.has(id)) return null;
    const entry = files.get(id)!;
    if (chain.includes(id)) {
      report(entry.label, 'inherits', `inheritance cycle: ${[...chain, id].join(' → ')}`);
      for (const c of chain) failed.add(c);
      return null;
    }
    let parent: JurisdictionProfile | null = null;
    const parentId = entry.file.inherits;
    if (parentId !== null) {
      if (!files.has(parentId)) {
        const why = invalid.has(parentId) ? 'is not valid (see its own errors)' : 'does not exist';
        report(entry.label, 'inherits', `profile "${parentId}" ${why}`);
        failed.add(id);
        return null;
      }
      parent = resolve(parentId, [...chain, id]);
      if (!parent) {
        failed.add(id);
        return null;
      }
    }
    for (const p of looseningProblems(entry.file, parent)) report(entry.label, p.path, p.message);
    const profile = resolveProfile(entry.file, parent);
    resolved.set(id, profile);
    return profile;
  };
  for (const id of files.keys()) resolve(id, []);

  if (problems.length) throw failure(problems);
  for (const [id, p] of resolved) resolved.set(id, withEveryPrivacyPlace(p, resolved, categories));
  const list = [...resolved.values()].sort((a, b) => a.id.localeCompare(b.id));
  return {
    get: (id) => resolved.get(id),
    require: (id) => {
      const p = resolved.get(id);
      if (!p) throw Errors.notFound(`jurisdiction profile "${id}" does not exist`);
      return p;
    },
    list: () => [...list],
    categories,
    forDivisionCode: (code) => {
      let best: JurisdictionProfile | undefined;
      let bestLen = -1;
      // Only jurisdictions are deployed by region; the law layer and history profiles never are.
      for (const p of list.filter((x) => x.role === 'jurisdiction')) {
        const prefix = (p.divisionCode ?? '').replace(/(00)+$/, '');
        if (code.startsWith(prefix) && prefix.length > bestLen) {
          best = p;
          bestLen = prefix.length;
        }
      }
      return best;
    },
  };
}

/**
 * Privacy places are never a closed list: every text ends its list with "等" or a catch-all item
 * (CN799-8(4), AH-8(5), HB-8(6), HRB-9, WH-9). So every privacy category of the catalogue is
 * prohibited under every profile. Each text of the lineage is cited, nearest first: by the item
 * that names the category where it names it, else by its catch-all. A profile can add places
 * (its own items) and never remove one.
 */
function withEveryPrivacyPlace(p: JurisdictionProfile, all: ReadonlyMap<string, JurisdictionProfile>, categories: PlaceCategoryCatalogue): JurisdictionProfile {
  const texts = p.lineage.map((id) => all.get(id)!).map((x) => ({ code: x.code, catchAll: x.privacyCatchAll.find((a) => a.startsWith(`${x.code}-`)) ?? null }));
  const known = new Map(p.prohibitedCategories.map((r) => [r.category, r.articles]));
  const rules: CategoryRule[] = [];
  for (const c of categories.list().filter((x) => x.kind === 'prohibited')) {
    const named = known.get(c.id) ?? [];
    const articles: string[] = [];
    for (const t of texts) {
      const own = named.filter((a) => a.startsWith(`${t.code}-`));
      if (own.length) articles.push(...own);
      else if (t.catchAll) articles.push(t.catchAll);
    }
    if (articles.length) rules.push({ category: c.id, articles });
  }
  return { ...p, prohibitedCategories: rules };
}

type Report = (label: string, path: string, message: string) => void;

function checkReferences(file: ProfileFile, label: string, categories: PlaceCategoryCatalogue | null, report: Report): void {
  for (const key of Object.keys(file.articles)) {
    if (!key.startsWith(`${file.code}-`)) report(label, `articles.${key}`, `an article of this profile starts with "${file.code}-"`);
  }
  for (const { article, path } of citedArticles(file)) {
    if (!Object.hasOwn(file.articles, article)) report(label, path, `${article} has no summary in "articles"`);
  }
  const lists = [
    ['mandatoryCategories', file.mandatoryCategories, 'mandatory'],
    ['prohibitedCategories', file.prohibitedCategories, 'prohibited'],
  ] as const;
  for (const [name, refs, kind] of lists) {
    const seen = new Set<string>();
    refs.forEach((r, i) => {
      const pair = `${r.category} ${r.article}`;
      if (seen.has(pair)) report(label, `${name}[${i}]`, `${r.category} with ${r.article} appears twice`);
      seen.add(pair);
      if (!categories) return;
      const c = categories.get(r.category);
      if (!c) report(label, `${name}[${i}].category`, `"${r.category}" is not in the place-category catalogue`);
      else if (c.kind !== kind) report(label, `${name}[${i}].category`, `"${r.category}" is a ${c.kind} category, not a ${kind} one`);
    });
  }
}

function parseJson<S extends z.ZodType>(src: SourceFile, schema: S, report: Report): z.infer<S> | null {
  let data: unknown;
  try {
    data = JSON.parse(src.text);
  } catch (e) {
    report(src.label, '', `not valid JSON: ${(e as Error).message}`);
    return null;
  }
  const result = schema.safeParse(data, { error: issueMessage });
  if (result.success) return result.data;
  for (const issue of result.error.issues) report(src.label, formatPath(issue.path), issue.message);
  return null;
}

/** Plainer messages than zod's defaults for the two commonest mistakes. */
function issueMessage(issue: { code?: string; input?: unknown; expected?: unknown }): string | undefined {
  if (issue.code !== 'invalid_type') return undefined;
  if (issue.input === undefined) return 'required field is missing';
  const got = issue.input === null ? 'null' : Array.isArray(issue.input) ? 'an array' : typeof issue.input;
  return `expected ${String(issue.expected)}, got ${got}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const k of path) {
    if (typeof k === 'number') out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out;
}

function failure(problems: ErrorDetail[]) {
  const shown = problems.slice(0, 50).map((p) => `${p.path}: ${p.message}`);
  if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
  return Errors.config(`jurisdiction profiles are not valid:\n${shown.join('\n')}`, problems);
}

let shipped: HolidayCalendar | undefined;

/**
 * The holiday calendar shipped in calendar/ (read once). It lives here, beside the profiles, so
 * that this file stays the one in domain/ that reads the legal data shipped with the project.
 */
export function defaultHolidayCalendar(): HolidayCalendar {
  if (shipped) return shipped;
  const dir = join(projectRoot(), 'calendar');
  const files = readdirSync(dir).filter((n) => /^cn-\d{4}\.json$/.test(n)).sort();
  shipped = holidayCalendar(files.map((n) => holidayYearSchema.parse(JSON.parse(readFileSync(join(dir, n), 'utf8')))));
  return shipped;
}
