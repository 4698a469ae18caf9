// The access register's chain read as arrays, for verifier threads: no query builder, no row
// objects, only the drivers. Columns in CHAIN_COLUMNS order (audit.repository.ts).
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** The columns a verifier reads, in the order the hash and the arrays use. */
export const CHAIN_COLUMNS = 'seq, at, action, actors, camera_ids, range_from, range_to, target, purpose, destination, approval_id, source_address, outcome, reason, detail, prev_hash, row_hash';

/**
 * Rows afterSeq < seq ≤ throughSeq in seq order as arrays in CHAIN_COLUMNS order, a page at a
 * time, through a connection of their own (for a verifier thread): SQLite read-only in raw mode,
 * PostgreSQL with rowMode 'array' (bigints arrive as decimal text). No object per row.
 */
export async function* chainRowArrays(url: string, afterSeq: number, throughSeq: number, pageSize = 16_000): AsyncGenerator<unknown[][]> {
  if (url.startsWith('sqlite:')) {
    const reader = new BetterSqlite3(url.slice('sqlite:'.length), { readonly: true, fileMustExist: true });
    try {
      reader.pragma('busy_timeout = 5000');
      const stmt = reader.prepare(`SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`).raw(true);
      reader.prepare('BEGIN').run();
      for (let after = afterSeq; ;) {
        const rows = stmt.all(after, throughSeq, pageSize) as unknown[][];
        if (rows.length) yield rows;
        if (rows.length < pageSize) return;
        after = Number(rows[rows.length - 1]![0]);
      }
    } finally {
      reader.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const text = `SELECT ${CHAIN_COLUMNS} FROM audit_log WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`;
    for (let after = afterSeq; ;) {
      const r = await client.query<unknown[]>({ text, values: [after, throughSeq, pageSize], rowMode: 'array' });
      if (r.rows.length) yield r.rows;
      if (r.rows.length < pageSize) return;
      after = Number(r.rows[r.rows.length - 1]![0]);
    }
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    await client.end();
  }
}
