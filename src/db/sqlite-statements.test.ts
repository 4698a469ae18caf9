import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CachingSqliteDatabase } from './sqlite-statements.js';

interface T {
  t: { id: number; v: string };
}

describe('SQLite statements reused by their text', () => {
  it('prepares a query once however often it runs, and stays correct for each call\'s parameters', async () => {
    const raw = new BetterSqlite3(':memory:');
    const cache = new CachingSqliteDatabase(raw);
    const db = new Kysely<T>({ dialect: new SqliteDialect({ database: cache }) });
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)`.execute(db);
    for (let i = 1; i <= 50; i++) await db.insertInto('t').values({ id: i, v: `v${i}` }).execute();
    for (let i = 1; i <= 50; i += 7) expect(await db.selectFrom('t').select('v').where('id', '=', i).executeTakeFirst()).toEqual({ v: `v${i}` });
    // One insert and one select statement, prepared once each (plus the CREATE).
    expect(cache.stats.prepared).toBe(3);
    expect(cache.stats.reused).toBe(49 + 7);
    await db.destroy();
  });

  it('never hands out a statement still being iterated, and forgets the least recently used', async () => {
    const cache = new CachingSqliteDatabase(new BetterSqlite3(':memory:'), 2);
    const stmt = (text: string) => cache.prepare(text) as unknown as BetterSqlite3.Statement;
    stmt('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)').run();
    stmt("INSERT INTO t VALUES (1, 'a'), (2, 'b')").run();
    const text = 'SELECT v FROM t ORDER BY id';
    const first = cache.prepare(text) as unknown as BetterSqlite3.Statement;
    const rows = first.iterate();
    expect(rows.next().value).toEqual({ v: 'a' });
    // A stream holds `first` open: the same SQL meanwhile gets a statement of its own.
    const second = cache.prepare(text) as unknown as BetterSqlite3.Statement;
    expect(second).not.toBe(first);
    expect(second.all()).toEqual([{ v: 'a' }, { v: 'b' }]);
    expect(rows.next().value).toEqual({ v: 'b' });
    rows.return?.();
    expect(cache.prepare(text)).toBe(first);
    // Capacity 2: two other statements push it out, and it is prepared again.
    cache.prepare('SELECT 1');
    cache.prepare('SELECT 2');
    expect(cache.prepare(text)).not.toBe(first);
    cache.close();
  });
});
