// npm run bench:record [-- --streams N --seconds S] — records N simulated 720p ~3 Mbit/s cameras
// for S seconds with Vigil's recorder (its own process), then with one
// `ffmpeg -rtsp_transport tcp -i URL -c copy -f segment …` process per camera on the same cameras.
// The simulator runs in a third process so its cost is not counted. CPU comes from
// /proc/<pid>/stat (utime + stime, every thread), memory is PSS from /proc/<pid>/smaps_rollup.
// CPU is also given per GB written within the same window (`cpuSecondsPerGb`, `cpuRatioPerGb`):
// a recorder that keeps up spends CPU in proportion to what it records, whatever the load. One
// that is starved (reconnections, frames lost) does not: four runs at load 28-33 gave 5.8 to 97
// CPU-s per GB, the backlog written outside the window. Compare runs without reconnections.
// Issue 3's baseline for ffmpeg per camera: ~0.35 % of a core and ~13 MB PSS per stream; the goal
// is ≥3× less CPU and ≥10× less memory, and 300 cameras without a lost frame.
// The recorder runs the built dist/ (what `npm start` runs; the bench builds it first, or reuses
// it with --no-build), or the TypeScript sources under tsx with --tsx. The simulator runs in one
// process per 300 cameras (--sim-processes N). Beside the figures: the simulator's busiest process
// and the machine's busy share while Vigil recorded, and `limit`, what stopped the run from going
// further (the recorder losing frames, the simulator, the machine's CPU, or nothing seen).
// The simulated cameras' GOPs are staggered by default (each camera its own number of frame
// intervals behind the shared encoder, as real cameras are never in step); --aligned-gops has them
// all end at one instant, the worst case for the recorder's memory. The output says which (`gops`).
// Last line: one JSON object.
import { startSimProcesses } from '../test/support/sim-process.js';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createRepositories } from '../src/db/repositories.js';
import { seedRecordableCameras } from '../test/support/recorder-cameras.js';
import { startRecorderProcess } from '../test/support/recorder-process.js';
import { loadAverage, removeDir, runBench, type BenchRun } from './bench-run.js';

/**
 * A 4 MiB semi-space: V8's young generation is otherwise let grow to 2 × 16 MiB, ~24 MB more
 * resident for one process whatever the number of cameras. Back to back at 100 streams, load 4-10,
 * 30 s: PSS 1.67 → 1.41 MB a stream, CPU 0.185 → 0.189 % a stream, scavenges 49 (0.18 s) → 195
 * (0.50 s).
 */
const RECORDER_NODE_ARGS = '--max-semi-space-size=4';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: process.env.BENCH_STREAMS ?? '100' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '60' },
    'skip-ffmpeg': { type: 'boolean', default: false },
    /** Run the recorder from the TypeScript sources under tsx instead of the built dist/. */
    tsx: { type: 'boolean', default: false },
    /** Run the dist/ a previous run built, without building it again (minutes on a busy machine). */
    'no-build': { type: 'boolean', default: false },
    /**
     * Node flags for the recorder process, space-separated: by default those the recorder node's
     * systemd unit runs it with (docs/systemd/vigil-recorder.service); `--node-args=` for none.
     */
    'node-args': { type: 'string', default: RECORDER_NODE_ARGS },
    /** Directory for a V8 CPU profile of the recorder process (node --cpu-prof). */
    'cpu-prof': { type: 'string' },
    /**
     * The simulated cameras end their GOPs all at the same instant (one encoder feeds them all),
     * the worst case for memory; by default each camera lags the encoder by its own number of frame
     * intervals, so their GOPs start spread over one GOP, as real cameras' (each its own encoder)
     * do. Which of the two a run used is in its output (`gops`).
     */
    'aligned-gops': { type: 'boolean', default: process.env.BENCH_ALIGNED_GOPS === '1' },
    /**
     * The recorder's direct I/O (`recorder.directIo`): `on` (O_DIRECT writes from aligned
     * buffers) or `off` (through the page cache); by default the recorder's own default.
     * Either way fragments are indexed only after an fdatasync. Said in the output (`directIo`).
     */
    'direct-io': { type: 'string', default: process.env.BENCH_DIRECT_IO ?? '' },
    /** Simulator processes (default: one per 300 cameras, each its own encoder). */
    'sim-processes': { type: 'string', default: process.env.BENCH_SIM_PROCESSES ?? '' },
  },
});
const STREAMS = Number(values.streams);
const SECONDS = Number(values.seconds);
const SIM_PROCESSES = Number(values['sim-processes']) || Math.ceil(STREAMS / 300);
const GOPS = values['aligned-gops'] ? 'aligned' : 'staggered';
const DIRECT_IO = values['direct-io'] === '' ? undefined : values['direct-io'] === 'on' ? true : values['direct-io'] === 'off' ? false : (() => {
  throw new Error(`--direct-io must be on or off, got ${values['direct-io']}`);
})();
const CLK_TCK = 100; // Linux USER_HZ
const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Measured {
  /** What else was measured in the same window: the simulator's busiest process, the machine. */
  simCpuPctMax?: number;
  /** The simulator's and the recorder's threads' time waiting for a CPU, in % of the wall time. */
  simWaitPct?: number;
  recorderWaitPct?: number;
  machineBusyPct?: number;
  cpuPctPerStream: number;
  pssMbPerStream: number;
  framesLost: number;
  bytesWritten: number;
  cpuPctTotal: number;
  pssMbTotal: number;
  /**
   * CPU-seconds per GB written to disk within the measured window. A starved process records
   * less and so spends less CPU a second: its CPU % says how busy the machine let it be, this says
   * what the recording cost (meaningful only while it keeps up: no reconnections).
   */
  cpuSecondsPerGb?: number;
  /** Recorder only: reconnections while measured (a starved camera or recorder drops its session). */
  reconnects?: number;
  /**
   * Recorder only: the most network slabs lent out at once, in MB: pictures held for the fragment
   * being built and fragments waiting for the disk (bounded per camera by the writer's queue).
   */
  slabPeakMb?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuTicks(pid: number): number {
  try {
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return 0;
  }
}

function pssKb(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** CPU % of one core and mean PSS of a set of processes over `seconds`. */
async function measure(pids: () => number[], seconds: number, bytesOnDisk?: () => number): Promise<{ cpuPct: number; pssMb: number; cpuSecondsPerGb?: number }> {
  const bytes0 = bytesOnDisk?.();
  const ticks0 = new Map(pids().map((p) => [p, cpuTicks(p)]));
  const t0 = performance.now();
  const pss: number[] = [];
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(5000, end - performance.now()));
    pss.push(pids().reduce((s, p) => s + pssKb(p), 0));
  }
  const elapsed = (performance.now() - t0) / 1000;
  let ticks = 0;
  for (const p of pids()) ticks += cpuTicks(p) - (ticks0.get(p) ?? cpuTicks(p));
  const written = bytes0 === undefined ? 0 : bytesOnDisk!() - bytes0;
  return {
    cpuPct: (ticks / CLK_TCK / elapsed) * 100,
    pssMb: pss.reduce((a, b) => a + b, 0) / pss.length / 1024,
    ...(written > 0 ? { cpuSecondsPerGb: ticks / CLK_TCK / (written / 1e9) } : {}),
  };
}

/** The whole machine's busy and total jiffies so far (/proc/stat's first line). */
function machineTicks(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  // idle and iowait are not busy
  return { busy: total - f[3]! - (f[4] ?? 0), total };
}

/** Nanoseconds the threads of `pid` have spent waiting for a CPU while runnable (/proc/…/task/…/schedstat). */
function runqueueWaitNs(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).reduce((s, t) => {
      try {
        return s + Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        return s;
      }
    }, 0);
  } catch {
    return 0;
  }
}

/** Over `seconds`: the busiest of `pids` in % of one core, and the machine's busy %. */
async function measureBeside(pids: number[], seconds: number): Promise<{ maxPct: number; waitPct: number; machineBusyPct: number }> {
  const t0 = pids.map(cpuTicks);
  const w0 = pids.map(runqueueWaitNs);
  const m0 = machineTicks();
  const start = performance.now();
  await sleep(seconds * 1000);
  const elapsed = (performance.now() - start) / 1000;
  const m1 = machineTicks();
  const maxPct = Math.max(0, ...pids.map((p, i) => ((cpuTicks(p) - t0[i]!) / CLK_TCK / elapsed) * 100));
  // A starved process does little and so looks idle by its CPU share: how long its threads waited
  // for a CPU while they had work says it (the most-waiting process, its threads summed, in % of
  // the wall time).
  const waitPct = Math.max(0, ...pids.map((p, i) => ((runqueueWaitNs(p) - w0[i]!) / 1e9 / elapsed) * 100));
  return { maxPct, waitPct, machineBusyPct: ((m1.busy - m0.busy) / Math.max(1, m1.total - m0.total)) * 100 };
}

function duBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return n;
}


async function runVigil(run: BenchRun, urls: string[], dir: string, simPids: number[]): Promise<Measured> {
  const dbUrl = `sqlite:${join(dir, 'vigil.db')}`;
  const db = openDatabase(dbUrl);
  await migrateToLatest(db);
  await seedRecordableCameras(createRepositories(db), urls);
  await db.close();
  const prof = values['cpu-prof'];
  const rec = await startRecorderProcess(
    dir,
    dbUrl,
    { fileSeconds: 600, reconnectMinMs: 500, reconnectMaxMs: 5000, staggerMs: 20, logLevel: 'error', ...(DIRECT_IO === undefined ? {} : { directIo: DIRECT_IO }) },
    {
      compiled: !values.tsx,
      // Starting (migrations, recovery, the first camera list) takes seconds on a busy machine.
      // At load 40 (2 cores) neither 300 nor 600 cameras' recorder said it was ready within 90 s
      // and 120 s: loading the modules and migrating, starved, not the number of cameras.
      readyTimeoutMs: 180_000 + urls.length * 100,
      nodeArgs: [...values['node-args'].split(' ').filter(Boolean), ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : [])],
    },
  );
  run.watchChild('recorder', rec.child, rec.stderr);
  // Stopped before its folder is removed; a no-op once stopped below.
  run.onCleanup('stop the recorder', () => (rec.child.exitCode === null && rec.child.signalCode === null ? rec.kill9() : undefined));
  // Every camera connected (staggered) and past its first GOP.
  await sleep(3000 + urls.length * 20);
  const [m, beside, own] = await Promise.all([measure(() => [rec.pid], SECONDS, () => duBytes(dir)), measureBeside(simPids, SECONDS), measureBeside([rec.pid], SECONDS)]);
  const totals = await rec.stop(30_000 + urls.length * 100);
  process.stderr.write(`recorder totals: ${JSON.stringify(totals)}\n`);
  if (rec.stderr().trim()) process.stderr.write(`recorder stderr (tail):\n${rec.stderr().slice(-2000)}\n`);
  const n = urls.length;
  return {
    cpuPctPerStream: m.cpuPct / n,
    pssMbPerStream: m.pssMb / n,
    framesLost: totals.framesLost ?? 0,
    reconnects: totals.reconnects ?? 0,
    bytesWritten: totals.bytesWritten ?? 0,
    cpuPctTotal: m.cpuPct,
    pssMbTotal: m.pssMb,
    ...(m.cpuSecondsPerGb !== undefined ? { cpuSecondsPerGb: m.cpuSecondsPerGb } : {}),
    simCpuPctMax: beside.maxPct,
    simWaitPct: beside.waitPct,
    recorderWaitPct: own.waitPct,
    slabPeakMb: slabPeakMb(totals.slabs),
    machineBusyPct: beside.machineBusyPct,
  };
}

function slabPeakMb(slabs: unknown): number | undefined {
  const s = slabs as { peakLent?: number; slabKb?: number } | undefined;
  return s?.peakLent !== undefined && s.slabKb !== undefined ? (s.peakLent * s.slabKb) / 1024 : undefined;
}

/** The recorder's fragments last this long at most (fragmentMaxMs, the default the bench keeps). */
const FRAGMENT_S = 2;

/**
 * Slabs lent beyond two fragments a stream (the one being built and one being written) are
 * pictures queued for a disk that does not keep up: the recorder then holds what it cannot write
 * yet, and its memory a stream is that queue, not its own cost. Undefined while it keeps up.
 */
function diskBacklog(v: Measured): { heldMb: number; fragments: number; mbPerStreamSecond: number } | undefined {
  if (v.slabPeakMb === undefined || v.bytesWritten <= 0) return undefined;
  const mbPerStreamSecond = v.bytesWritten / 2 ** 20 / SECONDS / STREAMS;
  const fragments = v.slabPeakMb / STREAMS / (mbPerStreamSecond * FRAGMENT_S);
  return fragments > 2 ? { heldMb: v.slabPeakMb, fragments, mbPerStreamSecond } : undefined;
}

/**
 * What stopped this run from going further (issue 21): the recorder when it lost frames; else
 * the simulator when its busiest process neared a whole core (Node runs its cameras on one);
 * else the machine when it had no CPU left; else nothing seen at this number of streams.
 */
function limitOf(v: Measured, ffmpeg: Measured | undefined, ffmpegDied: number): string {
  const backlog = diskBacklog(v);
  const sim = v.simCpuPctMax ?? 0;
  const busy = v.machineBusyPct ?? 0;
  const waits = `waiting for a CPU (summed over threads, in % of the time): simulator ${(v.simWaitPct ?? 0).toFixed(0)} %, recorder ${(v.recorderWaitPct ?? 0).toFixed(0)} %`;
  const vigil = v.framesLost > 0
    ? `recorder: ${v.framesLost} frames lost at ${STREAMS} streams${v.reconnects ? ` (cameras reconnected ${v.reconnects} times)` : ''}${busy >= 95 ? `, the machine ${busy.toFixed(0)} % busy (load ${loadAverage()}; ${waits})` : ''}`
    : sim >= 85
      ? `simulator: its busiest process at ${sim.toFixed(0)} % of a core (${SIM_PROCESSES} process${SIM_PROCESSES > 1 ? 'es' : ''}; --sim-processes)`
      : busy >= 95
        ? `machine CPU: ${busy.toFixed(0)} % busy (load ${loadAverage()}; ${waits}), recorder ${v.cpuPctTotal.toFixed(0)} % of a core`
        : backlog !== undefined
          ? `disk: pictures waiting to be written held ${backlog.heldMb.toFixed(0)} MB at most (${backlog.fragments.toFixed(1)} fragments of ${FRAGMENT_S} s a stream, at the ${(backlog.mbPerStreamSecond * 8).toFixed(1)} Mbit/s each wrote), so memory a stream grows with the streams`
          : `none at ${STREAMS} streams: recorder ${v.cpuPctTotal.toFixed(0)} % of a core, machine ${busy.toFixed(0)} % busy`;
  // Reconnections without frames lost: cameras (or the recorder) went quiet for the no-data
  // timeout, so less was recorded than was sent, and the figures are for less work.
  const quiet = v.framesLost === 0 && (v.reconnects ?? 0) > 0 ? ` (cameras reconnected ${v.reconnects} times: starved, it recorded less than was sent)` : '';
  if (!ffmpeg) return vigil + quiet;
  const ff = ffmpegDied > 0 ? `${ffmpegDied} of ${STREAMS} processes exited early` : ffmpeg.framesLost > 0 ? `${ffmpeg.framesLost} packets missed` : 'kept up';
  return `${vigil}${quiet}; ffmpeg per camera: ${ff}`;
}

let ffmpegDied = 0;

async function runFfmpeg(run: BenchRun, urls: string[], dir: string): Promise<Measured> {
  let stderrTail = '';
  const procs = urls.map((url, i) => {
    const out = join(dir, `cam${i + 1}`);
    mkdirSync(out, { recursive: true });
    const child = spawn(
      'ffmpeg',
      ['-nostdin', '-hide_banner', '-loglevel', 'warning', '-rtsp_transport', 'tcp', '-i', url, '-c', 'copy', '-f', 'segment', '-segment_time', '600',
        '-segment_format', 'mp4', '-segment_format_options', 'movflags=+frag_keyframe+empty_moov+default_base_moof', '-reset_timestamps', '1',
        join(out, '%05d.mp4')],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let missed = 0;
    let tail = '';
    child.stderr!.on('data', (d: Buffer) => {
      const text = tail + d.toString();
      const lines = text.split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim()) stderrTail = `${stderrTail}cam${i + 1}: ${line}\n`.slice(-4000);
        const m = /missed (\d+) packets/.exec(line);
        if (m) missed += Number(m[1]);
      }
    });
    return { child, missed: () => missed };
  });
  // On failure: the first ffmpeg that ended early, and any still running are stopped before the folder goes.
  const alive = () => procs.filter((p) => p.child.exitCode === null && p.child.signalCode === null);
  run.watch({
    label: `${procs.length} ffmpeg processes`,
    state: () => `${alive().length} running, ${procs.length - alive().length} ended${procs.find((p) => p.child.exitCode !== null && p.child.exitCode !== 0) ? ` (first non-zero exit code ${procs.find((p) => p.child.exitCode !== null && p.child.exitCode !== 0)!.child.exitCode})` : ''}`,
    tail: () => stderrTail,
  });
  run.onCleanup('stop ffmpeg processes', async () => {
    const left = alive();
    for (const p of left) p.child.kill('SIGKILL');
    await Promise.all(left.map((p) => new Promise((r) => (p.child.exitCode !== null || p.child.signalCode !== null ? r(undefined) : p.child.once('exit', r)))));
  });
  await sleep(3000 + urls.length * 20);
  const m = await measure(() => procs.filter((p) => p.child.exitCode === null).map((p) => p.child.pid!), SECONDS, () => duBytes(dir));
  const died = procs.filter((p) => p.child.exitCode !== null).length;
  for (const p of procs) p.child.kill('SIGINT');
  await Promise.all(procs.map((p) => (p.child.exitCode === null ? new Promise((r) => p.child.once('exit', r)) : undefined)));
  ffmpegDied = died;
  if (died) process.stderr.write(`${died} ffmpeg processes exited early\n`);
  const n = urls.length;
  return {
    cpuPctPerStream: m.cpuPct / n,
    pssMbPerStream: m.pssMb / n,
    framesLost: procs.reduce((s, p) => s + p.missed(), 0),
    bytesWritten: duBytes(dir),
    cpuPctTotal: m.cpuPct,
    pssMbTotal: m.pssMb,
    ...(m.cpuSecondsPerGb !== undefined ? { cpuSecondsPerGb: m.cpuSecondsPerGb } : {}),
  };
}

const round = (v: number, d = 3) => Number(v.toFixed(d));
// CPU-seconds per stream-second: the same quantity as % of a core / 100, said as work done, which
// a busy machine does not inflate the way it stretches wall-clock figures.
const keys = (m: Measured) => ({ cpuPctPerStream: round(m.cpuPctPerStream, 4), pssMbPerStream: round(m.pssMbPerStream, 3), framesLost: m.framesLost, cpuSecondsPerStreamSecond: round(m.cpuPctPerStream / 100, 6), ...(m.reconnects !== undefined ? { reconnects: m.reconnects } : {}), ...(m.cpuSecondsPerGb !== undefined ? { cpuSecondsPerGb: round(m.cpuSecondsPerGb, 2) } : {}) });
// Each phase's limit: starting and measuring scale with the number of streams.
const SETTLE_S = 3 + STREAMS * 0.02;
const MEASURE_LIMIT_S = 120 + SECONDS * 2 + SETTLE_S * 3 + STREAMS * 0.3;

await runBench('record', async (run) => {
  if (!values.tsx && !values['no-build']) {
    await run.phase('build', 600, async () => {
      // Production runs the built JavaScript (`npm start` builds dist/ and runs it): measure that.
      process.stderr.write('building dist/ (npm run build:server)…\n');
      const built = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
      if (!existsSync(join(ROOT, 'dist/recorder/recorder.js'))) throw new Error(`build failed: ${built.stdout.toString().slice(-2000)}`);
      // Type errors elsewhere in the tree still emit JavaScript; the recorder's own files must build.
      if (built.status !== 0) process.stderr.write(`tsc reported errors (JavaScript emitted anyway):\n${built.stdout.toString().slice(-1500)}\n`);
    });
  }
  const work = run.tempDir('vigil-bench-record-');
  run.result.streams = STREAMS;
  run.result.gops = GOPS;
  run.result.directIo = DIRECT_IO ?? 'default';
  const sim = await run.phase('simulator', 60 + STREAMS * 0.5, () => startSimProcesses(STREAMS, SIM_PROCESSES, GOPS === 'staggered'));
  sim.children.forEach((child, i) => run.watchChild(`simulator ${i + 1}`, child, sim.stderr));
  run.onCleanup('stop the simulator', () => sim.stop());
  process.stderr.write(`${STREAMS} simulated cameras up in ${sim.pids.length} simulator process(es); recording ${SECONDS} s with Vigil…\n`);
  const vigilDir = join(work, 'vigil');
  mkdirSync(vigilDir);
  const vigil = await run.phase('vigil', MEASURE_LIMIT_S, () => runVigil(run, sim.urls, vigilDir, sim.pids));
  run.result.vigil = keys(vigil);
  run.result.limit = limitOf(vigil, undefined, 0);
  removeDir(vigilDir);
  let ffmpeg: Measured | undefined;
  if (!values['skip-ffmpeg']) {
    process.stderr.write(`…and ${SECONDS} s with one ffmpeg process per camera…\n`);
    const ffDir = join(work, 'ffmpeg');
    mkdirSync(ffDir);
    ffmpeg = await run.phase('ffmpeg', MEASURE_LIMIT_S, () => runFfmpeg(run, sim.urls, ffDir));
    removeDir(ffDir);
  }
  const row = (name: string, m: Measured) =>
    `${name.padEnd(20)}${m.cpuPctPerStream.toFixed(3).padStart(10)}${m.pssMbPerStream.toFixed(2).padStart(10)}${String(m.framesLost).padStart(12)}${(m.bytesWritten / 1e6).toFixed(0).padStart(12)}${m.cpuPctTotal.toFixed(1).padStart(10)}${m.pssMbTotal.toFixed(0).padStart(10)}`;
  console.log(`\nRecording ${STREAMS} simulated 720p cameras for ${SECONDS} s (simulator cost excluded); load average ${loadAverage()}`);
  console.log(GOPS === 'staggered'
    ? 'GOPs staggered: the simulator delays each camera by its own number of frame intervals, so GOPs start spread over one GOP as real cameras\' do (--aligned-gops: all at once)'
    : 'GOPs aligned: every simulated camera ends its GOP at the same instant (one encoder feeds them all), the worst case for memory');
  console.log(`(CPU-s per stream-s: Vigil ${(vigil.cpuPctPerStream / 100).toFixed(5)}${ffmpeg ? `, ffmpeg per camera ${(ffmpeg.cpuPctPerStream / 100).toFixed(5)}` : ''})`);
  const perGb = (m: Measured | undefined) => (m?.cpuSecondsPerGb === undefined ? 'n/a' : m.cpuSecondsPerGb.toFixed(1));
  console.log(`(CPU-s per GB written in the window, the cost whatever the load: Vigil ${perGb(vigil)}${ffmpeg ? `, ffmpeg per camera ${perGb(ffmpeg)}` : ''})`);
  console.log(`${''.padEnd(20)}${'CPU %/str'.padStart(10)}${'PSS MB/str'.padStart(10)}${'frames lost'.padStart(12)}${'MB written'.padStart(12)}${'CPU % all'.padStart(10)}${'PSS MB'.padStart(10)}`);
  console.log(row('Vigil (one process)', vigil));
  if (ffmpeg) console.log(row('ffmpeg per camera', ffmpeg));
  const cpuRatio = ffmpeg ? ffmpeg.cpuPctPerStream / vigil.cpuPctPerStream : null;
  const memRatio = ffmpeg ? ffmpeg.pssMbPerStream / vigil.pssMbPerStream : null;
  if (ffmpeg) console.log(`ratios (ffmpeg / Vigil): CPU ${cpuRatio!.toFixed(2)}× (goal ≥ 3), memory ${memRatio!.toFixed(2)}× (goal ≥ 10)`);
  console.log('(ffmpeg frames lost = RTP packets it reported missed; Vigil = damaged or dropped frames)');
  run.result.ffmpeg = ffmpeg ? keys(ffmpeg) : null;
  run.result.cpuRatio = cpuRatio === null ? null : round(cpuRatio, 2);
  run.result.memRatio = memRatio === null ? null : round(memRatio, 2);
  // The same CPU ratio per GB written: what each costs for the same recording, whatever the load.
  if (ffmpeg?.cpuSecondsPerGb !== undefined && vigil.cpuSecondsPerGb !== undefined) {
    run.result.cpuRatioPerGb = round(ffmpeg.cpuSecondsPerGb / vigil.cpuSecondsPerGb, 2);
    console.log(`CPU per GB written, ffmpeg / Vigil: ${(run.result.cpuRatioPerGb as number).toFixed(2)}×`);
  }
  console.log(`simulator: ${sim.pids.length} process(es), the busiest at ${vigil.simCpuPctMax!.toFixed(0)} % of a core; machine ${vigil.machineBusyPct!.toFixed(0)} % busy while Vigil recorded`);
  run.result.limit = limitOf(vigil, ffmpeg, ffmpegDied);
  run.result.simProcesses = sim.pids.length;
  run.result.simCpuPctMax = round(vigil.simCpuPctMax!, 1);
  run.result.machineBusyPct = round(vigil.machineBusyPct!, 1);
  run.result.simWaitPct = round(vigil.simWaitPct!, 1);
  run.result.recorderWaitPct = round(vigil.recorderWaitPct!, 1);
  run.result.load = Number(loadAverage().split(' ')[0]);
  run.result.recorderNodeArgs = values['node-args'];
  if (vigil.slabPeakMb !== undefined) {
    run.result.slabPeakMb = round(vigil.slabPeakMb, 1);
    console.log(`recorder: at most ${vigil.slabPeakMb.toFixed(0)} MB of network slabs lent at once (${((vigil.slabPeakMb * 1024) / STREAMS).toFixed(0)} KB a stream: pictures of the fragments being built and waiting for the disk)`);
  }
  console.log(`limit: ${run.result.limit as string}`);
});
