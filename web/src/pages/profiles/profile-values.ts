// A resolved jurisdiction profile is nested data in which each value carries its article.
// Flattening it to rows (where, value, articles) lets one table show any profile file without
// the console knowing every parameter in advance.

export interface ProfileRow {
  /** Keys from the root, e.g. ['retention', 'minimumDays']. */
  path: string[];
  value: unknown;
  articles: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A bilingual name {zh, en} is a value, not a branch. */
export const isLocalName = (v: unknown): v is { zh: string; en: string } =>
  isObject(v) && typeof v.zh === 'string' && typeof v.en === 'string' && Object.keys(v).every((k) => k === 'zh' || k === 'en');

function articlesOf(v: Record<string, unknown>): string[] | undefined {
  const a = v.articles ?? v.article;
  if (typeof a === 'string') return [a];
  if (Array.isArray(a) && a.every((x) => typeof x === 'string')) return a as string[];
  return undefined;
}

/** Keys describing the profile itself, shown in its header rather than as rows. */
const HEADER_KEYS = new Set(['id', 'name', 'inherits', 'description']);

export function flattenProfile(profile: Record<string, unknown>, maxRows = 2000): ProfileRow[] {
  const rows: ProfileRow[] = [];
  const walk = (v: unknown, path: string[], depth: number) => {
    if (rows.length >= maxRows) return;
    if (isObject(v) && !isLocalName(v)) {
      const articles = articlesOf(v);
      if (articles && 'value' in v) {
        rows.push({ path, value: v.value, articles });
        return;
      }
      const rest = Object.entries(v).filter(([k]) => !(articles && (k === 'articles' || k === 'article')));
      if (depth > 12) {
        rows.push({ path, value: v, articles: articles ?? [] });
        return;
      }
      // A branch that cites articles but holds no "value" (e.g. a category with its rule) keeps
      // those articles on a row of its own so they are not lost.
      if (articles) rows.push({ path, value: Object.fromEntries(rest), articles });
      else for (const [k, child] of rest) walk(child, [...path, k], depth + 1);
      return;
    }
    if (Array.isArray(v) && v.some((x) => isObject(x) && !isLocalName(x))) {
      v.forEach((x, i) => walk(x, [...path, isObject(x) && typeof x.id === 'string' ? x.id : String(i)], depth + 1));
      return;
    }
    rows.push({ path, value: v, articles: [] });
  };
  for (const [k, v] of Object.entries(profile)) if (!HEADER_KEYS.has(k)) walk(v, [k], 1);
  return rows;
}
