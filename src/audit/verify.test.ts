// The tamper matrix: an attacker with database access drops the triggers and changes the
// register directly; verification must name the first entry where the evidence breaks.
import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import type { AuditRow } from '../db/audit.repository.js';
import type { Db } from '../db/database.js';
import { fixedClock } from '../domain/clock.js';
import { AuditLog } from './audit-log.js';
import { RowHasher } from './canonical.js';
import { parseCheckpointLines, type Checkpoint } from './checkpoint.js';
import { PlatformKeys } from './platform-key.js';
import { verifyChain, type VerifyOptions } from './verify.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
const ENTRIES = 60;

async function dropTriggers(db: Db): Promise<void> {
  if (db.dialect === 'postgres') {
    const { rows } = await sql<{ tgname: string; rel: string }>`
      SELECT tgname, tgrelid::regclass::text AS rel FROM pg_trigger WHERE NOT tgisinternal`.execute(db.kysely);
    for (const t of rows) await sql.raw(`DROP TRIGGER ${t.tgname} ON ${t.rel}`).execute(db.kysely);
  } else {
    const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(db.kysely);
    for (const t of rows) await sql.raw(`DROP TRIGGER ${t.name}`).execute(db.kysely);
  }
}

async function row(db: Db, seq: number): Promise<AuditRow> {
  const r = await db.kysely.selectFrom('audit_log').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
  return { ...r, seq: Number(r.seq), at: Number(r.at) };
}

/** What a careful attacker does after an edit: recompute every later hash and the head. */
async function rehashFrom(db: Db, from: number): Promise<void> {
  const hasher = new RowHasher();
  let prev = (await row(db, from)).prev_hash;
  const all = await db.kysely.selectFrom('audit_log').selectAll().where('seq', '>=', from).orderBy('seq').execute();
  for (const r of all) {
    const h = hasher.hash(prev, { ...r, seq: Number(r.seq), at: Number(r.at) });
    await db.kysely.updateTable('audit_log').set({ prev_hash: prev, row_hash: h }).where('seq', '=', r.seq).execute();
    prev = h;
  }
  await db.kysely.updateTable('audit_head').set({ row_hash: prev }).where('id', '=', 1).execute();
}

async function setHead(db: Db, seq: number): Promise<void> {
  const r = await row(db, seq);
  await db.kysely.updateTable('audit_head').set({ seq, row_hash: r.row_hash }).where('id', '=', 1).execute();
}

/** Moves entries ≥ from by `by` without tripping the primary key on either dialect. */
async function shift(db: Db, from: number, by: number): Promise<void> {
  await sql`UPDATE audit_log SET seq = -seq WHERE seq >= ${from}`.execute(db.kysely);
  await sql`UPDATE audit_log SET seq = -seq + ${by} WHERE seq < 0`.execute(db.kysely);
}

for (const dialect of DIALECTS) {
  describe(`tampering with the register on ${dialect}`, () => {
    let db: Db | undefined;
    const keys = PlatformKeys.ephemeral();
    const opts = (more: Partial<VerifyOptions> = {}): VerifyOptions => ({ publicKey: keys.publicKey, pageSize: 7, ...more });

    /** 60 entries, checkpoints signed at entries 1, 21 and 41; triggers dropped. */
    async function chain(): Promise<{ db: Db; exported: Checkpoint[] }> {
      db = await freshDatabase(dialect);
      const clock = fixedClock(T0);
      const log = new AuditLog(db, { keys, clock, checkpoints: { everyEntries: 20, everyMs: 86_400_000 } });
      for (let i = 1; i <= ENTRIES; i++) {
        await log.record({ action: i % 7 === 0 ? 'copy' : 'view', actors: [{ userId: 1, workId: '001', name: '甲' }, { userId: 2, workId: '002', name: '乙' }], cameraIds: [i], purpose: `案件 ${i}`, outcome: 'success' });
        clock.advance(1000);
      }
      expect((await log.checkpoints()).map((c) => c.seq)).toEqual([1, 21, 41]);
      const exported = parseCheckpointLines(await log.exportCheckpoints());
      const before = await verifyChain(db, opts());
      expect(before).toMatchObject({ ok: true, entries: ENTRIES, checkpointsChecked: 3, lastCheckpointSeq: 41, failure: null });
      await dropTriggers(db);
      return { db, exported };
    }

    afterEach(async () => {
      await db?.close();
      db = undefined;
    });

    it('an edited field: the entry no longer matches its hash', async () => {
      const { db } = await chain();
      await db.kysely.updateTable('audit_log').set({ purpose: '无' }).where('seq', '=', 30).execute();
      expect((await verifyChain(db, opts())).failure).toMatchObject({ seq: 30, kind: 'hash_mismatch' });
    });

    it('an edited actor list or time: the same', async () => {
      const { db } = await chain();
      await db.kysely.updateTable('audit_log').set({ at: T0 }).where('seq', '=', 12).execute();
      await db.kysely.updateTable('audit_log').set({ actors: '[]' }).where('seq', '=', 50).execute();
      const r = await verifyChain(db, opts());
      expect(r.failure).toMatchObject({ seq: 12, kind: 'hash_mismatch' });
      expect(r.entries).toBe(11);
    });

    it('a deleted entry: a gap in the numbers', async () => {
      const { db } = await chain();
      await db.kysely.deleteFrom('audit_log').where('seq', '=', 30).execute();
      const f = (await verifyChain(db, opts())).failure;
      expect(f).toMatchObject({ seq: 30, kind: 'seq_gap' });
      expect(f?.message).toMatch(/deleted/);
    });

    it('a deleted entry with the later ones renumbered: they no longer follow their predecessors', async () => {
      const { db } = await chain();
      await db.kysely.deleteFrom('audit_log').where('seq', '=', 30).execute();
      await shift(db, 31, -1);
      await setHead(db, ENTRIES - 1);
      expect((await verifyChain(db, opts())).failure).toMatchObject({ seq: 30, kind: 'prev_hash_mismatch' });
    });

    it('an inserted entry with a correctly computed hash: the next entry does not follow it', async () => {
      const { db } = await chain();
      const before = await row(db, 29);
      await shift(db, 30, 1);
      const forged = { ...before, seq: 30, purpose: 'forged', prev_hash: before.row_hash };
      forged.row_hash = new RowHasher().hash(before.row_hash, forged);
      await db.kysely.insertInto('audit_log').values(forged).execute();
      await setHead(db, ENTRIES + 1);
      const f = (await verifyChain(db, opts())).failure;
      expect(f).toMatchObject({ seq: 31, kind: 'prev_hash_mismatch' });
      expect(f?.message).toMatch(/inserted or entries reordered/);
    });

    it('two entries swapped: the first of them does not follow its predecessor', async () => {
      const { db } = await chain();
      await sql`UPDATE audit_log SET seq = -1 WHERE seq = 30`.execute(db.kysely);
      await sql`UPDATE audit_log SET seq = 30 WHERE seq = 31`.execute(db.kysely);
      await sql`UPDATE audit_log SET seq = 31 WHERE seq = -1`.execute(db.kysely);
      expect((await verifyChain(db, opts())).failure).toMatchObject({ seq: 30, kind: 'prev_hash_mismatch' });
    });

    it('the tail cut off behind the last checkpoint, head adjusted: the signed checkpoint shows it', async () => {
      const { db } = await chain();
      await db.kysely.deleteFrom('audit_log').where('seq', '>', 35).execute();
      await setHead(db, 35);
      const f = (await verifyChain(db, opts())).failure;
      expect(f).toMatchObject({ seq: 36, kind: 'truncated' });
      expect(f?.message).toMatch(/checkpoint is signed at entry 41/);
    });

    it('the tail cut off and the stored checkpoints removed too: only the exported copy shows it', async () => {
      const { db, exported } = await chain();
      await db.kysely.deleteFrom('audit_log').where('seq', '>', 35).execute();
      await db.kysely.deleteFrom('audit_checkpoints').where('seq', '>', 35).execute();
      await setHead(db, 35);
      // The database alone is consistent again: this is why checkpoints must leave the box.
      expect((await verifyChain(db, opts())).ok).toBe(true);
      expect((await verifyChain(db, opts({ checkpoints: exported }))).failure).toMatchObject({ seq: 36, kind: 'truncated' });
    });

    it('the tail cut off but the head left alone: the head shows it', async () => {
      const { db } = await chain();
      await db.kysely.deleteFrom('audit_log').where('seq', '>', 45).execute();
      expect((await verifyChain(db, opts())).failure).toMatchObject({ seq: 46, kind: 'truncated' });
    });

    it('an edit with the whole chain re-hashed after it: only the signed checkpoint catches it', async () => {
      const { db, exported } = await chain();
      await db.kysely.updateTable('audit_log').set({ destination: '私人U盘' }).where('seq', '=', 30).execute();
      await rehashFrom(db, 30);
      const f = (await verifyChain(db, opts())).failure;
      expect(f).toMatchObject({ seq: 41, kind: 'checkpoint_mismatch' });
      expect(f?.message).toMatch(/after entry 21 was rewritten/);
      expect((await verifyChain(db, opts({ useStoredCheckpoints: false }))).ok).toBe(true);
      // The attacker also removes the stored checkpoints: the exported file still catches it.
      await db.kysely.deleteFrom('audit_checkpoints').execute();
      expect((await verifyChain(db, opts({ checkpoints: exported }))).failure).toMatchObject({ seq: 41, kind: 'checkpoint_mismatch' });
    });

    it('a rewritten chain with a re-signed checkpoint under another key: the signature is refused', async () => {
      const { db } = await chain();
      await db.kysely.updateTable('audit_log').set({ destination: '私人U盘' }).where('seq', '=', 30).execute();
      await rehashFrom(db, 30);
      const attacker = new AuditLog(db, { keys: PlatformKeys.ephemeral() });
      await db.kysely.deleteFrom('audit_checkpoints').where('seq', '>', 21).execute();
      await db.kysely.updateTable('audit_head').set({ checkpoint_seq: 21 }).where('id', '=', 1).execute();
      await attacker.checkpointNow();
      const f = (await verifyChain(db, opts())).failure;
      expect(f).toMatchObject({ seq: ENTRIES, kind: 'checkpoint_signature' });
      expect(f?.message).toMatch(/not a trusted platform key/);
    });

    it('a checkpoint altered in the database: its signature no longer holds', async () => {
      const { db } = await chain();
      await db.kysely.updateTable('audit_checkpoints').set({ at: T0 + 1 }).where('seq', '=', 21).execute();
      expect((await verifyChain(db, opts())).failure).toMatchObject({ seq: 21, kind: 'checkpoint_signature' });
    });

    it('an entry added beyond the head with a correct hash: the head shows it', async () => {
      const { db } = await chain();
      const last = await row(db, ENTRIES);
      const extra = { ...last, seq: ENTRIES + 1, prev_hash: last.row_hash };
      extra.row_hash = new RowHasher().hash(last.row_hash, extra);
      await db.kysely.insertInto('audit_log').values(extra).execute();
      expect((await verifyChain(db, opts())).failure).toMatchObject({ seq: ENTRIES + 1, kind: 'head_mismatch' });
    });

    it('a checkpoint is only trusted under the given public key', async () => {
      const { db } = await chain();
      const other = generateKeyPairSync('ed25519').publicKey;
      expect((await verifyChain(db, opts({ publicKey: other }))).failure).toMatchObject({ seq: 1, kind: 'checkpoint_signature' });
      expect((await verifyChain(db, opts({ publicKey: [other, keys.publicKey] }))).ok).toBe(true);
    });
  });
}
