import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { BACKSTOP_PAGES, SqliteCheckpointer } from './sqlite-checkpointer.js';

describe('SQLite log checkpointed by a thread of its own', () => {
  it('copies the log into the file while the main connection writes, and folds it in on close', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vigil-ckpt-')), 'a.db');
    const db = openDatabase(`sqlite:${path}`);
    expect(db.checkpointer).toBeInstanceOf(SqliteCheckpointer);
    const [{ wal_autocheckpoint: backstop }] = (await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(db.kysely)).rows as [{ wal_autocheckpoint: number }];
    expect(backstop).toBe(BACKSTOP_PAGES);
    await sql`CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)`.execute(db.kysely);
    // 39 MiB in 400 commits, under the main connection's backstop (64 MiB): the pages reach the
    // database file only if this thread copies them there.
    const blob = Buffer.alloc(100 * 1024, 7);
    for (let i = 0; i < 400; i++) {
      await db.kysely.transaction().execute((trx) => sql`INSERT INTO t (v) VALUES (${blob})`.execute(trx));
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 25));
    }
    const deadline = Date.now() + 5000;
    while (statSync(path).size < 39 * 1024 * 1024 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(statSync(path).size).toBeGreaterThanOrEqual(39 * 1024 * 1024);
    expect(db.checkpointer!.stats.runs).toBeGreaterThanOrEqual(1);
    expect(db.checkpointer!.stats.lastError).toBeNull();
    await db.close();
    expect(existsSync(`${path}-wal`)).toBe(false);
    const again = openDatabase(`sqlite:${path}`);
    const [{ n }] = (await sql<{ n: number }>`SELECT count(*) AS n FROM t`.execute(again.kysely)).rows as [{ n: number }];
    expect(n).toBe(400);
    await again.close();
  }, 60_000);

  it('reports a file it cannot open and still stops cleanly', async () => {
    const c = new SqliteCheckpointer(join(mkdtempSync(join(tmpdir(), 'vigil-ckpt-')), 'missing.db'));
    await c.stop();
    expect(c.stats.lastError).toMatch(/unable to open|does not exist|SQLITE_CANTOPEN/i);
  });

  it('leaves an in-memory database alone', async () => {
    const db = openDatabase('sqlite::memory:');
    expect(db.checkpointer).toBeNull();
    await db.close();
  });
});
