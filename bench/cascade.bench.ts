// npm run bench:cascade [-- --channels N --streams M --seconds S --transport udp|tcp-passive|tcp-active] — a lower Vigil shares N cameras
// with an upper Vigil in the same run (each with its own database and SIP stack: the lower's
// cascade role, the upper's GB/T 28181 platform from src/gb28181). M of the cameras are real
// RTSP cameras of the simulator (a child process, its cost left out).
// - catalog sync: from the lower's registration to the upper having applied all N catalog items
//   to its registry (the lower's multi-message answer, the upper's camera points);
// - INVITE to first frame: the upper INVITEs M shared channels at once; per channel, the time to
//   its first picture (the lower opens the camera in its stream hub, muxes PS, sends RTP/UDP);
// - CPU per forwarded stream: this process's CPU with M streams flowing for S seconds less the
//   idle figure, divided by M. It holds both ends (the lower's RTSP pull, PS mux and RTP send and
//   the upper's RTP receive and PS demux), so it is an upper bound of forwarding alone;
// - beside it, the same M cameras recorded by the lower's recorder for S seconds in the same
//   process and run (RTSP pull, fMP4, fsync'd files and index rows), less the idle figure: the
//   issue's goal is that forwarding costs no more than recording a stream.
// Beside each wall-clock figure, the process's own work for that step (CPU ms, both platforms):
// on a loaded machine the wall clock measures the queue for the cores, the CPU time what the step
// costs; a quiet machine's wall clock approaches it. The catalog sync is split at the moment the
// lower has sent its last answer message; INVITE to first frame at the INVITE's 200 OK.
// BENCH_PROFILE_DIR=DIR writes CPU profiles of the forwarding and the recording steps there.
// Last line: {"catalogItems","catalogSyncSec","streams","inviteFirstFrameP95Ms","forwardCpuPctPerStream",…}.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Actor } from '../src/access/actor.js';
import { openCascade } from '../src/cascade/open.js';
import { configSchema } from '../src/config/config.schema.js';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/domain/clock.js';
import { openGb28181 } from '../src/gb28181/open.js';
import type { GbMediaTransport, PlaySession } from '../src/gb28181/play.js';
import { StreamHub } from '../src/live/stream-hub.js';
import { Registry as Metrics } from 'prom-client';
import { createRecorderMetrics } from '../src/recorder/metrics.js';
import { Recorder } from '../src/recorder/recorder.js';
import { openContext } from '../src/services/context.js';
import { seedRecordableCameras } from '../test/support/recorder-cameras.js';
import { startSimProcess } from '../test/support/sim-process.js';
import { loadAverage, runBench } from './bench-run.js';

const { values } = parseArgs({
  options: {
    channels: { type: 'string', default: process.env.BENCH_CASCADE_CHANNELS ?? '1000' },
    streams: { type: 'string', default: process.env.BENCH_STREAMS ?? '50' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '20' },
    transport: { type: 'string', default: process.env.BENCH_TRANSPORT ?? 'udp' },
  },
});
const CHANNELS = Number(values.channels);
const STREAMS = Math.min(Number(values.streams), CHANNELS);
const SECONDS = Number(values.seconds);
const TRANSPORT = values.transport as GbMediaTransport;
if (!['udp', 'tcp-passive', 'tcp-active'].includes(TRANSPORT)) throw new Error(`--transport must be udp, tcp-passive or tcp-active, not ${TRANSPORT}`);
const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';
const PASSWORD = 'bench-cascade-secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)] ?? 0;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** Wall-clock and own CPU (user + system, ms) of one step. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const c = process.cpuUsage(c0);
  return { value, wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

async function cpuPct(seconds: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100;
}

/** With BENCH_PROFILE_DIR set, a CPU profile of the step written there as NAME.cpuprofile. */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return fn();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

await runBench('cascade', async (run) => {
  const logger = pino({ level: 'warn' });
  const open = async (name: string) => {
    const dir = run.tempDir(`vigil-cascade-bench-${name}-`);
    const config = loadConfig({ env: { VIGIL_DATA_DIR: join(dir, 'data') }, cwd: dir });
    const ctx = await openContext(config, { logger });
    run.onCleanup(`${name} database`, () => ctx.close());
    return { ctx, config };
  };
  const { upper, lower } = await run.phase('open', 120, async () => ({ upper: await open('upper'), lower: await open('lower') }));

  // The lower: N cameras, the first M of them real RTSP cameras, all shared with the upper.
  const sim = await run.phase('simulator', 300, () => startSimProcess(STREAMS));
  run.onCleanup('simulator', () => sim.stop());
  const u = new URL(sim.urls[0]!);
  lower.ctx.sources.allowEndpoint(u.hostname, Number(u.port));
  const ids = await run.phase('seed', 300, () => seedRecordableCameras(lower.ctx.repos, Array.from({ length: CHANNELS }, (_, i) => sim.urls[i] ?? null)));
  const admin = (await lower.ctx.repos.accounts.userByLogin('admin'))!;
  const region = (await lower.ctx.repos.cameras.get(ids[0]!))!.regionId;
  const head = new Actor({ userId: admin.id, login: 'admin', displayName: 'admin', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
  await lower.ctx.shares.grant(head, {
    organisationId: region, recipient: { kind: 'platform', ref: UPPER }, recipientName: 'bench upper', rights: ['catalog', 'live'], cameraIds: ids, groupIds: [],
    validFrom: Date.now() - 1000, validTo: Date.now() + 86_400_000, purpose: 'benchmark', approvalDocument: 'bench 1',
  });

  // The upper: its GB/T 28181 platform, which takes the lower as a registering platform.
  const upperRegion = await upper.ctx.repos.organisations.create({ kind: 'platform', name: 'Bench city', level: 'city', regionCode: '340100' }, Date.now());
  const gbSettings = configSchema.parse({ gb28181: { sipId: UPPER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: 37000, mediaPortMax: 37099, domainPassword: PASSWORD, defaultRegionId: upperRegion.id } }).gb28181;
  const gb = await openGb28181({ settings: gbSettings, utcOffsetMinutes: 480, repos: upper.ctx.repos, registry: upper.ctx.registry, log: upper.ctx.access.log, clock: systemClock, logger });
  run.onCleanup('upper GB platform', () => gb.close());

  const hub = new StreamHub({ sources: lower.ctx.sources, sourceUrl: async (id) => (await lower.ctx.repos.cameras.get(id))?.sourceUrl ?? undefined, logger });
  run.onCleanup('lower stream hub', () => hub.close());
  const settings = configSchema.parse({ cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: 'bench upper', sipId: UPPER, address: '127.0.0.1', port: gb.port, password: PASSWORD, keepaliveSeconds: 30 }] } }).cascade;

  const catalog = await run.phase('catalog', 600, () => measured(async () => {
    let registeredAt = 0;
    let sentAt = 0;
    gb.platform.once('registered', () => (registeredAt = performance.now()));
    const done = new Promise<number>((resolve) => gb.platform.on('catalog', (id, outcome) => id === LOWER && resolve(outcome.cameras)));
    const cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: 'bench lower', utcOffsetMinutes: 480, repos: lower.ctx.repos, shares: lower.ctx.shares, clock: systemClock, logger, watch: (id, v) => hub.watch(id, v), dataDir: lower.config.dataDir });
    run.onCleanup('lower cascade', () => cascade.close());
    // When the lower's last answer message was acknowledged (its counter moves after the last one).
    const watcher = setInterval(() => {
      if (!sentAt && cascade.agent.catalogsSent.get(UPPER)) sentAt = performance.now();
    }, 5);
    const cameras = await done;
    clearInterval(watcher);
    if (!sentAt) sentAt = performance.now();
    if (cameras !== CHANNELS) throw new Error(`the upper applied ${cameras} of ${CHANNELS} catalog items`);
    const end = performance.now();
    return { syncSec: (end - registeredAt) / 1000, answeredSec: (sentAt - registeredAt) / 1000 };
  }));
  const catalogSec = catalog.value.syncSec;
  run.result['catalogItems'] = CHANNELS;
  run.result['catalogSyncSec'] = round(catalogSec, 2);
  run.result['catalogAnsweredSec'] = round(catalog.value.answeredSec, 2);
  run.result['catalogCpuMs'] = round(catalog.cpuMs, 0);
  run.result['catalogCpuMsPerItem'] = round(catalog.cpuMs / CHANNELS, 2);

  const idleCpu = await run.phase('idle', SECONDS + 60, () => cpuPct(Math.min(SECONDS, 10)));
  run.result['idleCpuPct'] = round(idleCpu);

  const sessions: PlaySession[] = [];
  run.onCleanup('upper sessions', () => Promise.all(sessions.map((s) => s.close())));
  const invite = await run.phase('invite', 300, () => measured(() => Promise.all(Array.from({ length: STREAMS }, async (_, i) => {
    const channel = `3401040000132${String(i + 1).padStart(7, '0')}`;
    const t0 = performance.now();
    const s = await gb.player.play(LOWER, channel, TRANSPORT);
    const answered = performance.now() - t0;
    sessions.push(s);
    await new Promise<void>((resolve) => s.once('unit', () => resolve()));
    return { answered, first: performance.now() - t0 };
  }))));
  const firstFrameMs = invite.value.map((x) => x.first);
  run.result['streams'] = STREAMS;
  run.result['transport'] = TRANSPORT;
  run.result['inviteFirstFrameP95Ms'] = round(p95(firstFrameMs), 0);
  run.result['inviteAnsweredP95Ms'] = round(p95(invite.value.map((x) => x.answered)), 0);
  run.result['inviteFirstFrameMinMs'] = round(Math.min(...firstFrameMs), 0);
  run.result['inviteCpuMsPerStream'] = round(invite.cpuMs / STREAMS, 1);

  let units = 0;
  for (const s of sessions) s.on('unit', () => units++);
  const streamCpu = await run.phase('forward', SECONDS + 60, () => profiled('forward', () => cpuPct(SECONDS)));
  run.result['forwardCpuPctPerStream'] = round((streamCpu - idleCpu) / STREAMS, 3);
  run.result['framesPerSecondPerStream'] = round(units / SECONDS / STREAMS, 1);
  await run.phase('forward-stop', 120, async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    await hub.close();
  });

  // The same cameras recorded, for the comparison the goal names, against the idle figure taken
  // again now that the forwarding has stopped (the first one follows the catalog's work closely).
  const idleBeforeRecord = await run.phase('idle-2', SECONDS + 60, () => cpuPct(Math.min(SECONDS, 10)));
  run.result['idleBeforeRecordCpuPct'] = round(idleBeforeRecord);
  const metrics = createRecorderMetrics(new Metrics());
  const recorder = new Recorder(
    { dataDir: lower.config.dataDir, settings: { fileSeconds: 600, fragmentMaxMs: 2000, reconnectMinMs: 500, reconnectMaxMs: 5000, staggerMs: 20 }, repo: lower.ctx.repos.recordings, sources: lower.ctx.sources, clock: systemClock, logger, metrics },
    { noDataTimeoutMs: 10_000, connectTimeoutMs: 10_000, refreshMs: 2000 },
  );
  run.onCleanup('lower recorder', () => recorder.close());
  const sessionsUp = async () => (await metrics.sessionsUp.get()).values[0]?.value ?? 0;
  await run.phase('record-start', 300, async () => {
    await recorder.start();
    while ((await sessionsUp()) < STREAMS) await sleep(500);
  });
  const recordCpu = await run.phase('record', SECONDS + 60, () => profiled('record', () => cpuPct(SECONDS)));
  await recorder.close();
  run.result['recordCpuPctPerStream'] = round((recordCpu - idleBeforeRecord) / STREAMS, 3);
  run.result['forwardToRecordRatio'] = round(run.result['forwardCpuPctPerStream'] as number / (run.result['recordCpuPctPerStream'] as number), 2);
  run.result['loadAverage'] = loadAverage();

  const rows = [
    [`catalog sync, ${CHANNELS} shared channels (s)`, `${run.result['catalogSyncSec']}  (own work ${run.result['catalogCpuMs']} ms CPU, ${run.result['catalogCpuMsPerItem']} ms an item)`],
    ['  of which until the lower\'s last answer was acknowledged (s)', run.result['catalogAnsweredSec']],
    [`INVITE to first frame p95, ${STREAMS} at once (ms)`, `${run.result['inviteFirstFrameP95Ms']}  (own work ${run.result['inviteCpuMsPerStream']} ms CPU a stream)`],
    ['  INVITE to its 200 OK p95 (ms)', run.result['inviteAnsweredP95Ms']],
    ['  INVITE to first frame, fastest (ms)', run.result['inviteFirstFrameMinMs']],
    ['idle CPU, both platforms (% of a core)', run.result['idleCpuPct']],
    [`forwarding, ${STREAMS} streams, send + receive (% of a core per stream)`, run.result['forwardCpuPctPerStream']],
    ['pictures received per stream per second', run.result['framesPerSecondPerStream']],
    ['idle CPU before recording (% of a core)', run.result['idleBeforeRecordCpuPct']],
    [`recording the same ${STREAMS} cameras (% of a core per stream)`, run.result['recordCpuPctPerStream']],
    ['forwarding (both ends) / recording (goal ≤ 1)', run.result['forwardToRecordRatio']],
    ['load average', run.result['loadAverage']],
  ];
  for (const [k, v] of rows) process.stdout.write(`${String(k).padEnd(64)} ${v}\n`);
});
