// SQLite's group commit, judged from a second connection on the same file: what it sees is what
// was committed. Each transaction's promise settles only once its writes are visible there; a
// failed one leaves nothing and costs the others nothing; a statement outside transactions
// commits the open group first.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from './database.js';

describe('SQLite transactions sharing a commit', () => {
  let db: Db | undefined;
  let outside: BetterSqlite3.Database | undefined;
  afterEach(async () => {
    outside?.close();
    await db?.close();
  });

  async function open(): Promise<{ db: Db; seen: (n: number) => boolean }> {
    const path = join(mkdtempSync(join(tmpdir(), 'vigil-group-commit-')), 'g.db');
    db = openDatabase(`sqlite:${path}`);
    await sql`CREATE TABLE t (n INTEGER PRIMARY KEY, note TEXT NOT NULL)`.execute(db.kysely);
    outside = new BetterSqlite3(path, { readonly: true });
    const stmt = outside.prepare('SELECT count(*) AS c FROM t WHERE n = ?');
    return { db, seen: (n) => (stmt.get(n) as { c: number }).c === 1 };
  }

  it('settles each transaction only once its writes are committed, many sharing one COMMIT', async () => {
    const { db, seen } = await open();
    const notSeenAtResolve: number[] = [];
    await Promise.all(Array.from({ length: 40 }, (_, n) =>
      db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('t' as never).values({ n, note: 'a' } as never).execute();
        await trx.selectFrom('t' as never).select(sql`count(*)`.as('c')).execute();
      }).then(() => {
        if (!seen(n)) notSeenAtResolve.push(n);
      })));
    expect(notSeenAtResolve).toEqual([]);
    // 40 transactions, fewer COMMITs: they waited for the connection together.
    expect(db.commits!.grouped).toBeGreaterThan(0);
    expect(db.commits!.transactions).toBe(40);
    expect(db.commits!.commits).toBeLessThan(40);
  });

  it('rolls back a failed transaction alone and commits the others of its group', async () => {
    const { db, seen } = await open();
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, (_, n) =>
      db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('t' as never).values({ n, note: 'b' } as never).execute();
        // Every seventh fails after its write (its own error), one by the database (a duplicate key).
        if (n % 7 === 3) throw new Error(`action ${n} fails`);
        if (n === 12) await trx.insertInto('t' as never).values({ n: 0, note: 'dup' } as never).execute();
      })));
    const failed = outcomes.flatMap((o, n) => (o.status === 'rejected' ? [n] : []));
    expect(failed).toEqual([3, 10, 12, 17, 24]);
    for (let n = 0; n < 30; n++) expect(seen(n), `row ${n}`).toBe(!failed.includes(n));
    expect(db.commits!.transactions).toBe(25);
    expect(db.commits!.grouped).toBeGreaterThan(0);
  });

  it('commits the open group before a statement outside any transaction runs', async () => {
    const { db, seen } = await open();
    let plainSawCommitted: boolean[] = [];
    const txs = Array.from({ length: 5 }, (_, n) =>
      db.kysely.transaction().execute((trx) => trx.insertInto('t' as never).values({ n, note: 'c' } as never).execute()));
    // Queued behind them: by the time it runs, the transactions before it are committed.
    const plain = db.kysely.insertInto('t' as never).values({ n: 100, note: 'plain' } as never).execute().then(() => {
      plainSawCommitted = [0, 1, 2, 3, 4, 100].map(seen);
    });
    await Promise.all([...txs, plain]);
    expect(plainSawCommitted).toEqual([true, true, true, true, true, true]);
  });

  it('keeps a caller\'s own savepoints inside its transaction', async () => {
    const { db, seen } = await open();
    const trx = await db.kysely.startTransaction().execute();
    await trx.insertInto('t' as never).values({ n: 1, note: 'e' } as never).execute();
    const sp = await trx.savepoint('inner').execute();
    await sp.insertInto('t' as never).values({ n: 2, note: 'e' } as never).execute();
    const back = await sp.rollbackToSavepoint('inner').execute();
    await back.commit().execute();
    expect([seen(1), seen(2)]).toEqual([true, false]);
  });

  it('keeps a lone transaction as BEGIN … COMMIT and a read-only one from holding others back', async () => {
    const { db, seen } = await open();
    await db.kysely.transaction().execute((trx) => trx.insertInto('t' as never).values({ n: 1, note: 'd' } as never).execute());
    expect(seen(1)).toBe(true);
    const before = { ...db.commits! };
    // Readers first: no group forms behind a transaction that did not write.
    await Promise.all([
      db.kysely.transaction().execute((trx) => trx.selectFrom('t' as never).selectAll().execute()),
      db.kysely.transaction().execute((trx) => trx.insertInto('t' as never).values({ n: 2, note: 'd' } as never).execute()),
    ]);
    expect(seen(2)).toBe(true);
    expect(db.commits!.commits - before.commits).toBe(2);
  });
});
