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

/** Writes (or rewrites) the bigrams of these cameras. Call inside the transaction that wrote them. */
export async function writeGrams(q: Q, cameras: { id: number; searchText: string; regionId: number }[], replace: boolean): Promise<void> {
  if (replace && cameras.length) await q.deleteFrom('camera_search_grams').where('camera_id', 'in', cameras.map((c) => c.id)).execute();
  const regionOf = new Map(cameras.map((c) => [c.id, c.regionId]));
  const rows = gramRows(cameras).map((r) => ({ ...r, region_id: regionOf.get(r.camera_id)! }));
  // Three parameters a row: well under either dialect's limit.
  for (let i = 0; i < rows.length; i += 5000) await q.insertInto('camera_search_grams').values(rows.slice(i, i + 5000)).execute();
}

/** Whether the bigrams alone decide the match: the text is one Han bigram and nothing else. */
export function gramsDecide(text: string): boolean {
  return /^\p{Script=Han}{2}$/u.test(text);
}
