// Chinese free-text search over camera names and addresses (issue 21, item 7).
//
// Chinese is written without spaces, and a search is usually a word of two characters (东门,
// 路口). Neither dialect's own text search serves that on both databases: SQLite's LIKE '%东门%'
// reads every row, FTS5's trigram tokenizer needs three characters, and PostgreSQL's pg_trgm
// needs three characters for an index scan and, under a C locale, ignores Chinese characters
// altogether. So the camera repository keeps a table of its own, the same on both: every pair of
// adjacent Han characters in a camera's search text (character bigrams, the usual unit of
// Chinese search indexes), one row per (bigram, camera). A search for Han text of two characters
// or more is read from the primary key (bigram, camera) of its first bigram, in camera order; a
// two-character word is exactly one bigram, so those rows are its matches, and longer text is
// confirmed with LIKE on them only. Text without two adjacent Han characters is searched as before:
// LIKE, served on SQLite by the trigram index of migration 0037 and on PostgreSQL by pg_trgm.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

type Q = Kysely<Database> | Transaction<Database>;

const HAN_RUN = /\p{Script=Han}{2,}/gu;

/** The distinct bigrams of adjacent Han characters in `text`. */
export function hanBigrams(text: string): string[] {
  const out = new Set<string>();
  for (const [run] of text.matchAll(HAN_RUN)) {
    const chars = [...run];
    for (let i = 0; i + 1 < chars.length; i++) out.add(chars[i]! + chars[i + 1]!);
  }
  return [...out];
}

/** Rows of the gram table for cameras with these search texts. */
export function gramRows(cameras: { id: number; searchText: string }[]): { gram: string; camera_id: number }[] {
  return cameras.flatMap((c) => hanBigrams(c.searchText).map((gram) => ({ gram, camera_id: c.id })));
}

/**
 * Writes (or rewrites) the bigrams of these cameras, and their regions' counts of each bigram
 * (migration 0046). Call inside the transaction that wrote them.
 */
export async function writeGrams(q: Q, cameras: { id: number; searchText: string; regionId: number }[], replace: boolean): Promise<void> {
  const delta = new Map<string, { gram: string; region_id: number; n: number }>();
  const count = (gram: string, region: number, by: number) => {
    const key = `${gram}\u0000${region}`;
    const d = delta.get(key);
    if (d) d.n += by;
    else delta.set(key, { gram, region_id: region, n: by });
  };
  if (replace && cameras.length) {
    const ids = cameras.map((c) => c.id);
    const old = await q.selectFrom('camera_search_grams').select(['gram', 'region_id']).where('camera_id', 'in', ids).execute();
    for (const r of old) if (r.region_id !== null) count(r.gram, Number(r.region_id), -1);
    await q.deleteFrom('camera_search_grams').where('camera_id', 'in', ids).execute();
  }
  const regionOf = new Map(cameras.map((c) => [c.id, c.regionId]));
  const rows = gramRows(cameras).map((r) => ({ ...r, region_id: regionOf.get(r.camera_id)! }));
  for (const r of rows) count(r.gram, r.region_id, 1);
  // Three parameters a row: well under either dialect's limit.
  for (let i = 0; i < rows.length; i += 5000) await q.insertInto('camera_search_grams').values(rows.slice(i, i + 5000)).execute();
  // In one order (gram, region) in every transaction: two writers lock shared count rows in the
  // same order, so they queue and never deadlock.
  const changes = [...delta.values()].filter((d) => d.n !== 0).sort((a, b) => (a.gram < b.gram ? -1 : a.gram > b.gram ? 1 : a.region_id - b.region_id));
  for (let i = 0; i < changes.length; i += 5000) {
    await q.insertInto('camera_search_gram_counts').values(changes.slice(i, i + 5000))
      .onConflict((oc) => oc.columns(['gram', 'region_id']).doUpdateSet({ n: (eb) => eb('camera_search_gram_counts.n', '+', eb.ref('excluded.n')) }))
      .execute();
  }
  if (changes.some((d) => d.n < 0)) await q.deleteFrom('camera_search_gram_counts').where('n', '<=', 0).where('gram', 'in', [...new Set(changes.filter((d) => d.n < 0).map((d) => d.gram))]).execute();
}

/** Whether the bigrams alone decide the match: the text is one Han bigram and nothing else. */
export function gramsDecide(text: string): boolean {
  return /^\p{Script=Han}{2}$/u.test(text);
}
