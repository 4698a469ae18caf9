// PostgreSQL killed (SIGKILL, the server and every backend) while actions append to the register
// with its durable defaults: each action's entry goes to the server with its COMMIT in one round
// trip (WITH_COMMIT, src/db/pg-statements.ts), so an action must be acknowledged only once that
// COMMIT is durable. After the restart (crash recovery), every acknowledged entry is in the chain,
// once, and the chain verifies. Judged by which actions were acknowledged, not by timing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type ThrowawayPostgres } from '../../test/support/postgres.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { AuditLog } from './audit-log.js';
import { PlatformKeys } from './platform-key.js';
import { verifyChain } from './verify.js';

const CALLERS = 16;
/** Acknowledged actions before the kill: enough that many are in flight when it lands. */
const BEFORE_KILL = 400;

describe('the register on PostgreSQL killed during concurrent appends', () => {
  let pg: ThrowawayPostgres | undefined;
  afterAll(async () => {
    await pg?.stop();
  });

  it('has every acknowledged entry in a chain that verifies after the restart', async () => {
    pg = await startPostgres({ durable: true });
    const url = await pg.createDatabase('crash');
    const keys = PlatformKeys.loadOrCreate(mkdtempSync(join(tmpdir(), 'vigil-audit-crash-')));
    const db = openDatabase(url, { poolSize: 10 });
    await migrateToLatest(db);
    const log = new AuditLog(db, { keys });
    const acknowledged: number[] = [];
    let failed = 0;
    let next = 0;
    let killed: () => void = () => undefined;
    const kill = new Promise<void>((resolve) => (killed = resolve));
    const callers = Array.from({ length: CALLERS }, async () => {
      for (;;) {
        const n = next++;
        try {
          await db.kysely.transaction().execute((trx) => log.append(trx, {
            action: 'view', actors: [{ userId: 1, workId: 'W1', name: '值班员' }], cameraIds: [1 + (n % 7)],
            purpose: '值守监看', outcome: 'success', detail: { n },
          }));
        } catch {
          // Its action was in flight, or began after the kill: it is not acknowledged.
          failed++;
          return;
        }
        acknowledged.push(n);
        if (acknowledged.length === BEFORE_KILL) killed();
      }
    });
    await kill;
    await pg.kill();
    await Promise.all(callers);
    await log.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    // Every caller learned of the kill by a failed action; many were acknowledged before it.
    expect(failed).toBe(CALLERS);
    expect(acknowledged.length).toBeGreaterThanOrEqual(BEFORE_KILL);

    await pg.resume().catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${(await pg!.log()).slice(-2000)}`);
    });
    const again = openDatabase(url, { poolSize: 2 });
    try {
      const after = new AuditLog(again, { keys });
      await after.chainPending();
      const rows = await again.kysely.selectFrom('audit_log').select('detail').execute();
      const present = rows.map((r) => (JSON.parse(r.detail) as { n: number }).n);
      const missing = acknowledged.filter((n) => !present.includes(n));
      expect(missing, 'acknowledged entries missing after the crash').toEqual([]);
      expect(new Set(present).size, 'an entry chained twice').toBe(present.length);
      // Entries committed but not acknowledged (the answer lost with the server) may be there too.
      expect(present.length).toBeGreaterThanOrEqual(acknowledged.length);
      const report = await verifyChain(again, { publicKey: keys.publicKey });
      expect(report.ok, report.failure?.message).toBe(true);
      expect(report.entries).toBe(present.length);
      await after.close();
    } finally {
      await again.close();
    }
  });
});
