import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import { openDatabase, type Db } from '../db/database.js';
import { isVigilError } from '../errors.js';
import { AuditLog, refsOf } from './audit-log.js';
import { toAuditContent, type AuditEntryInput } from './entry.js';
import { PlatformKeys } from './platform-key.js';
import { verifyChain } from './verify.js';
import { testChildEntry } from '../../test/support/vigil-entry.js';

const run = promisify(execFile);

describe('the register\'s search index rows of an entry', () => {
  it('names each actor, camera, subject and organisation it is about once', () => {
    const c = toAuditContent({
      action: 'registry_change', outcome: 'success', target: 'organisation:4 update', cameraIds: [9, 9, 8],
      actors: [{ userId: 1, workId: 'A', name: null }, { userId: 1, workId: 'A', name: null }, { userId: null, workId: null, name: 'x' }],
    }, 1);
    expect(refsOf(c, [4, 5, 5])).toEqual([['user', 1], ['camera', 9], ['camera', 8], ['organisation', 4], ['organisation', 5]]);
    expect(refsOf(c)).toEqual([['user', 1], ['camera', 9], ['camera', 8], ['organisation', 4]]);
  });
});
const WORKER = join(import.meta.dirname, '../../test/support/audit-append-worker.ts');

function view(i: number, over: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    action: 'view',
    actors: [{ userId: 1 + (i % 3), workId: `W${1 + (i % 3)}`, name: '值班员' }],
    cameraIds: [100 + (i % 5)],
    from: 1_700_000_000_000 + i,
    to: 1_700_000_060_000 + i,
    purpose: '值守监看',
    sourceAddress: '10.0.0.8',
    outcome: 'success',
    detail: { i },
    ...over,
  };
}

async function seqs(db: Db): Promise<number[]> {
  const rows = await db.kysely.selectFrom('audit_log').select('seq').orderBy('seq').execute();
  return rows.map((r) => Number(r.seq));
}

for (const dialect of DIALECTS) {
  describe(`access register on ${dialect}`, () => {
    let db: Db;
    let keys: PlatformKeys;
    let dataDir: string;
    let log: AuditLog;
    beforeAll(async () => {
      db = await freshDatabase(dialect);
      dataDir = mkdtempSync(join(tmpdir(), 'vigil-audit-'));
      keys = PlatformKeys.loadOrCreate(dataDir);
      log = new AuditLog(db, { keys, checkpoints: { everyEntries: 50 } });
    });
    afterAll(async () => {
      await db?.close();
    });

    it('appends single entries and batches into one gapless chain that verifies', async () => {
      for (let i = 0; i < 30; i++) await log.record(view(i));
      await db.kysely.transaction().execute((trx) => log.appendMany(trx, Array.from({ length: 120 }, (_, i) => view(30 + i))));
      expect(await seqs(db)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
      const r = await verifyChain(db, { publicKey: keys.publicKey });
      expect(r.failure).toBeNull();
      expect(r.entries).toBe(150);
      expect(r.lastCheckpointSeq).toBe(150);
    });

    it('keeps one chain when many transactions append at once', async () => {
      const before = (await log.repo.head()).seq;
      await Promise.all(
        Array.from({ length: 6 }, (_, w) =>
          (async () => {
            for (let i = 0; i < 20; i++) {
              await log.transaction(async (trx) => {
                await log.append(trx, view(i, { detail: { w, i } }));
              });
            }
          })(),
        ),
      );
      // PostgreSQL chains just after each commit: wait for what is still in flight.
      await log.chainPending();
      expect((await log.repo.head()).seq).toBe(before + 120);
      const r = await verifyChain(db, { publicKey: keys.publicKey });
      expect(r.failure).toBeNull();
      expect(r.entries).toBe(before + 120);
    });

    it('keeps the chain whole when concurrent appenders\' actions roll back after their records', async () => {
      const before = (await log.repo.head()).seq;
      const outcomes = await Promise.allSettled(
        Array.from({ length: 24 }, (_, i) =>
          db.kysely.transaction().execute(async (trx) => {
            await log.append(trx, view(i, { detail: { race: i } }));
            // Every fifth action fails after its record: both must vanish, and the entries
            // appended behind it (on SQLite chained on it in advance) must neither be lost nor fork.
            if (i % 5 === 2) throw new Error(`action ${i} failed`);
          }),
        ),
      );
      const kept = outcomes.filter((o) => o.status === 'fulfilled').length;
      expect(kept).toBe(24 - 5);
      await log.chainPending();
      expect((await log.repo.head()).seq).toBe(before + kept);
      const rows = await db.kysely.selectFrom('audit_log').select(['seq', 'detail']).where('seq', '>', before).orderBy('seq').execute();
      expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: kept }, (_, k) => before + 1 + k));
      expect(rows.map((r) => JSON.parse(r.detail).race as number).filter((i) => i % 5 === 2)).toEqual([]);
      const r = await verifyChain(db, { publicKey: keys.publicKey });
      expect(r.failure).toBeNull();
      // The next append after a rollback still lands on the true head.
      await log.record(view(99));
      expect((await verifyChain(db, { publicKey: keys.publicKey })).failure).toBeNull();
    });

    it('keeps one chain when a transaction appends again while others wait behind it', async () => {
      const before = (await log.repo.head()).seq;
      let waiting: Promise<unknown> = Promise.resolve();
      await db.kysely.transaction().execute(async (trx) => {
        await log.append(trx, view(1, { detail: { step: 'first' } }));
        // Another action appends now: it queues behind this transaction's lock.
        waiting = log.record(view(2, { detail: { step: 'other' } }));
        // PostgreSQL: the action holds no lock, so the other entry commits meanwhile (waited for,
        // not given a time: a busy machine took longer than any). SQLite: it waits for this
        // transaction's connection, so it is only given the chance to jump the queue.
        if (dialect === 'postgres') await waiting;
        else await new Promise((r) => setTimeout(r, 30));
        await log.append(trx, view(3, { detail: { step: 'second' } }));
      });
      await waiting;
      await log.chainPending();
      const steps = await db.kysely.selectFrom('audit_log').select('detail').where('seq', '>', before).orderBy('seq').execute();
      // SQLite chains at the append, holding the lock from the first; PostgreSQL chains an
      // action's entries after it commits, so the one committed meanwhile comes first.
      expect(steps.map((s) => JSON.parse(s.detail).step)).toEqual(dialect === 'sqlite' ? ['first', 'second', 'other'] : ['other', 'first', 'second']);
      expect((await verifyChain(db, { publicKey: keys.publicKey })).failure).toBeNull();
    });

    // SQLite is reached through one connection a process (a second one in the same thread would
    // block it in busy_timeout); its appenders in other processes are the next test.
    it.runIf(dialect === 'postgres')('keeps one chain when two appenders race over two connections of one process', async () => {
      const before = (await log.repo.head()).seq;
      const other = openDatabase(db.url);
      const second = new AuditLog(other, { keys, checkpoints: { everyEntries: 20 } });
      try {
        const race = (l: AuditLog, d: Db, name: string) =>
          Promise.all(Array.from({ length: 6 }, async (_, c) => {
            for (let i = 0; i < 10; i++) {
              if (i % 2) await l.record(view(i, { detail: { name, c, i } }));
              else await d.kysely.transaction().execute((trx) => l.append(trx, view(i, { detail: { name, c, i } })));
            }
          }));
        await Promise.all([race(log, db, 'one'), race(second, other, 'two')]);
        await second.chainPending();
      } finally {
        await other.close();
      }
      await log.chainPending();
      expect(await seqs(db)).toEqual(Array.from({ length: before + 120 }, (_, i) => i + 1));
      const r = await verifyChain(db, { publicKey: keys.publicKey });
      expect(r.failure).toBeNull();
      expect(r.entries).toBe(before + 120);
    }, 30_000);

    it('writes concurrent standalone entries in shared commits, each caller learning its own outcome', async () => {
      const own = await freshDatabase(dialect);
      try {
        const ownLog = new AuditLog(own, { keys });
        await ownLog.record(view(0));
        // Callers arriving while one commit is written share the next one.
        await Promise.all(Array.from({ length: 20 }, (_, i) => ownLog.record(view(i))));
        expect(ownLog.counters.grouped).toBeGreaterThan(0);
        const start = (await ownLog.repo.head()).seq;
        // Stray index rows where any entry naming camera 999 would land: the database refuses it.
        await own.kysely.insertInto('audit_refs').values(Array.from({ length: 60 }, (_, k) => ({ kind: 'camera' as const, ref: 999, seq: start + 1 + k }))).execute();
        const results = await Promise.allSettled(
          Array.from({ length: 40 }, (_, i) =>
            ownLog.record(i === 17 ? view(i, { cameraIds: [999] }) : i === 23 ? view(i, { action: 'copy' }) : view(i, { detail: { i } })),
          ),
        );
        const failed = results.map((r, i) => (r.status === 'rejected' ? i : -1)).filter((i) => i >= 0);
        expect(failed).toEqual([17, 23]);
        const seqsDone = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.lastSeq] : []));
        expect(new Set(seqsDone).size).toBe(38);
        expect(await seqs(own)).toEqual(Array.from({ length: start + 38 }, (_, i) => i + 1));
        const r = await verifyChain(own, { publicKey: keys.publicKey });
        expect(r.failure).toBeNull();
        const hashes = await own.kysely.selectFrom('audit_log').select(['seq', 'row_hash']).execute();
        const bySeq = new Map(hashes.map((h) => [Number(h.seq), h.row_hash]));
        for (const x of results) if (x.status === 'fulfilled') expect(bySeq.get(x.value.lastSeq)).toBe(x.value.rowHash);
      } finally {
        await own.close();
      }
    });

    it('keeps one chain when other processes append over their own connections at the same time', async () => {
      const before = (await log.repo.head()).seq;
      const other = openDatabase(db.url);
      const mine = new AuditLog(other, { keys: PlatformKeys.loadOrCreate(dataDir), checkpoints: { everyEntries: 25 } });
      let mineCount = 0;
      try {
        const workers = ['a', 'b'].map((name) =>
          run(process.execPath, [...testChildEntry(WORKER), db.url, dataDir, '150', name], { cwd: join(import.meta.dirname, '../..') }),
        );
        let done = false;
        const finished = Promise.all(workers).finally(() => (done = true));
        // Keep appending from this process for as long as the others do.
        while (!done || mineCount < 20) {
          await mine.record(view(mineCount, { detail: { w: 'main', i: mineCount } }));
          mineCount++;
          await new Promise((r) => setTimeout(r, 2));
        }
        await finished;
      } finally {
        await other.close();
      }
      const total = before + 300 + mineCount;
      const all = await seqs(db);
      expect(all.length).toBe(total);
      expect(all[all.length - 1]).toBe(total);
      const r = await verifyChain(db, { publicKey: keys.publicKey });
      expect(r.failure).toBeNull();
      expect(r.entries).toBe(total);
      const names = await db.kysely.selectFrom('audit_log').select('actors').where('seq', '>', before).execute();
      const count = (n: string) => names.filter((x) => JSON.parse(x.actors)[0].name === n).length;
      expect([count('a'), count('b')]).toEqual([150, 150]);
    }, 60_000);

    it.runIf(dialect === 'postgres')('chains an action\'s entries just after its commit, and a reader sees them at once', async () => {
      const own = await freshDatabase(dialect);
      try {
        const ownLog = new AuditLog(own, { keys });
        await own.kysely.transaction().execute(async (trx) => {
          expect(await ownLog.append(trx, view(1))).toBeNull();
          // Nothing is locked or chained inside the action.
          expect((await ownLog.repo.head(trx)).seq).toBe(0);
          await ownLog.append(trx, view(2));
        });
        // Chained by the log itself a moment after the commit, with nobody asking.
        for (let waited = 0; (await seqs(own)).length < 2 && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
        expect(await seqs(own)).toEqual([1, 2]);
        // A reader right after an action sees its entry.
        await own.kysely.transaction().execute((trx) => ownLog.append(trx, view(3)));
        expect((await ownLog.search({ limit: 1 })).items[0]).toMatchObject({ seq: 3, detail: { i: 3 } });
        // A rolled-back action leaves nothing, in the chain or waiting.
        await expect(own.kysely.transaction().execute(async (trx) => {
          await ownLog.append(trx, view(4));
          throw new Error('the action failed');
        })).rejects.toThrow('the action failed');
        expect(await ownLog.chainPending()).toBe(0);
        expect(await ownLog.repo.inboxWaiting()).toMatchObject({ count: 0 });
        expect((await verifyChain(own, { publicKey: keys.publicKey })).failure).toBeNull();
        expect(ownLog.chainer!.counters.chained).toBe(3);
      } finally {
        await own.close();
      }
    });

    it.runIf(dialect === 'postgres')('chains what it appended when closed, and runs nothing on the database after', async () => {
      const own = await freshDatabase(dialect);
      const failed: unknown[] = [];
      const ownLog = new AuditLog(own, { keys, onChainBatchFailed: (e) => failed.push(e) });
      await own.kysely.transaction().execute((trx) => ownLog.append(trx, view(1)));
      // Closed before the chaining it scheduled after the append (50 ms) has run.
      await ownLog.close();
      expect(await seqs(own)).toEqual([1]);
      expect(ownLog.chainer!.counters.chained).toBe(1);
      await own.close();
      // The scheduled run would now meet a closed database: it does not run.
      await new Promise((r) => setTimeout(r, 150));
      expect(failed).toEqual([]);
      expect(ownLog.chainer!.counters).toMatchObject({ chained: 1, fallbacks: 0 });
    });

    it.runIf(dialect === 'postgres')('chains what a stopped node committed, skips a row it cannot chain, and verify names that row', async () => {
      const own = await freshDatabase(dialect);
      try {
        const stuck: number[] = [];
        const ownLog = new AuditLog(own, { keys, onStuck: (id) => stuck.push(id) });
        await own.kysely.transaction().execute((trx) => ownLog.append(trx, view(1)));
        await ownLog.chainPending();
        // A node that committed two entries and stopped before chaining them; between them, a
        // row damaged in the inbox (its index refs are not JSON).
        await own.kysely.transaction().execute(async (trx) => {
          const content = toAuditContent(view(2), Date.now());
          await ownLog.repo.insertInbox(trx, [content], [[['camera', 101]]]);
          await sql`INSERT INTO audit_inbox (at, action, actors, camera_ids, outcome, detail, refs)
            VALUES (${Date.now()}, 'view', '[]', '[]', 'success', '{}', 'not json')`.execute(trx);
          await ownLog.repo.insertInbox(trx, [toAuditContent(view(3), Date.now())], [[['camera', 102]]]);
        });
        const refused: unknown[] = [];
        const other = new AuditLog(own, { keys, onStuck: (id) => stuck.push(id), onChainBatchFailed: (e) => refused.push(e) });
        expect(await other.chainPending()).toBe(2);
        expect(await seqs(own)).toEqual([1, 2, 3]);
        expect(stuck).toHaveLength(1);
        // The batch holding the damaged row was refused once, and said so.
        expect(refused).toHaveLength(1);
        expect(other.chainer!.counters.fallbacks).toBe(1);
        // The chain itself is intact; the row left waiting is what verify reports.
        const r = await verifyChain(own, { publicKey: keys.publicKey });
        expect(r.failure).toMatchObject({ kind: 'unchained', seq: 4 });
        expect(r.failure!.message).toContain(`inbox id ${stuck[0]}`);
      } finally {
        await own.close();
      }
    });

    it('refuses UPDATE, DELETE (and on PostgreSQL TRUNCATE) of register rows through the ordinary connection', async () => {
      const attempts = [
        sql`UPDATE audit_log SET purpose = 'nothing to see' WHERE seq = 3`,
        sql`DELETE FROM audit_log WHERE seq = 3`,
        sql`DELETE FROM audit_log`,
        sql`UPDATE audit_checkpoints SET at = 0`,
        sql`DELETE FROM audit_checkpoints`,
        sql`DELETE FROM audit_refs`,
        sql`UPDATE audit_refs SET ref = 0`,
        ...(dialect === 'postgres' ? [sql`TRUNCATE audit_log`, sql`TRUNCATE audit_checkpoints`] : []),
      ];
      for (const q of attempts) {
        await expect(q.execute(db.kysely)).rejects.toThrow(/append-only/);
      }
      expect((await verifyChain(db, { publicKey: keys.publicKey })).ok).toBe(true);
    });

    it('commits the action and its record together, and rolls the action back when the record fails', async () => {
      const org = (name: string) => ({ kind: 'unit' as const, name, unit_roles: '[]', path: '/', created_at: 1, updated_at: 1 });
      const orgs = async (name: string) => (await db.kysely.selectFrom('organisations').select('id').where('name', '=', name).execute()).length;

      await db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('organisations').values(org('kept')).execute();
        await log.append(trx, { action: 'registry_change', actors: [{ userId: 1, workId: null, name: 'admin' }], target: 'organisation:kept', outcome: 'success' });
      });
      expect(await orgs('kept')).toBe(1);

      await log.chainPending();
      const head = (await log.repo.head()).seq;
      // A record that cannot be written (invalid) ends the transaction with the action in it.
      await expect(
        db.kysely.transaction().execute(async (trx) => {
          await trx.insertInto('organisations').values(org('invalid-record')).execute();
          await log.append(trx, { action: 'copy', actors: [{ userId: 1, workId: 'W1', name: 'one officer' }], outcome: 'success' });
        }),
      ).rejects.toSatisfy((e) => isVigilError(e) && e.code === 'VALIDATION_FAILED' && /two officers/.test(JSON.stringify(e.details)));
      expect(await orgs('invalid-record')).toBe(0);
      expect((await log.repo.head()).seq).toBe(head);
      await expect(db.kysely.transaction().execute((trx) => log.appendMany(trx, []))).rejects.toThrow();

      // A record the database refuses (a constraint violation inside the same transaction): on
      // SQLite where its index row goes; on PostgreSQL the inbox itself refusing it.
      await expect(
        db.kysely.transaction().execute(async (trx) => {
          await trx.insertInto('organisations').values(org('db-refused')).execute();
          if (dialect === 'postgres') await sql`ALTER TABLE audit_inbox ADD CONSTRAINT refuse_all CHECK (false) NOT VALID`.execute(trx);
          await log.append(trx, view(1));
          if (dialect === 'sqlite') await trx.insertInto('audit_refs').values({ kind: 'user', ref: 2, seq: head + 1 }).execute();
        }),
      ).rejects.toThrow();
      await log.chainPending();
      expect(await orgs('db-refused')).toBe(0);
      expect((await log.repo.head()).seq).toBe(head);
      expect((await verifyChain(db, { publicKey: keys.publicKey })).ok).toBe(true);

      await expect(log.append(db.kysely as never, view(1))).rejects.toThrow(/transaction/);
    });

    it('fails the action when the database refuses the record itself', async () => {
      const own = await freshDatabase(dialect);
      try {
        const stuck: number[] = [];
        const ownLog = new AuditLog(own, { keys, onStuck: (id) => stuck.push(id) });
        await ownLog.record(view(0));
        // A stray index row where the next entry's would go: the register's insert violates it.
        await own.kysely.insertInto('audit_refs').values({ kind: 'camera', ref: 101, seq: 2 }).execute();
        const action = own.kysely.transaction().execute(async (trx) => {
          await trx.insertInto('organisations').values({ kind: 'unit', name: 'kept?', unit_roles: '[]', path: '/', created_at: 1, updated_at: 1 }).execute();
          await ownLog.append(trx, view(1));
        });
        if (dialect === 'sqlite') {
          // Chained inside the action: the action fails with it.
          await expect(action).rejects.toThrow();
          expect(await own.kysely.selectFrom('organisations').select('id').execute()).toHaveLength(0);
        } else {
          // Taken into the inbox with the action, so both commit; the chaining after the commit is
          // what the stray row refuses. The entry is not lost: it waits, and is reported.
          await action;
          expect(await ownLog.chainPending()).toBe(0);
          expect(stuck).toHaveLength(1);
          expect((await verifyChain(own, { publicKey: keys.publicKey })).failure).toMatchObject({ kind: 'unchained' });
        }
        expect((await ownLog.repo.head()).seq).toBe(1);
        expect(await seqs(own)).toEqual([1]);
      } finally {
        await own.close();
      }
    });

    it('records a two-officer copy with approval, destination and time range, and finds it again', async () => {
      const at = Date.UTC(2026, 2, 3, 4, 5, 6);
      const r = await log.record({
        at,
        action: 'copy',
        actors: [
          { userId: 41, workId: '340102', name: '王警官' },
          { userId: 42, workId: '340177', name: '李警官' },
        ],
        cameraIds: [900, 901],
        from: at - 3_600_000,
        to: at - 1_800_000,
        purpose: '刑事案件侦查',
        destination: '市公安局刑侦支队',
        approvalId: 77,
        sourceAddress: '10.1.2.3',
        outcome: 'success',
        detail: { format: 'mp4', sha256: 'ab'.repeat(32) },
      });
      const page = await log.search({ actorUserId: 42 });
      expect(page.items.map((e) => e.seq)).toEqual([r.lastSeq]);
      const e = page.items[0]!;
      expect(e).toMatchObject({ at, action: 'copy', cameraIds: [900, 901], approvalId: 77, destination: '市公安局刑侦支队', outcome: 'success' });
      expect(e.actors.map((a) => a.workId)).toEqual(['340102', '340177']);
      expect((await log.search({ cameraId: 901 })).items.map((x) => x.seq)).toEqual([r.lastSeq]);
      expect((await log.search({ approvalId: 77 })).items).toHaveLength(1);
      expect((await log.search({ from: at, to: at + 1 })).items.map((x) => x.seq)).toEqual([r.lastSeq]);
      expect((await log.search({ from: at + 1, to: at + 86_400_000 })).items).toHaveLength(0);
    });

    it('records failed logins and refused authorisations, searchable by outcome and action', async () => {
      await log.record({ action: 'login', actors: [{ userId: null, workId: null, name: 'mallory' }], sourceAddress: '203.0.113.9', outcome: 'failed', reason: 'wrong password' });
      await log.record({ action: 'playback', actors: [{ userId: 5, workId: null, name: 'guard' }], cameraIds: [101], outcome: 'refused', reason: 'no permission for this camera' });
      const failed = await log.search({ action: 'login', outcome: 'failed' });
      expect(failed.items.map((e) => e.actors[0]!.name)).toEqual(['mallory']);
      const refused = await log.search({ outcome: 'refused', cameraId: 101 });
      expect(refused.items.map((e) => e.reason)).toEqual(['no permission for this camera']);
    });

    it('pages through search results with a cursor, newest first or oldest first', async () => {
      const all: number[] = [];
      let cursor: number | undefined;
      do {
        const p = await log.search({ actorUserId: 2, limit: 17, cursor });
        all.push(...p.items.map((e) => e.seq));
        cursor = p.nextCursor ?? undefined;
      } while (cursor !== undefined);
      const expected = (await db.kysely.selectFrom('audit_log').select(['seq', 'actors']).orderBy('seq', 'desc').execute())
        .filter((r) => (JSON.parse(r.actors) as { userId: number }[]).some((a) => a.userId === 2))
        .map((r) => Number(r.seq));
      expect(all).toEqual(expected);
      const asc: number[] = [];
      for await (const e of log.entries({ actorUserId: 2 })) asc.push(e.seq);
      expect(asc).toEqual([...expected].reverse());
    });

    it('signs a time-based checkpoint only when due and when the chain has grown', async () => {
      const head = await log.repo.head();
      const forced = await log.checkpointNow();
      expect(forced?.seq ?? head.checkpoint_seq).toBe(head.seq);
      expect(await log.checkpointNow()).toBeNull();
      await log.record(view(1));
      expect(await log.checkpointIfDue()).toBeNull(); // within everyMs
      const cp = await log.checkpointNow();
      expect(cp?.seq).toBe(head.seq + 1);
      const lines = (await log.exportCheckpoints(head.seq)).trim().split('\n');
      expect(JSON.parse(lines[lines.length - 1]!)).toEqual(cp);
    });
  });
}
