// A query compiled once must give, run after run with other values, what Kysely building it each
// time gives: the right row, the right count of changed rows, in transactions too; and a builder
// whose shape drops an argument is refused at its first run, not run with the wrong values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import type { Db } from './database.js';
import { ReusedQuery } from './reused-query.js';

for (const dialect of DIALECTS) {
  describe(`reused queries on ${dialect}`, () => {
    let db: Db;

    beforeAll(async () => {
      db = await freshDatabase(dialect);
      for (let i = 1; i <= 5; i++) {
        await db.kysely.insertInto('gb_devices').values({
          device_id: `3402000000118000000${i}`, transport: 'UDP', address: `127.0.0.${i}`, port: 5060 + i, charset: 'GB2312', online: i % 2,
          registered_at: 1000 * i, expires_at: 10_000 * i, last_keepalive_at: null, keepalive_seconds: 60, keepalive_missed: 3, updated_at: 0,
        }).execute();
      }
    });
    afterAll(() => db.close());

    it('reads and writes with new values each run, the same as the built query', async () => {
      const byId = new ReusedQuery(db.kysely, ['string'] as const, (d, [id]) => d.selectFrom('gb_devices').selectAll().where('device_id', '=', id));
      for (const i of [3, 1, 5, 2]) {
        const id = `3402000000118000000${i}`;
        expect(await byId.first([id])).toEqual(await db.kysely.selectFrom('gb_devices').selectAll().where('device_id', '=', id).executeTakeFirst());
      }
      expect(await byId.first(['34020000001180000009'])).toBeUndefined();

      // A constant of the query (online = 1) stays; the same argument may fill two places.
      const touch = new ReusedQuery(db.kysely, ['number', 'string', 'number'] as const, (d, [at, id, after]) =>
        d.updateTable('gb_devices').set({ last_keepalive_at: at, updated_at: at }).where('device_id', '=', id).where('online', '=', 1).where('expires_at', '>', after));
      expect((await touch.run([77, '34020000001180000001', 5000])).numAffectedRows).toBe(1n);
      expect((await touch.run([78, '34020000001180000002', 5000])).numAffectedRows).toBe(0n); // offline
      expect((await touch.run([79, '34020000001180000003', 40_000])).numAffectedRows).toBe(0n); // expired by then
      const rows = await db.kysely.selectFrom('gb_devices').select(['device_id', 'last_keepalive_at', 'updated_at']).orderBy('device_id').execute();
      expect(rows.map((r) => [r.last_keepalive_at === null ? null : Number(r.last_keepalive_at), Number(r.updated_at)])).toEqual([[77, 77], [null, 0], [null, 0], [null, 0], [null, 0]]);
    });

    it('runs inside a transaction, and is rolled back with it', async () => {
      const setName = new ReusedQuery(db.kysely, ['string', 'string'] as const, (d, [name, id]) => d.updateTable('gb_devices').set({ name }).where('device_id', '=', id).returningAll());
      await expect(db.kysely.transaction().execute(async (t) => {
        const row = await setName.first(['inside', '34020000001180000004'], t);
        expect(row?.name).toBe('inside');
        throw new Error('roll back');
      })).rejects.toThrow('roll back');
      expect((await db.kysely.selectFrom('gb_devices').select('name').where('device_id', '=', '34020000001180000004').executeTakeFirstOrThrow()).name).toBeNull();
      expect((await setName.first([null, '34020000001180000004']))?.name).toBeNull();
      expect((await setName.first(['after', '34020000001180000004']))?.name).toBe('after');
    });

    it('refuses a builder that does not take every argument as a parameter', async () => {
      const dropped = new ReusedQuery(db.kysely, ['string', 'number'] as const, (d, [id]) => d.selectFrom('gb_devices').selectAll().where('device_id', '=', id));
      await expect(async () => dropped.first(['34020000001180000001', 5])).rejects.toThrow(/took 1 of 2/);
    });
  });
}
