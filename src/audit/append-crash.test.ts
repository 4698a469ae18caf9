// The register killed while concurrent callers append, both ways an entry is written: in the
// caller's own transaction (an action: append) and alone, group-committed with the entries of
// other callers (record). An entry counts as acknowledged once its caller's promise settled; after
// the crash every acknowledged entry is in the chain, once, and the chain verifies. Judged by
// which entries were acknowledged, not by timing.
// PostgreSQL: the server and every backend get SIGKILL, with its durable defaults (an action's
// entry goes with its COMMIT in one round trip, and concurrent actions that write only their entry
// share one transaction and its COMMIT, src/db/pg-statements.ts; a group's entries in one
// transaction), then crash recovery. SQLite: the appending process gets SIGKILL (its commits are
// in the write-ahead log at once; synchronous=NORMAL syncs the log at checkpoints, so a power cut
// — not a killed process — may lose the last commits: docs/DEPLOY.md).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPostgres, type ThrowawayPostgres } from '../../test/support/postgres.js';
import { testChildEntry } from '../../test/support/vigil-entry.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { AuditLog } from './audit-log.js';
import { PlatformKeys } from './platform-key.js';
import { verifyChain } from './verify.js';

const CALLERS = 16;
/** Acknowledged entries before the kill: enough that many are in flight when it lands. */
const BEFORE_KILL = 400;
const MODES = ['action', 'record'] as const;
type Mode = (typeof MODES)[number];
const APPENDER = join(import.meta.dirname, '../../test/support/audit-ack-appender.ts');

/** After the crash: every acknowledged entry present once, the chain whole. */
async function expectAcknowledgedInChain(db: Db, keys: PlatformKeys, acknowledged: number[]): Promise<void> {
  const after = new AuditLog(db, { keys });
  await after.chainPending();
  const rows = await db.kysely.selectFrom('audit_log').select('detail').execute();
  const present = rows.map((r) => (JSON.parse(r.detail) as { n: number }).n);
  const have = new Set(present);
  const missing = acknowledged.filter((n) => !have.has(n));
  expect(missing, 'acknowledged entries missing after the crash').toEqual([]);
  expect(have.size, 'an entry chained twice').toBe(present.length);
  // Entries committed but not acknowledged (the answer lost with the process) may be there too.
  expect(present.length).toBeGreaterThanOrEqual(acknowledged.length);
  const report = await verifyChain(db, { publicKey: keys.publicKey });
  expect(report.ok, report.failure?.message).toBe(true);
  expect(report.entries).toBe(present.length);
  await after.close();
}

describe('the register on PostgreSQL killed during concurrent appends', () => {
  let pg: ThrowawayPostgres | undefined;
  afterAll(async () => {
    await pg?.stop();
  });

  for (const mode of MODES) {
    it(`has every acknowledged entry (${mode === 'action' ? 'in its action\'s transaction' : 'recorded alone, group-committed'}) in a chain that verifies after the restart`, async () => {
      pg ??= await startPostgres({ durable: true });
      const url = await pg.createDatabase(`crash_${mode}`);
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
          const entry = {
            action: 'view' as const, actors: [{ userId: 1, workId: 'W1', name: '值班员' }], cameraIds: [1 + (n % 7)],
            purpose: '值守监看', outcome: 'success' as const, detail: { n },
          };
          try {
            if (mode === 'record') await log.record(entry);
            else await db.kysely.transaction().execute((trx) => log.append(trx, entry));
          } catch {
            // Its entry was in flight, or began after the kill: it is not acknowledged.
            failed++;
            return;
          }
          acknowledged.push(n);
          if (acknowledged.length === BEFORE_KILL) killed();
        }
      });
      await kill;
      // The actions (their entry their only write) shared COMMITs before the kill.
      const rides = { ...db.statements! };
      if (mode === 'action') expect(rides.riders).toBeGreaterThan(rides.rides);
      await pg.kill();
      await Promise.all(callers);
      await log.close().catch(() => undefined);
      await db.close().catch(() => undefined);
      // Every caller learned of the kill by a failed entry; many were acknowledged before it.
      expect(failed).toBe(CALLERS);
      expect(acknowledged.length).toBeGreaterThanOrEqual(BEFORE_KILL);

      await pg.resume().catch(async (e) => {
        throw new Error(`${(e as Error).message}\n${(await pg!.log()).slice(-2000)}`);
      });
      const again = openDatabase(url, { poolSize: 2 });
      try {
        await expectAcknowledgedInChain(again, keys, acknowledged);
      } finally {
        await again.close();
      }
    }, 180_000);
  }
});

describe('the register on SQLite, its process killed during concurrent appends', () => {
  for (const mode of MODES) {
    it(`has every acknowledged entry (${mode === 'action' ? 'in its action\'s transaction' : 'recorded alone, group-committed'}) in a chain that verifies`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'vigil-audit-crash-'));
      const url = `sqlite:${join(dir, 'register.db')}`;
      const keys = PlatformKeys.loadOrCreate(dir);
      const setup = openDatabase(url);
      await migrateToLatest(setup);
      await setup.close();

      const child = spawn(process.execPath, [...testChildEntry(APPENDER), url, dir, mode, String(CALLERS)], {
        cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'],
      });
      const acknowledged: number[] = [];
      let partial = '';
      let stderr = '';
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
      const ended = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('close', (code, signal) => resolve(signal ?? code)));
      child.stdout.on('data', (b: Buffer) => {
        const lines = (partial + b.toString()).split('\n');
        partial = lines.pop()!;
        for (const line of lines) acknowledged.push(Number(line));
        if (acknowledged.length >= BEFORE_KILL && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      });
      const how = await ended;
      expect(how, `the appender ended on its own: ${stderr.slice(-2000)}`).toBe('SIGKILL');
      expect(acknowledged.length).toBeGreaterThanOrEqual(BEFORE_KILL);
      expect(partial, 'a line cut short').toBe('');

      const again = openDatabase(url);
      try {
        await expectAcknowledgedInChain(again, keys, acknowledged);
      } finally {
        await again.close();
      }
    }, 120_000);
  }
});
