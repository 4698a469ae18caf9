// npx tsx bench/audit.bench.ts — the access register's append rate and verification speed.
// Append, on SQLite (a file, WAL) and PostgreSQL (a throwaway server), each entry a realistic
// two-officer record (~400 bytes of text), hash-chained, with checkpoints signed every 1,000:
//   single/seq   one entry per transaction, one caller after another
//   single/par   one entry per transaction, 8 callers at once (PostgreSQL pool; SQLite has one
//                connection, so its callers queue in-process)
//   batch of 10  ten entries per transaction — what a multi-camera playback or export that
//                records one entry per camera does; this is the figure reported as appendPerSec
//   bulk 5,000   used to fill the million-entry register (not a real caller)
// Verify: the whole chain of 1,000,000 entries, streamed in pages, goal < 10 s.
// Last line: one JSON object.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../src/audit/audit-log.js';
import type { AuditEntryInput } from '../src/audit/entry.js';
import { PlatformKeys } from '../src/audit/platform-key.js';
import { verifyChain } from '../src/audit/verify.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { startPostgres } from '../test/support/postgres.js';

const SUSTAINED = Number(process.env.BENCH_AUDIT_APPENDS ?? 20_000);
const MILLION = Number(process.env.BENCH_AUDIT_VERIFY ?? 1_000_000);
const VERIFY_ON_POSTGRES = process.env.BENCH_AUDIT_VERIFY_PG !== '0';
const keys = PlatformKeys.ephemeral();

function entry(i: number): AuditEntryInput {
  const at = Date.UTC(2026, 0, 1) + i * 250;
  return {
    at,
    action: i % 10 === 0 ? 'copy' : 'playback',
    actors: [
      { userId: 1000 + (i % 97), workId: `3401${String(i % 97).padStart(4, '0')}`, name: '王警官' },
      { userId: 2000 + (i % 89), workId: `3402${String(i % 89).padStart(4, '0')}`, name: '李警官' },
    ],
    cameraIds: [1 + (i % 5000)],
    from: at - 3_600_000,
    to: at - 1_800_000,
    purpose: '刑事案件侦查：核查嫌疑车辆通行记录',
    destination: i % 10 === 0 ? '市公安局刑侦支队电子物证室' : null,
    approvalId: i % 10 === 0 ? 10_000 + i : null,
    sourceAddress: `10.20.${i % 250}.${(i * 7) % 250}`,
    outcome: 'success',
    detail: { session: `s-${i % 1000}`, format: 'fmp4', client: 'console/1.0' },
  };
}

interface Rates {
  singleSeq: number;
  singlePar: number;
  batch10: number;
  bulk: number;
  verifySec: number | null;
  verifyEntries: number | null;
}

async function rate(n: number, fn: () => Promise<void>): Promise<number> {
  const t = performance.now();
  await fn();
  return n / ((performance.now() - t) / 1000);
}

async function measure(name: string, db: Db, verify: boolean): Promise<Rates> {
  await migrateToLatest(db);
  const log = new AuditLog(db, { keys });
  let i = 0;
  const one = (trx: Parameters<AuditLog['append']>[0]) => log.append(trx, entry(i++));
  const single = Math.min(SUSTAINED, 10_000);
  const singleSeq = await rate(single, async () => {
    for (let k = 0; k < single; k++) await db.kysely.transaction().execute(one);
  });
  const singlePar = await rate(single, async () => {
    let left = single;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (left-- > 0) await db.kysely.transaction().execute(one);
    }));
  });
  const batch10 = await rate(SUSTAINED, async () => {
    for (let k = 0; k < SUSTAINED; k += 10) {
      const batch = Array.from({ length: 10 }, () => entry(i++));
      await db.kysely.transaction().execute((trx) => log.appendMany(trx, batch));
    }
  });
  process.stderr.write(`${name}: appends measured (${i} entries)\n`);
  if (!verify) return { singleSeq, singlePar, batch10, bulk: 0, verifySec: null, verifyEntries: null };

  const fill = MILLION - i;
  const bulk = await rate(fill, async () => {
    for (let k = 0; k < fill; k += 5000) {
      const batch = Array.from({ length: Math.min(5000, fill - k) }, () => entry(i++));
      await db.kysely.transaction().execute((trx) => log.appendMany(trx, batch));
      if ((k / 5000) % 40 === 0) process.stderr.write(`${name}: filled ${i}\n`);
    }
  });
  const t = performance.now();
  const r = await verifyChain(db, { publicKey: keys.publicKey });
  const verifySec = (performance.now() - t) / 1000;
  if (!r.ok) throw new Error(`${name}: the chain did not verify: ${r.failure?.message}`);
  return { singleSeq, singlePar, batch10, bulk, verifySec, verifyEntries: r.entries };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-audit-'));
  const pg = await startPostgres();
  const results: Record<string, Rates> = {};
  try {
    const sqlite = openDatabase(`sqlite:${join(dir, 'audit.db')}`);
    try {
      results.sqlite = await measure('sqlite', sqlite, true);
    } finally {
      await sqlite.close();
    }
    const postgres = openDatabase(await pg.createDatabase('bench_audit'), { poolSize: 10 });
    try {
      results.postgres = await measure('postgres', postgres, VERIFY_ON_POSTGRES);
    } finally {
      await postgres.close();
    }
  } finally {
    await pg.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const f = (v: number | null) => (v === null ? '—' : Math.round(v).toLocaleString('en-US'));
  const rows = [
    ['append, 1 entry/transaction, sequential (entries/s)', 'singleSeq'],
    ['append, 1 entry/transaction, 8 callers (entries/s)', 'singlePar'],
    ['append, 10 entries/transaction (entries/s)', 'batch10'],
    ['append, 5,000 entries/transaction, fill (entries/s)', 'bulk'],
  ] as const;
  const out = [`${'measure'.padEnd(54)}${'SQLite'.padStart(12)}${'PostgreSQL'.padStart(14)}`];
  for (const [label, key] of rows) out.push(`${label.padEnd(54)}${f(results.sqlite![key]).padStart(12)}${f(results.postgres![key] || null).padStart(14)}`);
  const v = (r: Rates) => (r.verifySec === null ? '—' : `${r.verifySec.toFixed(2)} s / ${f(r.verifyEntries)}`);
  out.push(`${'verify whole chain (goal < 10 s for 1,000,000)'.padEnd(54)}${v(results.sqlite!).padStart(12)}${v(results.postgres!).padStart(14)}`);
  process.stdout.write(`${out.join('\n')}\n`);
  const json = {
    sqlite: { appendPerSec: Math.round(results.sqlite!.batch10), appendPerSecSingle: Math.round(results.sqlite!.singleSeq), appendPerSecSingleParallel: Math.round(results.sqlite!.singlePar), verifyMillionSec: results.sqlite!.verifySec },
    postgres: { appendPerSec: Math.round(results.postgres!.batch10), appendPerSecSingle: Math.round(results.postgres!.singleSeq), appendPerSecSingleParallel: Math.round(results.postgres!.singlePar), verifyMillionSec: results.postgres!.verifySec },
    verifyMillionSec: results.sqlite!.verifySec === null ? null : Number(results.sqlite!.verifySec.toFixed(2)),
  };
  process.stdout.write(`${JSON.stringify(json)}\n`);
}

await main();
