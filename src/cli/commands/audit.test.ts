import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../../test/support/databases.js';
import { AuditLog } from '../../audit/audit-log.js';
import { PlatformKeys } from '../../audit/platform-key.js';
import type { Db } from '../../db/database.js';
import { fixedClock } from '../../domain/clock.js';
import { UsageError } from '../output.js';
import { auditCommand, type AuditCommandContext } from './audit.js';

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

async function run(ctx: AuditCommandContext, ...args: string[]): Promise<{ code: number; out: string }> {
  const s = sink();
  const code = await auditCommand(ctx, args, s.stream);
  return { code, out: s.text() };
}

async function dropTriggers(db: Db) {
  if (db.dialect === 'postgres') {
    for (const t of ['audit_log', 'audit_checkpoints']) await sql.raw(`ALTER TABLE ${t} DISABLE TRIGGER USER`).execute(db.kysely);
  } else {
    const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master WHERE type = 'trigger'`.execute(db.kysely);
    for (const t of rows) await sql.raw(`DROP TRIGGER ${t.name}`).execute(db.kysely);
  }
}

for (const dialect of DIALECTS) {
  describe(`vigil audit on ${dialect}`, () => {
    let db: Db;
    let ctx: AuditCommandContext;
    let dir: string;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      dir = mkdtempSync(join(tmpdir(), 'vigil-cli-audit-'));
      ctx = { db, clock: fixedClock(Date.UTC(2026, 4, 1)), config: { dataDir: dir } };
    });
    afterAll(async () => {
      await db?.close();
    });

    it('verifies an empty register, then a filled one, naming the last checkpoint', async () => {
      expect(await run(ctx, 'verify')).toEqual({ code: 0, out: expect.stringMatching(/^chain intact: 0 entries, last checkpoint seq none/) });
      const log = new AuditLog(db, { keys: PlatformKeys.loadOrCreate(dir), clock: ctx.clock, checkpoints: { everyEntries: 10 } });
      for (let i = 0; i < 35; i++) {
        await log.record({ action: 'playback', actors: [{ userId: 3, workId: 'P3', name: '张三' }], cameraIds: [i % 3 + 1], purpose: '核查', outcome: 'success' });
      }
      expect(await run(ctx, 'verify')).toEqual({ code: 0, out: expect.stringMatching(/^chain intact: 35 entries, last checkpoint seq 31 /) });
      const json = JSON.parse((await run(ctx, 'verify', '--json')).out);
      expect(json).toMatchObject({ ok: true, entries: 35, lastCheckpointSeq: 31 });
    });

    it('searches and exports the register, and records that it did', async () => {
      const s = await run(ctx, 'search', '--camera', '2', '--limit', '5');
      expect(s.code).toBe(0);
      expect(s.out).toMatch(/张三 \(P3, #3\)/);
      expect(s.out).toMatch(/5 entries; more with --cursor \d+/);
      const file = join(dir, 'register.csv');
      expect((await run(ctx, 'export', '--format', 'csv', '--out', file, '--action', 'playback', '--utc-offset', '480')).out).toBe(`wrote ${file}\n`);
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(36);
      const accesses = await run(ctx, 'search', '--action', 'register_access', '--json');
      expect(JSON.parse(accesses.out).items.map((e: { detail: { what: string } }) => e.detail.what)).toEqual(['export csv', 'search']);
      await expect(run(ctx, 'export', '--format', 'doc')).rejects.toThrow(UsageError);
      await expect(run(ctx, 'search', '--outcome', 'maybe')).rejects.toThrow(UsageError);
      await expect(run(ctx, 'search', '--from', 'yesterday')).rejects.toThrow(UsageError);
    });

    it('exports checkpoints and the public key, and a verify against them catches a cut tail the database hides', async () => {
      const cps = join(dir, 'checkpoints.jsonl');
      const pub = join(dir, 'platform.pub.pem');
      const e = await run(ctx, 'export-checkpoints', cps);
      expect(e.out).toMatch(/^wrote \d+ checkpoints \(through entry \d+\)/);
      writeFileSync(pub, (await run(ctx, 'public-key')).out);
      expect((await run(ctx, 'verify', '--checkpoints', cps, '--public-key', pub)).code).toBe(0);

      await dropTriggers(db);
      await db.kysely.deleteFrom('audit_log').where('seq', '>', 15).execute();
      await db.kysely.deleteFrom('audit_checkpoints').where('seq', '>', 15).execute();
      const last = await db.kysely.selectFrom('audit_log').select('row_hash').where('seq', '=', 15).executeTakeFirstOrThrow();
      await db.kysely.updateTable('audit_head').set({ seq: 15, row_hash: last.row_hash, checkpoint_seq: 11 }).where('id', '=', 1).execute();

      expect((await run(ctx, 'verify')).code).toBe(0);
      const broken = await run(ctx, 'verify', '--checkpoints', cps, '--public-key', pub);
      expect(broken.code).toBe(1);
      expect(broken.out).toMatch(/^chain broken at entry 16 \(truncated\): a checkpoint is signed at entry 21/);

      await db.kysely.updateTable('audit_log').set({ purpose: '改' }).where('seq', '=', 4).execute();
      expect(await run(ctx, 'verify')).toEqual({ code: 1, out: expect.stringMatching(/^chain broken at entry 4 \(hash_mismatch\): entry 4 does not match its hash \(it was edited\)\n3 entries before it verified/) });
    });
  });
}
