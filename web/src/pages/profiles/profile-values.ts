// Reads a resolved jurisdiction profile (GET /profiles/:id) into what the page shows: the
// parameters, each value with its article and note; the place categories it makes mandatory or
// prohibits; its penalties; and the text of each article. Parameters are found by shape (an
// object with a "value"), so a new parameter in a profile file shows up without console changes.

export interface LocalText {
  zh: string;
  en: string;
}

export interface ProfileRow {
  /** Keys from the root, e.g. ['retention', 'minimumDays']. */
  path: string[];
  value: unknown;
  articles: string[];
  note?: string;
  /** The profile whose file supplied the value, when it was inherited. */
  from?: string;
  /** A number no text gives, set by the platform (e.g. hours for "repair at once"); its note says why. */
  platformDefault?: boolean;
}

export interface CategoryRule {
  category: string;
  articles: string[];
}

export interface Penalty {
  articles: string[];
  when?: string;
  offence?: LocalText | string;
  fines: { payer: string; minYuan?: number; maxYuan?: number }[];
  from?: string;
}

export interface ProfileNote {
  text: string;
  from?: string;
}

export interface ProfileView {
  id?: string;
  code?: string;
  name?: LocalText;
  inherits?: string | null;
  /** This profile and those it inherits from, nearest first. */
  lineage: string[];
  divisionCode?: string;
  source?: { title?: LocalText | string; status?: string; note?: string; effectiveFrom?: string; effectiveTo?: string };
  parameters: ProfileRow[];
  mandatory: CategoryRule[];
  prohibited: CategoryRule[];
  penalties: Penalty[];
  notes: ProfileNote[];
  articleTexts: Record<string, LocalText | string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A bilingual text {zh, en} is a value, not a branch. */
export const isLocalText = (v: unknown): v is LocalText =>
  isObject(v) && typeof v.zh === 'string' && typeof v.en === 'string' && Object.keys(v).every((k) => k === 'zh' || k === 'en');

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const text = (v: unknown) => (isLocalText(v) ? v : str(v));

export function articlesOf(v: Record<string, unknown>): string[] {
  const a = v.articles ?? v.article;
  if (typeof a === 'string') return [a];
  if (Array.isArray(a)) return a.filter((x): x is string => typeof x === 'string');
  return [];
}

function categoryRules(v: unknown): CategoryRule[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((c): CategoryRule[] => {
    if (typeof c === 'string') return [{ category: c, articles: [] }];
    if (isObject(c)) {
      const id = str(c.category) ?? str(c.id);
      return id ? [{ category: id, articles: articlesOf(c) }] : [];
    }
    return [];
  });
}

function penalties(v: unknown): Penalty[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isObject).map((p) => ({
    articles: articlesOf(p),
    when: str(p.when),
    offence: text(p.offence),
    fines: Array.isArray(p.fines)
      ? p.fines.filter(isObject).map((f) => ({
          payer: str(f.payer) ?? '',
          minYuan: typeof f.minYuan === 'number' ? f.minYuan : undefined,
          maxYuan: typeof f.maxYuan === 'number' ? f.maxYuan : undefined,
        }))
      : [],
    from: str(p.from),
  }));
}

function notes(v: unknown): ProfileNote[] {
  if (!Array.isArray(v)) return [];
  return v.flatMap((n): ProfileNote[] => {
    if (typeof n === 'string') return [{ text: n }];
    if (isObject(n) && typeof n.text === 'string') return [{ text: n.text, from: str(n.from) }];
    return [];
  });
}

/** Keys read into their own parts of the view; every other key is a parameter. */
const SPECIAL = new Set(['id', 'code', 'name', 'inherits', 'lineage', 'divisionCode', 'source', 'role', 'standing', 'privacyCatchAll', 'mandatoryCategories', 'prohibitedCategories', 'penalties', 'notes', 'articles', 'duties']);

/** Duties that carry no number (acceptance, archive, …): a row each, held (true) by its articles, or unset with why. */
export function dutyRows(v: unknown): ProfileRow[] {
  if (!isObject(v)) return [];
  return Object.entries(v).map(([k, list]): ProfileRow => {
    const articles = Array.isArray(list) ? list.filter((a): a is string => typeof a === 'string') : [];
    return articles.length ? { path: ['duties', k], value: true, articles } : { path: ['duties', k], value: null, articles: [], note: 'no text in this profile\'s lineage sets this duty' };
  });
}

export function flattenParameters(entries: [string, unknown][], maxRows = 2000): ProfileRow[] {
  const rows: ProfileRow[] = [];
  const walk = (v: unknown, path: string[], depth: number) => {
    if (rows.length >= maxRows) return;
    if (isObject(v) && !isLocalText(v) && depth < 12) {
      // A parameter is a value, or a text in both languages (the release notice's wording).
      if ('value' in v || ('text' in v && (v.text === null || isLocalText(v.text)))) {
        // A list value (what a notice covers: removal, moving) reads as one cell.
        const value = 'value' in v ? (Array.isArray(v.value) ? v.value.map(String).join(', ') : v.value) : v.text;
        // A wording (the release notice's) is the platform's, inherited unless a profile words its own: no article sets it, its note says why.
        const platformDefault = v.platformDefault === true || !('value' in v);
        rows.push({ path, value, articles: articlesOf(v), note: str(v.note), from: str(v.from), ...(platformDefault ? { platformDefault: true } : {}) });
        return;
      }
      for (const [k, child] of Object.entries(v)) {
        // The day a legacy deadline counts from is the effective date of the text that set it: same article.
        if (k === 'legacyCountsFrom' && isObject(v.legacyDeadlineDays)) {
          const articles = child === null ? [] : articlesOf(v.legacyDeadlineDays);
          rows.push(child === null ? { path: [...path, k], value: null, articles, note: 'the text that sets the legacy deadline gives no effective date' } : { path: [...path, k], value: child, articles });
          continue;
        }
        walk(child, [...path, k], depth + 1);
      }
      return;
    }
    rows.push({ path, value: v, articles: [] });
  };
  for (const [k, v] of entries) walk(v, [k], 1);
  return rows;
}

export function readProfile(detail: Record<string, unknown>): ProfileView {
  const source = isObject(detail.source)
    ? { title: text(detail.source.title), status: str(detail.source.status), note: str(detail.source.note), effectiveFrom: str(detail.source.effectiveFrom), effectiveTo: str(detail.source.effectiveTo) }
    : undefined;
  const articleTexts: Record<string, LocalText | string> = {};
  if (isObject(detail.articles)) {
    for (const [k, v] of Object.entries(detail.articles)) {
      const t = text(v);
      if (t) articleTexts[k] = t;
    }
  }
  return {
    id: str(detail.id),
    code: str(detail.code),
    name: isLocalText(detail.name) ? detail.name : undefined,
    inherits: typeof detail.inherits === 'string' || detail.inherits === null ? detail.inherits : undefined,
    lineage: Array.isArray(detail.lineage) ? detail.lineage.filter((x): x is string => typeof x === 'string') : [],
    divisionCode: str(detail.divisionCode),
    source,
    parameters: [...flattenParameters(Object.entries(detail).filter(([k]) => !SPECIAL.has(k))), ...dutyRows(detail.duties)],
    mandatory: categoryRules(detail.mandatoryCategories),
    prohibited: categoryRules(detail.prohibitedCategories),
    penalties: penalties(detail.penalties),
    notes: notes(detail.notes),
    articleTexts,
  };
}
