import { randomBytes } from 'node:crypto';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { NamingPgPool, WITH_COMMIT } from './pg-statements.js';

interface T {
  t: { id: number; v: string };
}

let url: string;

beforeAll(async () => {
  const server = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`).finally(() => admin.end());
  url = server.replace(/\/[^/]*$/, `/${name}`);
});

const open = (capacity?: number, max = 1) => {
  const pool = new NamingPgPool(new pg.Pool({ connectionString: url, max }), capacity);
  return { pool, db: new Kysely<T>({ dialect: new PostgresDialect({ pool }) }) };
};

/** The statements prepared on the connection this transaction runs on, as the server lists them. */
const preparedOn = async (trx: Kysely<T>) =>
  (await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements ORDER BY prepare_time`.execute(trx)).rows.map((r) => r.statement);

describe('PostgreSQL statements named by their text', () => {
  const dbs: Kysely<T>[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.destroy();
  });

  it('prepares a query once per connection however often it runs, and stays correct for each call\'s parameters', async () => {
    const { pool, db } = open();
    dbs.push(db);
    await sql`CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)`.execute(db);
    for (let i = 1; i <= 50; i++) await db.insertInto('t').values({ id: i, v: `v${i}` }).execute();
    for (let i = 1; i <= 50; i += 7) expect(await db.selectFrom('t').select('v').where('id', '=', i).executeTakeFirst()).toEqual({ v: `v${i}` });
    await db.transaction().execute(async (trx) => {
      const texts = await preparedOn(trx);
      // One insert and one select, each prepared once on the server under its name.
      expect(texts.filter((s) => s.startsWith('insert into "t"'))).toHaveLength(1);
      expect(texts.filter((s) => s.startsWith('select "v" from "t"'))).toHaveLength(1);
    });
    expect(pool.stats.named).toBeGreaterThanOrEqual(57);
    // A parameter of another type in the same text is still the server's error, named clearly.
    await expect(db.selectFrom('t').select('v').where('id', '=', 'x' as unknown as number).execute()).rejects.toThrow(/invalid input syntax for type integer/);
    expect(await db.selectFrom('t').select('v').where('id', '=', 8).executeTakeFirst()).toEqual({ v: 'v8' });
  });

  it('names only the most recent texts, and closes a connection that holds too many old ones', async () => {
    const { pool, db } = open(2);
    dbs.push(db);
    for (let k = 0; k < 5; k++) await sql`SELECT ${k}::int + ${1}::int AS n`.execute(db);
    await sql`SELECT ${1}::int AS a`.execute(db);
    await sql`SELECT ${2}::int AS b`.execute(db);
    // Three texts over a capacity of two: the first lost its name and is prepared again as a new one.
    await sql`SELECT ${3}::int + ${1}::int AS n`.execute(db);
    await db.transaction().execute(async (trx) => {
      const texts = await preparedOn(trx);
      expect(texts.filter((s) => s.includes('AS n'))).toHaveLength(2);
    });
    expect(pool.stats.recycled).toBe(0);
    // A fifth name, more than twice the capacity prepared on one connection: it is closed, and
    // the next caller gets a fresh one with nothing prepared.
    await sql`SELECT ${1}::int AS c`.execute(db);
    expect(pool.stats.recycled).toBe(1);
    await db.transaction().execute(async (trx) => {
      expect(await preparedOn(trx)).toEqual([]);
    });
  });

  it('sends BEGIN with the transaction\'s first statement, which runs inside it; a failure there rolls back', async () => {
    const { pool, db } = open();
    dbs.push(db);
    await sql`CREATE TABLE b (id int PRIMARY KEY, v text NOT NULL)`.execute(db);
    const txid = (trx: Kysely<T>) => sql<{ x: string | number }>`SELECT txid_current() + ${0}::bigint AS x`.execute(trx).then((r) => r.rows[0]!.x);
    // The first statement (pipelined with BEGIN) and the second see the same transaction.
    const [first, second] = await db.transaction().execute(async (trx) => [await txid(trx), await txid(trx)]);
    expect(first).toBe(second);
    expect(pool.stats.beginsPipelined).toBe(1);
    // Outside a transaction, two statements are two transactions.
    expect(await txid(db)).not.toBe(await txid(db));
    // The first statement's row goes if the transaction fails later...
    await expect(db.transaction().execute(async (trx) => {
      await sql`INSERT INTO b VALUES (${1}, ${'a'})`.execute(trx);
      throw new Error('the action failed');
    })).rejects.toThrow('the action failed');
    // ...and a first statement that fails leaves the transaction to be rolled back, the
    // connection usable afterwards.
    await expect(db.transaction().execute(async (trx) => {
      await sql`INSERT INTO b VALUES (${2}, ${null})`.execute(trx);
    })).rejects.toThrow(/null value/);
    await db.transaction().execute(async (trx) => {
      await sql`INSERT INTO b VALUES (${3}, ${'c'})`.execute(trx);
      await sql`INSERT INTO b VALUES (${4}, ${'d'})`.execute(trx);
    });
    expect((await sql<{ id: number }>`SELECT id FROM b ORDER BY id`.execute(db)).rows.map((r) => r.id)).toEqual([3, 4]);
    // A first statement without parameters goes after a BEGIN of its own: LOCK TABLE needs one.
    await db.transaction().execute(async (trx) => {
      await sql`LOCK TABLE b IN EXCLUSIVE MODE`.execute(trx);
    });
    // A transaction that ran nothing sends nothing, and the next one works.
    await db.transaction().execute(async () => undefined);
    // A bigint reads as a number once src/db/database.ts has set pg's parser (in this worker, by any file), else as text.
    expect(String(await db.transaction().execute(async (trx) => txid(trx)))).toMatch(/^\d+$/);
    expect(pool.stats.beginsDeferred).toBe(pool.stats.beginsPipelined + 2);
  });

  it('sends a statement marked WITH_COMMIT with the COMMIT, inside the transaction, in order; a failure there fails the commit and rolls everything back', async () => {
    const { pool, db } = open();
    dbs.push(db);
    await sql`CREATE TABLE w (id int PRIMARY KEY, v text NOT NULL, tx bigint NOT NULL)`.execute(db);
    const held = (trx: Kysely<T>, id: number, v: string | null) =>
      trx.executeQuery(CompiledQuery.raw(`${WITH_COMMIT}INSERT INTO w VALUES ($1, $2, txid_current())`, [id, v]));
    const rows = async () => (await sql<{ id: number; v: string; tx: string }>`SELECT id, v, tx::text FROM w ORDER BY id`.execute(db)).rows;
    const txid = (trx: Kysely<T>) => sql<{ x: string }>`SELECT txid_current()::text AS x`.execute(trx).then((r) => r.rows[0]!.x);

    // Alone in its transaction: BEGIN, the statement and COMMIT go together, and it committed.
    await db.transaction().execute((trx) => held(trx, 1, 'a'));
    expect(pool.stats.sentWithCommit).toBe(1);
    expect((await rows()).map((r) => r.id)).toEqual([1]);

    // After another write: the same transaction (same txid), sent with the commit.
    const tx = await db.transaction().execute(async (trx) => {
      const x = await txid(trx);
      await sql`INSERT INTO w VALUES (${2}, ${'b'}, txid_current())`.execute(trx);
      await held(trx, 3, 'c');
      return x;
    });
    expect(pool.stats.sentWithCommit).toBe(2);
    expect((await rows()).filter((r) => r.id >= 2).map((r) => [r.id, r.tx])).toEqual([[2, tx], [3, tx]]);

    // Order is kept: a statement after it sends it first, and sees its row.
    const seen = await db.transaction().execute(async (trx) => {
      await held(trx, 4, 'd');
      return (await sql<{ n: number }>`SELECT count(*)::int AS n FROM w WHERE id = ${4}`.execute(trx)).rows[0]!.n;
    });
    expect(seen).toBe(1);
    expect(pool.stats.sentWithCommit).toBe(2);

    // It fails at the commit with its own error, and the transaction's other writes go with it.
    await expect(db.transaction().execute(async (trx) => {
      await sql`INSERT INTO w VALUES (${5}, ${'e'}, txid_current())`.execute(trx);
      await held(trx, 6, null);
    })).rejects.toThrow(/null value in column "v"/);
    // Alone, too; and as the first statement with another after it (sent with BEGIN, failing there).
    await expect(db.transaction().execute((trx) => held(trx, 7, null))).rejects.toThrow(/null value/);
    await expect(db.transaction().execute(async (trx) => {
      await held(trx, 8, null);
      await sql`INSERT INTO w VALUES (${9}, ${'i'}, txid_current())`.execute(trx);
    })).rejects.toThrow(/null value/);
    // A rollback drops it unsent.
    await expect(db.transaction().execute(async (trx) => {
      await held(trx, 10, 'j');
      throw new Error('the action failed');
    })).rejects.toThrow('the action failed');
    expect((await rows()).map((r) => r.id)).toEqual([1, 2, 3, 4]);

    // Two in one transaction: the first is sent when the second comes, the second with the commit.
    await db.transaction().execute(async (trx) => {
      await held(trx, 11, 'k');
      await held(trx, 12, 'l');
    });
    // Outside a transaction it is sent at once, and committed on its own.
    await held(db, 13, 'm');
    // With a commit: 1, 3, 6 and 7 (which failed there), 12; not 4, 8, 10, 11, 13.
    expect(pool.stats.sentWithCommit).toBe(5);
    expect((await rows()).map((r) => r.id)).toEqual([1, 2, 3, 4, 11, 12, 13]);
    // The connection is usable after all that, and still pipelines BEGIN with a first statement.
    const [a, b] = await db.transaction().execute(async (trx) => [await txid(trx), await txid(trx)]);
    expect(a).toBe(b);
  });

  it('commits transactions of one statement together, each caller settling after the COMMIT that holds its row; one that fails fails alone', async () => {
    const { pool, db } = open(undefined, 1);
    dbs.push(db);
    await sql`CREATE TABLE r (id int PRIMARY KEY, v text NOT NULL, tx bigint NOT NULL DEFAULT txid_current())`.execute(db);
    // One connection for each caller's check, so each runs the moment its caller's promise settles.
    const outside = new pg.Pool({ connectionString: url, max: 10 });
    try {
      await Promise.all(Array.from({ length: 10 }, () => outside.query('SELECT 1')));
      const held = (trx: Kysely<T>, id: number, v: string | null) =>
        trx.executeQuery(CompiledQuery.raw(`${WITH_COMMIT}INSERT INTO r (id, v) VALUES ($1, $2)`, [id, v]));
      const visible = async (id: number) => (await outside.query('SELECT 1 FROM r WHERE id = $1', [id])).rowCount === 1;
      /**
       * `ids` as transactions of one statement each, started while another transaction holds the
       * pool's one connection: they wait for it together. Each records whether its row could be
       * seen from another connection when its promise settled (committed by then, or not).
       */
      const together = async (ids: number[], bad: number | null) => {
        let open!: () => void;
        const gate = new Promise<void>((r) => (open = r));
        const holder = db.transaction().execute(async (trx) => {
          await sql`SELECT 1`.execute(trx);
          await gate;
        });
        const seen = new Map<number, boolean | Error>();
        const all = ids.map((id) => db.transaction().execute((trx) => held(trx, id, id === bad ? null : `v${id}`))
          .then(async () => seen.set(id, await visible(id)), (e: Error) => seen.set(id, e)));
        // Every one of them is waiting for a ride before the connection comes free.
        for (let k = 0; k < 20 && (pool as unknown as { riders: unknown[] }).riders.length < ids.length; k++) await new Promise((r) => setImmediate(r));
        expect((pool as unknown as { riders: unknown[] }).riders).toHaveLength(ids.length);
        open();
        await holder;
        await Promise.all(all);
        return seen;
      };
      const txs = async (ids: number[]) => new Set((await sql<{ tx: string }>`SELECT tx::text FROM r WHERE id = ANY (${ids}::int[])`.execute(db)).rows.map((r) => r.tx));

      const first = Array.from({ length: 10 }, (_, i) => i + 1);
      const seen = await together(first, null);
      // Every caller's row was committed by the time its promise settled: one ride, one transaction.
      expect([...seen.values()]).toEqual(first.map(() => true));
      expect(pool.stats.rides).toBe(1);
      expect(pool.stats.riders).toBe(10);
      expect(await txs(first)).toHaveProperty('size', 1);

      // One refused row: the ride fails, each is sent again alone; only that caller fails, with its error.
      const second = Array.from({ length: 10 }, (_, i) => i + 101);
      const seen2 = await together(second, 105);
      expect(pool.stats.rideFailures).toBe(1);
      expect(String(seen2.get(105))).toMatch(/null value in column "v"/);
      expect(second.filter((id) => id !== 105).map((id) => seen2.get(id))).toEqual(second.filter((id) => id !== 105).map(() => true));
      expect(await visible(105)).toBe(false);
      expect(await txs(second)).toHaveProperty('size', 9);

      // A transaction that wrote before it is no rider: its statement goes with its own COMMIT.
      const before = pool.stats.riders;
      await db.transaction().execute(async (trx) => {
        await sql`INSERT INTO r (id, v) VALUES (${201}, ${'w'})`.execute(trx);
        await held(trx, 202, 'x');
      });
      expect(pool.stats.riders).toBe(before);
      expect(await txs([201, 202])).toHaveProperty('size', 1);
    } finally {
      await outside.end();
    }
  });

  it('parses a text afresh after its table changed under it, failing only the one call that found out', async () => {
    const { db } = open();
    dbs.push(db);
    await sql`CREATE TABLE u (id int PRIMARY KEY, v text)`.execute(db);
    await sql`INSERT INTO u VALUES (1, 'a')`.execute(db);
    const read = () => sql<Record<string, unknown>>`SELECT * FROM u WHERE id = ${1}`.execute(db);
    expect((await read()).rows).toEqual([{ id: 1, v: 'a' }]);
    await sql`ALTER TABLE u ADD COLUMN w text DEFAULT 'b'`.execute(db);
    await expect(read()).rejects.toThrow(/cached plan must not change result type/);
    expect((await read()).rows).toEqual([{ id: 1, v: 'a', w: 'b' }]);
  });
});
