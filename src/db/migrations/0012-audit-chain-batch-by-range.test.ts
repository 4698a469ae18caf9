// Migration 0012: a backlog in PostgreSQL's inbox is chained by reading each waiting row a few
// times, not once per row of every batch, even in a session whose plans were made while the inbox
// was empty (the plans PostgreSQL caches for a function's statements).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../audit/audit-log.js';
import { PlatformKeys } from '../../audit/platform-key.js';
import { verifyChain } from '../../audit/verify.js';
import { freshDatabase } from '../../../test/support/databases.js';
import { openDatabase, type Db } from '../database.js';

const BACKLOG = 20_000;

/** Rows read from audit_inbox so far, by sequential and index scans (flushed first). */
async function inboxRowsRead(db: Db): Promise<number> {
  await sql`SELECT pg_stat_force_next_flush()`.execute(db.kysely);
  await sql`SELECT pg_stat_clear_snapshot()`.execute(db.kysely);
  const r = await sql<{ n: string }>`SELECT (coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::text AS n FROM pg_stat_user_tables WHERE relname = 'audit_inbox'`.execute(db.kysely);
  return Number(r.rows[0]!.n);
}

describe('0012 on postgres', () => {
  it('chains a backlog reading each waiting entry a few times, with plans made while the inbox was empty', async () => {
    const setup = await freshDatabase('postgres');
    // Every session caches generic plans at once, as PostgreSQL may after five calls; the inbox
    // is then empty, with no pages (vacuumed), as it usually is.
    const name = /\/([^/]+)$/.exec(setup.url)![1]!;
    await sql.raw(`ALTER DATABASE ${name} SET plan_cache_mode = force_generic_plan`).execute(setup.kysely);
    await sql`ALTER TABLE audit_inbox SET (autovacuum_enabled = false)`.execute(setup.kysely);
    await setup.close();
    const db = openDatabase(setup.url, { poolSize: 1 });
    try {
      await sql`VACUUM ANALYZE audit_inbox`.execute(db.kysely);
      const log = new AuditLog(db, { keys: PlatformKeys.loadOrCreate(mkdtempSync(join(tmpdir(), 'vigil-0012-'))) });
      expect(await log.chainPending()).toBe(0);
      // Then a backlog: a node's entries committed while no chainer ran.
      await sql`INSERT INTO audit_inbox (at, action, actors, camera_ids, outcome, detail, refs)
        SELECT 1767225600000 + g, 'view', '[]', '[1]', 'success', '{}', '[["camera",1]]' FROM generate_series(1, ${BACKLOG}) AS g`.execute(db.kysely);
      const before = await inboxRowsRead(db);
      expect(await log.chainPending()).toBe(BACKLOG);
      const read = (await inboxRowsRead(db)) - before;
      // 0010's function read the whole inbox again for every batch (420,000 rows here), and
      // compared each row read with every row of the batch: 15 s against 1 s.
      expect(read, `rows of audit_inbox read to chain ${BACKLOG}`).toBeLessThan(5 * BACKLOG);
      const r = await verifyChain(db, { publicKey: log.keys.publicKey });
      expect(r.failure).toBeNull();
      expect(r.entries).toBe(BACKLOG);
    } finally {
      await db.close();
    }
  });
});
