// Lists of ids cut into pieces well below the bound variables one statement may hold (SQLite's
// limit is 32766), for `IN (…)` and multi-row inserts.
const CHUNK = 900;

export function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}
