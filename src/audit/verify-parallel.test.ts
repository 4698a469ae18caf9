// The parallel proof answers "intact" only when the one-by-one walk would, and verifyChain's
// reports are the same with it as without it — on tampering inside a stretch, at a join, at a
// deleted boundary entry and under a re-hashed rewrite caught by a checkpoint.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import type { Db } from '../db/database.js';
import { AUDIT_GENESIS_HASH } from '../db/migrations/0002-audit.js';
import { fixedClock } from '../domain/clock.js';
import { AuditLog } from './audit-log.js';
import { RowHasher } from './canonical.js';
import { PlatformKeys } from './platform-key.js';
import { parallelIntact } from './verify-parallel.js';
import { verifyChain, type VerifyOptions } from './verify.js';

const ENTRIES = 120;
// Six stretches of 20: joins after entries 20, 40, 60, 80 and 100.
const PARALLEL = { minEntries: 1, workers: 2, segmentsPerWorker: 3 };

for (const dialect of DIALECTS) {
  describe(`parallel verification on ${dialect}`, () => {
    let db: Db;
    const keys = PlatformKeys.ephemeral();
    const opts = (parallel: VerifyOptions['parallel']): VerifyOptions => ({ publicKey: keys.publicKey, parallel });

    beforeAll(async () => {
      db = await freshDatabase(dialect);
      const clock = fixedClock(Date.UTC(2026, 0, 5));
      const log = new AuditLog(db, { keys, clock, checkpoints: { everyEntries: 50, everyMs: 86_400_000 } });
      await log.transaction(async (trx) => {
        for (let i = 1; i <= ENTRIES; i++) {
          // appendMany chains now on both dialects, signing the checkpoints at 1, 51 and 101.
          await log.appendMany(trx, [{ action: 'view', actors: [{ userId: 1, workId: '001', name: '甲' }], cameraIds: [i], purpose: `核查 ${i}`, outcome: 'success', detail: { n: i } }]);
          clock.advance(1000);
        }
      });
      await log.checkpointNow(); // checkpoints at entries 1, 51, 101 and 120
      if (dialect === 'postgres') {
        const { rows } = await sql<{ tgname: string; rel: string }>`SELECT tgname, tgrelid::regclass::text AS rel FROM pg_trigger WHERE NOT tgisinternal`.execute(db.kysely);
        for (const t of rows) await sql.raw(`DROP TRIGGER ${t.tgname} ON ${t.rel}`).execute(db.kysely);
      } else {
        const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(db.kysely);
        for (const t of rows) await sql.raw(`DROP TRIGGER ${t.name}`).execute(db.kysely);
      }
    }, 60_000);

    afterAll(async () => {
      await db?.close();
    });

    /** Applies a change, asks the parallel proof and the walk, and undoes it. */
    async function tampered(change: string, undo: string): Promise<{ proven: boolean; report: Awaited<ReturnType<typeof verifyChain>> }> {
      await sql.raw(change).execute(db.kysely);
      try {
        // Not proven, verifyChain walks: its report is the walk's by construction.
        const proven = (await parallelIntact(db.url, ENTRIES, AUDIT_GENESIS_HASH, [], PARALLEL)) !== undefined;
        return { proven, report: await verifyChain(db, opts(false)) };
      } finally {
        await sql.raw(undo).execute(db.kysely);
      }
    }

    it('proves an intact chain, with the same report as the walk', async () => {
      const intact = await parallelIntact(db.url, ENTRIES, AUDIT_GENESIS_HASH, [51, 101], PARALLEL);
      expect(intact).toBeDefined();
      const hasher = new RowHasher();
      const rows = await db.kysely.selectFrom('audit_log').selectAll().orderBy('seq').execute();
      let prev = AUDIT_GENESIS_HASH;
      for (const r of rows) prev = hasher.hash(prev, { ...r, seq: Number(r.seq), at: Number(r.at) });
      expect(intact!.lastHash).toBe(prev);
      expect(intact!.hashes.get(51)).toBe(rows[50]!.row_hash);
      const fast = await verifyChain(db, opts(PARALLEL));
      expect(fast).toEqual(await verifyChain(db, opts(false)));
      expect(fast).toMatchObject({ ok: true, entries: ENTRIES, checkpointsChecked: 4, lastCheckpointSeq: 120 });
    });

    it('an edit inside a stretch', async () => {
      const r = await tampered(`UPDATE audit_log SET purpose = 'x' WHERE seq = 33`, `UPDATE audit_log SET purpose = '核查 33' WHERE seq = 33`);
      expect(r.proven).toBe(false);
      expect(r.report.failure).toMatchObject({ seq: 33, kind: 'hash_mismatch' });
    });

    it('a first entry of a stretch that no longer follows the stretch before it', async () => {
      const real = (await db.kysely.selectFrom('audit_log').select('prev_hash').where('seq', '=', 41).executeTakeFirstOrThrow()).prev_hash;
      // Its content re-hashed with the forged predecessor: the stretch alone looks intact.
      const forged = 'ab'.repeat(32);
      const r41 = await db.kysely.selectFrom('audit_log').selectAll().where('seq', '=', 41).executeTakeFirstOrThrow();
      const realHash = r41.row_hash;
      const h = new RowHasher().hash(forged, { ...r41, seq: 41, at: Number(r41.at) });
      const r = await tampered(
        `UPDATE audit_log SET prev_hash = '${forged}', row_hash = '${h}' WHERE seq = 41`,
        `UPDATE audit_log SET prev_hash = '${real}', row_hash = '${realHash}' WHERE seq = 41`,
      );
      expect(r.proven).toBe(false);
      expect(r.report.failure).toMatchObject({ seq: 41, kind: 'prev_hash_mismatch' });
    });

    it('the last entry of a stretch deleted', async () => {
      const r60 = await db.kysely.selectFrom('audit_log').selectAll().where('seq', '=', 60).executeTakeFirstOrThrow();
      const cols = Object.keys(r60);
      const values = cols.map((c) => {
        const v = (r60 as Record<string, unknown>)[c];
        return v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replace(/'/g, "''")}'`;
      });
      const r = await tampered(`DELETE FROM audit_log WHERE seq = 60`, `INSERT INTO audit_log (${cols.join(', ')}) VALUES (${values.join(', ')})`);
      expect(r.proven).toBe(false);
      expect(r.report.failure).toMatchObject({ seq: 60, kind: 'seq_gap' });
    });

    it('a rewrite re-hashed to the end: the checkpoint, not the stretches, catches it', async () => {
      const before = await db.kysely.selectFrom('audit_log').select(['seq', 'purpose', 'prev_hash', 'row_hash']).where('seq', '>=', 70).orderBy('seq').execute();
      const head = await db.kysely.selectFrom('audit_head').select('row_hash').executeTakeFirstOrThrow();
      await db.kysely.updateTable('audit_log').set({ purpose: '改' }).where('seq', '=', 70).execute();
      const hasher = new RowHasher();
      let prev = before[0]!.prev_hash;
      for (const r of await db.kysely.selectFrom('audit_log').selectAll().where('seq', '>=', 70).orderBy('seq').execute()) {
        prev = hasher.hash(prev, { ...r, seq: Number(r.seq), at: Number(r.at) });
        await db.kysely.updateTable('audit_log').set({ prev_hash: r.seq === 70 ? before[0]!.prev_hash : r.prev_hash, row_hash: prev }).where('seq', '=', r.seq).execute();
      }
      // Re-link every later entry to its re-hashed predecessor.
      const rows = await db.kysely.selectFrom('audit_log').select(['seq', 'row_hash']).where('seq', '>=', 70).orderBy('seq').execute();
      for (let i = 1; i < rows.length; i++) await db.kysely.updateTable('audit_log').set({ prev_hash: rows[i - 1]!.row_hash }).where('seq', '=', rows[i]!.seq).execute();
      await db.kysely.updateTable('audit_head').set({ row_hash: prev }).execute();
      try {
        expect(await parallelIntact(db.url, ENTRIES, AUDIT_GENESIS_HASH, [], PARALLEL)).toBeDefined();
        const fast = await verifyChain(db, opts(PARALLEL));
        expect(fast).toEqual(await verifyChain(db, opts(false)));
        expect(fast.failure).toMatchObject({ seq: 101, kind: 'checkpoint_mismatch' });
      } finally {
        for (const r of before) await db.kysely.updateTable('audit_log').set({ purpose: r.purpose, prev_hash: r.prev_hash, row_hash: r.row_hash }).where('seq', '=', r.seq).execute();
        await db.kysely.updateTable('audit_head').set({ row_hash: head.row_hash }).execute();
      }
      expect((await verifyChain(db, opts(PARALLEL))).ok).toBe(true);
    });
  });
}
