// npx tsx bench/audit.bench.ts — the access register's append rate and verification speed.
// Append, on SQLite (a file, WAL, synchronous=NORMAL, the log checkpointed by a thread of its
// own, as the platform opens it) and PostgreSQL (a throwaway server with its durable defaults —
// fsync and synchronous_commit on, as deployed; BENCH_AUDIT_PG_FAST=1 turns them off as the
// tests do — and the platform's pool of 10, statements named by their text; BENCH_AUDIT_PG_POOL
// and BENCH_AUDIT_PG_SETTINGS try what an operator may set, docs/DEPLOY.md), each entry a
// realistic two-officer record (~400 bytes of text), hash-chained, with checkpoints signed every
// 1,000, each transaction committed on its own:
//   concurrent   the issue's goal: requests each recording one entry in its own transaction,
//                32 callers at once, sustained for BENCH_AUDIT_SECONDS (default 10) — the figure
//                reported as appendPerSec. SQLite has one connection, so its callers queue
//                in-process and the transactions waiting share a COMMIT (sqlite-group-commit.ts);
//                on PostgreSQL an action only writes its entry to the inbox, and this process
//                chains committed entries ~50 ms later, in batches; actions that write nothing
//                else (these) share a transaction and its COMMIT (NamingPgPool's rides).
//   sequential   one caller, one entry per transaction, one after another (latency-bound)
//   2 processes  PostgreSQL only ("for many nodes"): two more processes of 16 callers each on
//                their own pools, appending to the same chain at once; the chain is verified
//   batch of 10  ten entries per transaction, one caller — a multi-camera playback or export
//   fill 5,000   used to fill the million-entry register (not a real caller)
// Verify: the whole chain of 1,000,000 entries, streamed in pages, goal < 10 s.
// BENCH_AUDIT_WATCH=1 also prints, during the two-process phase, what PostgreSQL's sessions are
// doing every 3 s, and at the end the server's log of checkpoints and autovacuum runs and the
// plans of statements that ran over 2 s (auto_explain, which instruments every statement: the
// figures of a watched run are a little lower).
// Each figure is printed with the one-minute load average when it was taken: other work on
// the machine lowers it. Last line: one JSON object; per database appendPerSec is the
// concurrent figure in the callers' own transactions (appendLoad its load average), recordPerSec
// the standalone one, then sequential, two processes and batches of 10; appendCpuUs and
// recordCpuUs the CPU per entry of those two phases (this process and PostgreSQL's processes:
// own work, which a busy machine hardly changes), appendServerCpuUs PostgreSQL's part.
import { execFile, execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { AuditLog } from '../src/audit/audit-log.js';
import type { AuditEntryInput } from '../src/audit/entry.js';
import { PlatformKeys } from '../src/audit/platform-key.js';
import { verifyChain } from '../src/audit/verify.js';
import { openDatabase, type Db } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { treeCpuSeconds } from '../test/support/process-cpu.js';
import { startPostgres } from '../test/support/postgres.js';
import { runBench, type BenchRun } from './bench-run.js';

const SECONDS = Number(process.env.BENCH_AUDIT_SECONDS ?? 10);
const CALLERS = 32;
const SEQUENTIAL = Number(process.env.BENCH_AUDIT_SEQUENTIAL ?? 5_000);
const BATCHED = Number(process.env.BENCH_AUDIT_APPENDS ?? 20_000);
const MILLION = Number(process.env.BENCH_AUDIT_VERIFY ?? 1_000_000);
const VERIFY_ON_POSTGRES = process.env.BENCH_AUDIT_VERIFY_PG !== '0';
const run = promisify(execFile);
// The platform's default pool (database.poolSize); BENCH_AUDIT_PG_POOL tries another.
const PG_POOL = Number(process.env.BENCH_AUDIT_PG_POOL ?? 10);
// BENCH_AUDIT_PG_SETTINGS="commit_delay=20,commit_siblings=5": server settings an operator may
// set (docs/DEPLOY.md), to measure them against the defaults in back-to-back runs.
const PG_SETTINGS = Object.fromEntries((process.env.BENCH_AUDIT_PG_SETTINGS ?? '').split(',').filter(Boolean).map((kv) => {
  const [name, value] = kv.split('=');
  if (!name || value === undefined) throw new Error(`BENCH_AUDIT_PG_SETTINGS: "${kv}" is not name=value`);
  return [name.trim(), value.trim()];
}));

function entry(i: number, who = 'main'): AuditEntryInput {
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
    detail: { session: `s-${i % 1000}`, format: 'fmp4', client: 'console/1.0', node: who },
  };
}

/** A figure and the one-minute load average when it was taken. */
interface Figure {
  perSec: number;
  load: number;
  /**
   * CPU per entry, µs: this process and (PostgreSQL) the server's processes. Other work on the
   * machine lowers perSec but hardly this: a quiet rerun's rate can be judged from it.
   */
  cpuUs?: number;
  serverCpuUs?: number;
}

interface Rates {
  concurrent: Figure;
  recorded: Figure;
  sequential: Figure;
  processes: Figure | null;
  batch10: Figure;
  bulk: Figure | null;
  verifySec: number | null;
  verifyEntries: number | null;
}

async function rate(n: number, fn: () => Promise<void>): Promise<Figure> {
  const t = performance.now();
  await fn();
  return { perSec: n / ((performance.now() - t) / 1000), load: loadavg()[0]! };
}

/**
 * `callers` loops for `seconds`, each recording one entry at a time and waiting for it; returns
 * how many went in. 'action': inside the caller's own transaction (an action that writes, such
 * as an approval); 'record': an entry with no other write (a view, a refusal, a failed login),
 * which concurrent callers share a group commit for.
 */
async function concurrentAppends(db: Db, log: AuditLog, mode: 'action' | 'record', callers: number, seconds: number, who: string, start: number): Promise<number> {
  const until = performance.now() + seconds * 1000;
  let i = start;
  let n = 0;
  await Promise.all(Array.from({ length: callers }, async () => {
    while (performance.now() < until) {
      const e = entry(i++, who);
      if (mode === 'record') await log.record(e);
      else await db.kysely.transaction().execute((trx) => log.append(trx, e));
      n++;
    }
  }));
  return n;
}

/** CPU seconds so far of this process and of the database server (0 for SQLite, in process). */
type CpuClock = () => { own: number; server: number };

function cpuClock(serverPid: number | undefined): CpuClock {
  return () => {
    const u = process.cpuUsage();
    return { own: (u.user + u.system) / 1e6, server: serverPid ? treeCpuSeconds(serverPid) : 0 };
  };
}

/** `figure` with the CPU per entry spent since `before`. */
function withCpu(figure: Figure, clock: CpuClock, before: { own: number; server: number }, entries: number): Figure {
  const now = clock();
  const server = now.server - before.server;
  return { ...figure, cpuUs: ((now.own - before.own + server) / entries) * 1e6, serverCpuUs: (server / entries) * 1e6 };
}

async function measure(name: string, db: Db, keys: PlatformKeys, dataDir: string, verify: boolean, cpu: CpuClock = cpuClock(undefined)): Promise<Rates> {
  await migrateToLatest(db);
  const log = new AuditLog(db, { keys });
  let i = 0;

  // Warm-up, not measured: compiled code paths, prepared plans, a pool of open connections.
  await concurrentAppends(db, log, 'action', CALLERS, 1, 'warm-up', i).then((w) => (i += w));
  await log.chainPending();
  // Start with the disk idle: the previous database's writes (a million-entry fill) flushed.
  execFileSync('sync');
  const cpu0 = cpu();
  const t = performance.now();
  const n = await concurrentAppends(db, log, 'action', CALLERS, SECONDS, 'main', i);
  i += n;
  // The clock stops once every entry is in the chain, not only committed (PostgreSQL's inbox).
  const tCommitted = performance.now();
  await log.chainPending();
  const concurrent = withCpu({ perSec: n / ((performance.now() - t) / 1000), load: loadavg()[0]! }, cpu, cpu0, n);
  const rides = db.statements;
  const shared = db.commits
    ? `; so far ${db.commits.transactions} transactions in ${db.commits.commits} COMMITs, ${db.commits.grouped} of them sharing one`
    : rides ? `; so far ${rides.riders} transactions shared ${rides.rides} COMMITs, ${rides.rideFailures} shared transactions failed and were sent again one by one` : '';
  process.stderr.write(`${name}: ${n} concurrent single-entry appends in the callers' transactions (${log.counters.rechained} re-chained after a miss; ${log.chainer?.counters.fallbacks ?? 0} batches chained row by row; the last chained ${Math.round(performance.now() - tCommitted)} ms after the last commit${shared})\n`);
  const cpu1 = cpu();
  const t1 = performance.now();
  const n1 = await concurrentAppends(db, log, 'record', CALLERS, SECONDS, 'main', i);
  i += n1;
  const recorded = withCpu({ perSec: n1 / ((performance.now() - t1) / 1000), load: loadavg()[0]! }, cpu, cpu1, n1);
  process.stderr.write(`${name}: ${n1} concurrent standalone entries (${log.counters.grouped} shared a group commit)\n`);

  const sequential = await rate(SEQUENTIAL, async () => {
    for (let k = 0; k < SEQUENTIAL; k++) {
      const e = entry(i++);
      await db.kysely.transaction().execute((trx) => log.append(trx, e));
    }
    await log.chainPending();
  });

  let processes: Figure | null = null;
  if (db.dialect === 'postgres') {
    const self = fileURLToPath(import.meta.url);
    // Both start appending at the same moment, once loaded (starting a process is not measured).
    const startAt = Date.now() + 5000;
    const appending = Promise.all(['node-a', 'node-b'].map((who) =>
      run(process.execPath, ['--import', 'tsx', self, '--worker', db.url, dataDir, String(SECONDS), who, String(startAt)], { maxBuffer: 1 << 20 })));
    // BENCH_AUDIT_WATCH=1: what the database's sessions are doing every 3 s meanwhile.
    const watching = process.env.BENCH_AUDIT_WATCH === '1' ? watchSessions(db, appending) : Promise.resolve();
    const [outs] = await Promise.all([appending, watching]);
    const counts = outs.map((o) => JSON.parse(o.stdout.trim().split('\n').pop()!) as { appended: number; rechained: number; committed: number; seconds: number; fallbacks: number; batchError: string | null });
    const total = counts.reduce((a, c) => a + c.appended, 0);
    processes = { perSec: total / Math.max(...counts.map((c) => c.seconds)), load: loadavg()[0]! };
    process.stderr.write(`${name}: two processes appended ${counts.map((c) => `${c.appended} (${c.rechained} re-chained; committed in ${c.committed.toFixed(1)} s, chained in ${c.seconds.toFixed(1)} s; ${c.fallbacks} batches chained row by row${c.batchError ? `, first because: ${c.batchError}` : ''})`).join(' and ')}\n`);
    const r = await verifyChain(db, { publicKey: keys.publicKey });
    if (!r.ok) throw new Error(`${name}: the chain two processes appended to did not verify: ${r.failure?.message}`);
    i = r.entries;
  }

  const batch10 = await rate(BATCHED, async () => {
    for (let k = 0; k < BATCHED; k += 10) {
      const batch = Array.from({ length: 10 }, () => entry(i++));
      await db.kysely.transaction().execute((trx) => log.appendMany(trx, batch));
    }
  });
  process.stderr.write(`${name}: appends measured (${(await log.repo.head()).seq} entries)\n`);
  if (!verify) return { concurrent, recorded, sequential, processes, batch10, bulk: null, verifySec: null, verifyEntries: null };

  const fill = MILLION - (await log.repo.head()).seq;
  const bulk = fill <= 0 ? null : await rate(fill, async () => {
    for (let k = 0; k < fill; k += 5000) {
      const batch = Array.from({ length: Math.min(5000, fill - k) }, () => entry(i++));
      await db.kysely.transaction().execute((trx) => log.appendMany(trx, batch));
      if ((k / 5000) % 40 === 0) process.stderr.write(`${name}: filled ${(await log.repo.head()).seq}\n`);
    }
  });
  const tv = performance.now();
  const r = await verifyChain(db, { publicKey: keys.publicKey });
  const verifySec = (performance.now() - tv) / 1000;
  if (!r.ok) throw new Error(`${name}: the chain did not verify: ${r.failure?.message}`);
  return { concurrent, recorded, sequential, processes, batch10, bulk, verifySec, verifyEntries: r.entries };
}

/** Checkpoints, autovacuum runs, warnings, errors, and slow statements with their plans (indented lines after them). */
function serverLogOfInterest(log: string): string {
  const out: string[] = [];
  let inPlan = false;
  for (const line of log.split('\n')) {
    if (/^\s/.test(line) && inPlan) out.push(line);
    else if ((inPlan = /duration: .*plan:/.test(line)) || /checkpoint|automatic|WARNING|ERROR/.test(line)) out.push(line);
  }
  return `${out.join('\n')}\n`;
}

/** Prints the sessions not idle, and the inbox's size, every 3 s until `until` settles. */
async function watchSessions(db: Db, until: Promise<unknown>): Promise<void> {
  let done = false;
  void until.finally(() => (done = true));
  const t0 = performance.now();
  while (!done) {
    await new Promise((r) => setTimeout(r, 3000));
    const inbox = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_inbox`.execute(db.kysely);
    const sessions = await sql<{ pid: number; state: string; wait: string | null; ms: number; query: string }>`
      SELECT pid, state, wait_event_type || ':' || wait_event AS wait, round(extract(epoch FROM now() - coalesce(xact_start, query_start)) * 1000)::int AS ms, left(regexp_replace(query, '\s+', ' ', 'g'), 50) AS query
      FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND state IS NOT NULL AND state <> 'idle' AND backend_type = 'client backend'
      ORDER BY ms DESC LIMIT 6`.execute(db.kysely);
    process.stderr.write(`  ${((performance.now() - t0) / 1000).toFixed(0)} s: inbox ${inbox.rows[0]!.n}; ${sessions.rows.map((r) => `${r.pid} ${r.state} ${r.wait ?? '-'} ${r.ms} ms ${r.query}`).join(' | ')}\n`);
  }
}

/** Another node: its own process and pool, 16 callers, the same chain. Prints one JSON line. */
async function worker(url: string, dataDir: string, seconds: number, who: string, startAt: number) {
  const db = openDatabase(url, { poolSize: Math.min(PG_POOL, CALLERS / 2) });
  try {
    let batchError: string | null = null;
    const log = new AuditLog(db, { keys: PlatformKeys.loadOrCreate(dataDir), onChainBatchFailed: (e) => (batchError ??= String((e as Error).message ?? e)) });
    await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())));
    const t = performance.now();
    const appended = await concurrentAppends(db, log, 'action', CALLERS / 2, seconds, who, 0);
    const committed = (performance.now() - t) / 1000;
    await log.close();
    const fallbacks = log.chainer?.counters.fallbacks ?? 0;
    process.stdout.write(`${JSON.stringify({ appended, rechained: log.counters.rechained, committed, seconds: (performance.now() - t) / 1000, fallbacks, batchError })}\n`);
  } finally {
    await db.close();
  }
}

/** Per database: appendPerSec is the concurrent figure in the callers' own transactions. */
const keysOf = (r: Rates) => ({
  appendPerSec: Math.round(r.concurrent.perSec),
  appendLoad: Number(r.concurrent.load.toFixed(2)),
  recordPerSec: Math.round(r.recorded.perSec),
  recordLoad: Number(r.recorded.load.toFixed(2)),
  appendPerSecSequential: Math.round(r.sequential.perSec),
  appendPerSecTwoProcesses: r.processes === null ? null : Math.round(r.processes.perSec),
  appendPerSecBatch10: Math.round(r.batch10.perSec),
  appendCpuUs: r.concurrent.cpuUs === undefined ? null : Math.round(r.concurrent.cpuUs),
  appendServerCpuUs: r.concurrent.serverCpuUs === undefined ? null : Math.round(r.concurrent.serverCpuUs),
  recordCpuUs: r.recorded.cpuUs === undefined ? null : Math.round(r.recorded.cpuUs),
  verifyMillionSec: r.verifySec === null ? null : Number(r.verifySec.toFixed(2)),
});

async function main(run: BenchRun) {
  const dir = run.tempDir('vigil-bench-audit-');
  const keys = PlatformKeys.loadOrCreate(dir);
  // As deployed: fsync and synchronous commit on (the tests' throwaway servers turn them off).
  const watch = process.env.BENCH_AUDIT_WATCH === '1';
  // Watched: also the plans of statements running over 2 s (auto_explain), to explain a stall.
  const pg = await run.phase('postgres-start', 120, () => startPostgres({ durable: process.env.BENCH_AUDIT_PG_FAST !== '1', settings: PG_SETTINGS, ...(watch ? { explainSlowerThanMs: 2000 } : {}) }));
  run.watch({ label: 'PostgreSQL server', state: () => 'its log', tail: () => pg.log() });
  run.onCleanup('stop PostgreSQL', () => pg.stop());
  // BENCH_AUDIT_WATCH=1: PostgreSQL's own account of its checkpoints and autovacuum runs.
  if (watch) run.onCleanup('print the server log', async () => process.stderr.write(serverLogOfInterest(await pg.log())));
  const results: Record<string, Rates> = {};
  // Filling and verifying a million entries takes minutes on a busy machine.
  const limit = 300 + SECONDS * 10 + (MILLION / 1_000_000) * 900;
  const sqlite = openDatabase(`sqlite:${join(dir, 'audit.db')}`);
  run.onCleanup('close SQLite', () => sqlite.close());
  results.sqlite = await run.phase('sqlite', limit, () => measure('sqlite', sqlite, keys, dir, true));
  run.result.sqlite = keysOf(results.sqlite);
  run.result.verifyMillionSec = results.sqlite.verifySec === null ? null : Number(results.sqlite.verifySec.toFixed(2));
  const postgres = openDatabase(await pg.createDatabase('bench_audit'), { poolSize: PG_POOL });
  run.onCleanup('close the PostgreSQL pool', () => postgres.close());
  results.postgres = await run.phase('postgres', limit, () => measure('postgres', postgres, keys, dir, VERIFY_ON_POSTGRES, cpuClock(pg.serverPid())));

  const sqliteRates = results.sqlite;
  const postgresRates = results.postgres;
  const f = (v: number | null) => (v === null ? '—' : Math.round(v).toLocaleString('en-US'));
  const fig = (x: Figure | null) => (x === null ? '—' : `${f(x.perSec)} (load ${x.load.toFixed(1)})`);
  const rows = [
    [`append in the action's transaction, ${CALLERS} callers, ${SECONDS} s`, 'concurrent'],
    [`record standalone (group commit), ${CALLERS} callers, ${SECONDS} s`, 'recorded'],
    ['append, 1 entry/transaction, sequential (entries/s)', 'sequential'],
    [`append, 1 entry/transaction, 2 processes × ${CALLERS / 2} callers`, 'processes'],
    ['append, 10 entries/transaction (entries/s)', 'batch10'],
    ['append, 5,000 entries/transaction, fill (entries/s)', 'bulk'],
  ] as const;
  const out = [`${'measure'.padEnd(56)}${'SQLite'.padStart(22)}${'PostgreSQL'.padStart(22)}`];
  for (const [label, key] of rows) out.push(`${label.padEnd(56)}${fig(sqliteRates[key]).padStart(22)}${fig(postgresRates[key]).padStart(22)}`);
  const v = (r: Rates) => (r.verifySec === null ? '—' : `${r.verifySec.toFixed(2)} s / ${f(r.verifyEntries)}`);
  out.push(`${'verify whole chain (goal < 10 s for 1,000,000)'.padEnd(56)}${v(sqliteRates).padStart(22)}${v(postgresRates).padStart(22)}`);
  // Own work per entry, which the load of other work hardly changes; 2 cores' worth of it is the
  // rate this machine would reach if CPU were the only limit.
  const us = (x: Figure) => (x.cpuUs === undefined ? '—' : `${Math.round(x.cpuUs)} µs${x.serverCpuUs ? ` (server ${Math.round(x.serverCpuUs)})` : ''}`);
  out.push(`${'CPU per entry, appends in the action\'s transaction'.padEnd(56)}${us(sqliteRates.concurrent).padStart(22)}${us(postgresRates.concurrent).padStart(22)}`);
  out.push(`${'CPU per entry, standalone records'.padEnd(56)}${us(sqliteRates.recorded).padStart(22)}${us(postgresRates.recorded).padStart(22)}`);
  const ceiling = (x: Figure) => (x.cpuUs ? f(2e6 / x.cpuUs) : '—');
  out.push(`${'  → appends/s if 2 cores did nothing else'.padEnd(56)}${ceiling(sqliteRates.concurrent).padStart(22)}${ceiling(postgresRates.concurrent).padStart(22)}`);
  out.push(`PostgreSQL: pool of ${PG_POOL}, settings ${process.env.BENCH_AUDIT_PG_SETTINGS || 'defaults'}`);
  out.push(`goal: ≥ 5,000 entries/s appended by concurrent single-entry actions (first row) on both databases`);
  process.stdout.write(`${out.join('\n')}\n`);
  // The keys in their earlier order: sqlite, postgres, verifyMillionSec.
  const sqliteKeys = run.result.sqlite;
  const verifyMillionSec = run.result.verifyMillionSec;
  delete run.result.sqlite;
  delete run.result.verifyMillionSec;
  Object.assign(run.result, { sqlite: sqliteKeys, postgres: { ...keysOf(postgresRates), pool: PG_POOL, settings: process.env.BENCH_AUDIT_PG_SETTINGS ?? '' }, verifyMillionSec });
}

if (process.argv[2] === '--worker') {
  const [, , , url, dataDir, seconds, who, startAt] = process.argv;
  await worker(url!, dataDir!, Number(seconds), who!, Number(startAt));
} else {
  await runBench('audit', main);
}
