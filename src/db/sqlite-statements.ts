// Prepared statements reused by SQL text. Kysely's SQLite driver prepares every query it runs,
// and better-sqlite3 parses and plans the SQL anew each time: for the short statements of the
// hot paths (the register's append, the recorder's index) that is much of their cost. This
// keeps the most recent statements by their text, as node-postgres does with named statements.
import type BetterSqlite3 from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

/** Statements kept; the least recently used one goes first. */
const DEFAULT_CAPACITY = 500;

export class CachingSqliteDatabase implements SqliteDatabase {
  private readonly cache = new Map<string, BetterSqlite3.Statement>();
  /** Prepares done and reuses served, for tests and diagnostics. */
  readonly stats = { prepared: 0, reused: 0 };

  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  prepare(sql: string): SqliteStatement {
    const hit = this.cache.get(sql);
    // A statement still being iterated (a streamed query) cannot run again meanwhile: prepare
    // another for this caller and leave the cached one alone.
    if (hit && !hit.busy) {
      this.cache.delete(sql);
      this.cache.set(sql, hit);
      this.stats.reused++;
      return hit as unknown as SqliteStatement;
    }
    const stmt = this.db.prepare(sql);
    this.stats.prepared++;
    if (!hit) {
      this.cache.set(sql, stmt);
      if (this.cache.size > this.capacity) this.cache.delete(this.cache.keys().next().value!);
    }
    return stmt as unknown as SqliteStatement;
  }

  close(): void {
    this.cache.clear();
    this.db.close();
  }
}
