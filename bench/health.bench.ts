// npm run bench:health [-- --cameras N --seconds S --concurrency C] — video quality diagnostics of
// N simulated 720p cameras while Vigil's recorder records all of them (its own process; the
// simulator in a third one). The diagnostics run here, back to back over the cameras' recorded
// keyframes, each sample one ffmpeg call; their CPU is this process plus its reaped ffmpeg
// children (/proc/self/stat utime+stime+cutime+cstime). Issue 7's goal: 1,000 cameras per hour
// on this 2-core machine while 100 cameras record. Last line: one JSON object.
import { subjectsOf } from '../src/access/subjects.js';
import { startSimProcess } from '../test/support/sim-process.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { SecurityLog } from '../src/access/security-log.js';
import { AuditLog } from '../src/audit/audit-log.js';
import { PlatformKeys } from '../src/audit/platform-key.js';
import { configSchema } from '../src/config/config.schema.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createRepositories } from '../src/db/repositories.js';
import { systemClock } from '../src/domain/clock.js';
import { loadProfiles } from '../src/domain/profile-loader.js';
import { createHealth } from '../src/health/index.js';
import { seedRecordableCameras } from '../test/support/recorder-cameras.js';
import { startRecorderProcess } from '../test/support/recorder-process.js';
import { testSources } from '../test/support/sources.js';
import { runBench } from './bench-run.js';

const { values } = parseArgs({
  options: {
    cameras: { type: 'string', default: process.env.BENCH_CAMERAS ?? '100' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '60' },
    concurrency: { type: 'string', default: process.env.BENCH_CONCURRENCY ?? '1' },
  },
});
const CAMERAS = Number(values.cameras);
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const CLK_TCK = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime (+ the reaped children's) of a process, in clock ticks. */
function ticks(pid: number | 'self', children = false): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine. */
function machine(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + (f[4] ?? 0);
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}


await runBench('health', async (run) => {
  const dir = run.tempDir('vigil-health-bench-');
  const sim = await run.phase('simulator', 60 + CAMERAS * 0.5, () => startSimProcess(CAMERAS));
  run.watchChild('simulator', sim.child, sim.stderr);
  run.onCleanup('stop the simulator', () => sim.stop());
  const dbUrl = `sqlite:${join(dir, 'vigil.db')}`;
  const db = openDatabase(dbUrl);
  run.onCleanup('close the database', () => db.close());
  await migrateToLatest(db);
  const repos = createRepositories(db);
  await seedRecordableCameras(repos, sim.urls);
  const rec = await run.phase('recorder', 120, () => startRecorderProcess(dir, dbUrl, { fileSeconds: 600, reconnectMinMs: 500, reconnectMaxMs: 5000, staggerMs: 20, logLevel: 'error' }, { compiled: false }));
  run.watchChild('recorder', rec.child, rec.stderr);
  run.onCleanup('stop the recorder', () => rec.stop().catch(() => rec.kill9()));
  process.stderr.write(`${CAMERAS} cameras recording; waiting for their first keyframes…\n`);
  await sleep(6000 + CAMERAS * 20);
  const catalogue = loadProfiles();
  const health = createHealth({
    repo: repos.health,
    index: repos.recordingIndex,
    workOrders: repos.workOrders,
    forceMajeure: repos.forceMajeure,
    register: new SecurityLog(new AuditLog(db, { keys: PlatformKeys.ephemeral(), clock: systemClock })),
    subjects: subjectsOf(repos),
    cameras: (ids) => repos.cameras.getMany(ids),
    dataDir: dir,
    settings: { ...configSchema.parse({}).health, concurrency: CONCURRENCY },
    sources: testSources(dir),
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    profileFor: async () => catalogue.require('national'),
    metrics: new Registry(),
  });
  run.onCleanup('close diagnostics', () => health.close());
  const cameras = await repos.health.watchedCameras();
  await run.phase('diagnose', 120 + SECONDS * 3, async () => {
    const m0 = machine();
    const self0 = ticks('self', true);
    const rec0 = ticks(rec.pid);
    const sim0 = ticks(sim.pid);
    const t0 = performance.now();
    let diagnosed = 0;
    let withFindings = 0;
    const sources = new Map<string, number>();
    const sampleMs: number[] = [];
    while (performance.now() - t0 < SECONDS * 1000) {
      const report = await health.diagnostics.runCycle(cameras);
      diagnosed += report.results.length;
      withFindings += report.withFindings;
      for (const r of report.results) {
        sources.set(r.source, (sources.get(r.source) ?? 0) + 1);
        sampleMs.push(r.elapsedMs);
      }
    }
    const elapsed = (performance.now() - t0) / 1000;
    const m1 = machine();
    const cpuPct = ((ticks('self', true) - self0) / CLK_TCK / elapsed) * 100;
    const recorderPct = ((ticks(rec.pid) - rec0) / CLK_TCK / elapsed) * 100;
    const simPct = ((ticks(sim.pid) - sim0) / CLK_TCK / elapsed) * 100;
    const machinePct = ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100;
    const camerasPerHour = Math.round((diagnosed / elapsed) * 3600);
    sampleMs.sort((a, b) => a - b);
    const p = (q: number) => sampleMs[Math.min(sampleMs.length - 1, Math.floor(q * sampleMs.length))] ?? 0;
    process.stdout.write(
      [
        `diagnosed ${diagnosed} samples of ${CAMERAS} recording cameras in ${elapsed.toFixed(1)} s (concurrency ${CONCURRENCY})`,
        `  sources: ${JSON.stringify(Object.fromEntries(sources))}; samples with findings: ${withFindings}`,
        `  per sample: median ${p(0.5)} ms, p95 ${p(0.95)} ms`,
        `  cameras per hour: ${camerasPerHour} (goal 1000)`,
        `  diagnostics CPU (node + ffmpeg): ${cpuPct.toFixed(1)} % of one core; at 1000 cameras/hour that is ${((cpuPct * 1000) / Math.max(1, camerasPerHour)).toFixed(2)} %`,
        `  recorder ${recorderPct.toFixed(1)} %, simulator ${simPct.toFixed(1)} % of one core; whole machine ${machinePct.toFixed(1)} % of ${2} cores`,
        '',
      ].join('\n'),
    );
    Object.assign(run.result, { camerasPerHour, cpuPct: Math.round(cpuPct * 10) / 10, cameras: CAMERAS, samples: diagnosed, withFindings, recorderCpuPct: Math.round(recorderPct * 10) / 10, machineCpuPct: Math.round(machinePct * 10) / 10 });
  });
});
