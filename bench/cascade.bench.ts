// npm run bench:cascade [-- --channels N --streams M --seconds S --transport udp|tcp-passive|tcp-active] — a lower Vigil shares N cameras
// with an upper Vigil in the same run, each with its own database and SIP stack: the lower's
// cascade role in this process, the upper's GB/T 28181 platform (src/gb28181) in a child process
// (bench/cascade-upper.child.ts), so each side's CPU is its own. M of the cameras are real RTSP
// cameras of the simulator (another child process, its cost left out).
// - catalog sync: from the lower's registration to the upper having applied all N catalog items
//   to its registry (the lower's multi-message answer, the upper's camera points);
// - INVITE to first frame: the upper INVITEs M shared channels at once; per channel, the time to
//   its first picture (the lower opens the camera in its stream hub, muxes PS, sends RTP/UDP), and
//   what the p95 is made of (bench/first-frame-parts.ts: INVITE handling, opening the camera, the
//   wait for its keyframe, the ACK, the upper's receiving). The simulator's cameras share one
//   encoder; by default their GOPs are staggered over one GOP as independent encoders' are
//   (--gops shared: all wait for the same keyframe, a lottery on its phase);
// - INVITE to first frame for cameras that can be asked for a keyframe, A/B back to back: the same
//   M cameras added as ONVIF devices (the simulator's, onvif://…/onvif/camN/device_service; the
//   same RTSP streams behind GetStreamUri), opened cold by a fresh hub twice: first with the hub's
//   keyframe request taken away (A), then as the product does it, SetSynchronizationPoint as soon as
//   each stream runs (B). The simulator's cameras answer as real encoders do, their next picture an
//   IDR (src/sim/keyframe-on-demand.ts: an all-intra encoder of the same picture runs beside the
//   shared one for the whole run, its cost in the simulator's process, left out like the rest);
// - INVITE to first frame again, the same M cameras kept open for the upper (cascade.keepOpen
//   'key-positions', the M marked key positions): the hub opened each before the INVITEs and holds
//   its GOP, so no stream waits for a keyframe; the price is the pull (below), paid all the time;
// - CPU per forwarded stream: the lower's CPU with M streams flowing for S seconds less its idle
//   figure, divided by M (its RTSP pull, PS mux and RTP send); beside it the upper's, receiving
//   (RTP receive, PS demux), taken the same way in its process;
// - the same M cameras only pulled into a stream hub (RTSP in, access units out, no viewer
//   sending), so what forwarding and recording each add beyond the pull is shown apart;
// - beside it, the same M cameras recorded by the lower's recorder for S seconds in the same
//   process and run (RTSP pull, fMP4, fsync'd files and index rows), less the idle figure: the
//   issue's goal is that forwarding costs no more than recording a stream;
// - then, the recorder still running, the M channels INVITEd again and forwarded as the cascade
//   role does when the recorder runs in its process (services/live-relay.ts: the hub takes the
//   recorder's sessions, the cameras are not opened a second time): what forwarding adds to the
//   recording, measured back to back with the recording alone.
// Beside each wall-clock figure, the process's own work for that step (CPU ms, both platforms):
// on a loaded machine the wall clock measures the queue for the cores, the CPU time what the step
// costs; a quiet machine's wall clock approaches it. The catalog sync is split at the moment the
// lower has sent its last answer message; INVITE to first frame at the INVITE's 200 OK.
// - each of forwarding, pulling and recording also per picture the lower received (µs of CPU beyond
//   idle): on a machine so loaded that the simulator falls behind, a stream's share of a core falls
//   with its pictures, and forwarding and recording measured minutes apart are not comparable; the
//   cost of one picture is.
// BENCH_PROFILE_DIR=DIR writes CPU profiles of the INVITEs, the forwarding and the recording steps there.
// Last line: {"catalogItems","catalogSyncSec","streams","inviteFirstFrameP95Ms","forwardCpuPctPerStream",…}.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Actor } from '../src/access/actor.js';
import { openCascade } from '../src/cascade/open.js';
import { configSchema } from '../src/config/config.schema.js';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/domain/clock.js';
import type { GbMediaTransport } from '../src/gb28181/play.js';
import { createSource } from '../src/ingest/index.js';
import { StreamHub, type FeedViewer } from '../src/live/stream-hub.js';
import { Registry as Metrics } from 'prom-client';
import { createRecorderMetrics } from '../src/recorder/metrics.js';
import { Recorder } from '../src/recorder/recorder.js';
import { openContext } from '../src/services/context.js';
import { liveRelayOf, offerRecordedLive } from '../src/services/live-relay.js';
import { seedRecordableCameras } from '../test/support/recorder-cameras.js';
import { startSimProcess } from '../test/support/sim-process.js';
import { loadAverage, profiled, runBench } from './bench-run.js';
import { describeParts, FirstFrameParts, summarise, type UpperTiming } from './first-frame-parts.js';

const { values } = parseArgs({
  options: {
    channels: { type: 'string', default: process.env.BENCH_CASCADE_CHANNELS ?? '1000' },
    streams: { type: 'string', default: process.env.BENCH_STREAMS ?? '50' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '20' },
    transport: { type: 'string', default: process.env.BENCH_TRANSPORT ?? 'udp' },
    gops: { type: 'string', default: process.env.BENCH_GOPS ?? 'staggered' },
    'path-mtu': { type: 'string', default: process.env.BENCH_PATH_MTU ?? '' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`npx tsx bench/cascade.bench.ts [options]
  --channels N     cameras shared in the catalog (default 1000, BENCH_CASCADE_CHANNELS)
  --streams M      of them streamed from the simulator (default 50, BENCH_STREAMS)
  --seconds S      length of each CPU measurement (default 20, BENCH_SECONDS)
  --transport T    udp, tcp-passive or tcp-active (default udp, BENCH_TRANSPORT)
  --gops G         staggered: the cameras' GOPs start spread over one GOP, as independent
                   encoders' do (default); shared: all end at the same instant (BENCH_GOPS)
  --path-mtu B     the lower's cascade.mediaPathMtu (default: the setting's default; BENCH_PATH_MTU)
BENCH_PROFILE_DIR=DIR writes CPU profiles of the INVITE, forwarding and recording steps there.
`);
  process.exit(0);
}
const CHANNELS = Number(values.channels);
const STREAMS = Math.min(Number(values.streams), CHANNELS);
const SECONDS = Number(values.seconds);
const TRANSPORT = values.transport as GbMediaTransport;
if (!['udp', 'tcp-passive', 'tcp-active'].includes(TRANSPORT)) throw new Error(`--transport must be udp, tcp-passive or tcp-active, not ${TRANSPORT}`);
const GOPS = values.gops!;
const PATH_MTU = values['path-mtu'] ? Number(values['path-mtu']) : undefined;
if (!['staggered', 'shared'].includes(GOPS)) throw new Error(`--gops must be staggered or shared, not ${GOPS}`);
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

/** The kernel's share (system time) of the last cpuPct, in % of a core: sockets and files. */
let lastSystemPct = 0;
/** Pictures the lower received during the last cpuPct that was given a count, and its length (ms). */
let lastPictures = 0;
let lastMs = 0;

async function cpuPct(seconds: number, pictures?: () => number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const p0 = pictures?.() ?? 0;
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  lastPictures = (pictures?.() ?? 0) - p0;
  lastMs = ms;
  lastSystemPct = (c.system / 1000 / ms) * 100;
  return ((c.user + c.system) / 1000 / ms) * 100;
}

/**
 * The step's own CPU beyond the idle figure, in µs per picture the lower received: on a machine
 * so loaded that the simulator sends fewer pictures than it should, the per-stream figures shrink
 * with the pictures, this one does not.
 */
const usPerPicture = (pct: number, idlePct: number) => (lastPictures ? (((pct - idlePct) / 100) * lastMs * 1000) / lastPictures : 0);

interface UpperProcess {
  child: ChildProcess;
  port: number;
  send(command: Record<string, unknown>): void;
  /** The first message from now on for which `pick` gives a value. */
  next<T>(pick: (m: Record<string, unknown>) => T | undefined): Promise<T>;
  cpu(seconds: number): Promise<{ cpuPct: number; units: number }>;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts bench/cascade-upper.child.ts and waits for its SIP port. */
async function startUpper(dir: string): Promise<UpperProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cascade-upper.child.ts'), dir, PASSWORD, String(CHANNELS)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
  const waiting = new Set<(m: Record<string, unknown>) => void>();
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the upper platform exited (${code}): ${err.slice(-2000)}`))));
  exited.catch(() => undefined);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = JSON.parse(line) as Record<string, unknown>;
    for (const w of [...waiting]) w(m);
  });
  const next = <T>(pick: (m: Record<string, unknown>) => T | undefined) => Promise.race([exited, new Promise<T>((resolve) => {
    const w = (m: Record<string, unknown>) => {
      const v = pick(m);
      if (v === undefined) return;
      waiting.delete(w);
      resolve(v);
    };
    waiting.add(w);
  })]);
  const send = (command: Record<string, unknown>) => void child.stdin!.write(`${JSON.stringify(command)}\n`);
  const port = await next((m) => m['port'] as number | undefined);
  return {
    child, port, send, next,
    cpu: (seconds) => {
      send({ cpu: seconds });
      return next((m) => (m['cpuPct'] !== undefined ? (m as { cpuPct: number; units: number }) : undefined));
    },
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(kill);
    },
  };
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
  const lower = await run.phase('open', 120, () => open('lower'));

  // The lower: N cameras, the first M of them real RTSP cameras, all shared with the upper.
  const sim = await run.phase('simulator', 300, () => startSimProcess(STREAMS, undefined, GOPS === 'staggered', true));
  run.onCleanup('simulator', () => sim.stop());
  const u = new URL(sim.urls[0]!);
  lower.ctx.sources.allowEndpoint(u.hostname, Number(u.port));
  // The cameras' ONVIF devices, for the keyframe-request round.
  const control = new URL(sim.controlUrl!);
  lower.ctx.sources.allowEndpoint(control.hostname, Number(control.port));
  const ids = await run.phase('seed', 300, () => seedRecordableCameras(lower.ctx.repos, Array.from({ length: CHANNELS }, (_, i) => sim.urls[i] ?? null)));
  const admin = (await lower.ctx.repos.accounts.userByLogin('admin'))!;
  const region = (await lower.ctx.repos.cameras.get(ids[0]!))!.regionId;
  const head = new Actor({ userId: admin.id, login: 'admin', displayName: 'admin', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
  await lower.ctx.shares.grant(head, {
    organisationId: region, recipient: { kind: 'platform', ref: UPPER }, recipientName: 'bench upper', rights: ['catalog', 'live'], cameraIds: ids, groupIds: [],
    validFrom: Date.now() - 1000, validTo: Date.now() + 86_400_000, purpose: 'benchmark', approvalDocument: 'bench 1',
  });

  // The upper: its GB/T 28181 platform, which takes the lower as a registering platform.
  const upper = await run.phase('upper', 120, () => startUpper(run.tempDir('vigil-cascade-bench-upper-')));
  run.watchChild('upper platform', upper.child, upper.stderr);
  run.onCleanup('upper platform', () => upper.stop());

  const hub = new StreamHub({ sources: lower.ctx.sources, sourceUrl: async (id) => (await lower.ctx.repos.cameras.get(id))?.sourceUrl ?? undefined, logger });
  run.onCleanup('lower stream hub', () => hub.close());
  // The hub the cascade forwards from: this one (each camera opened), later one fed by the recorder.
  let watchHub = hub;
  /** Pictures given to the upward streams so far. */
  let forwarded = 0;
  /** When each camera's feed was joined, described, had its first keyframe and sent it upward. */
  const parts = new FirstFrameParts();
  /** Cameras a keyframe was seen from (by any viewer the cascade handed the hub). */
  const keyframeSeen = new Set<number>();
  const keyframes = (id: number, v: FeedViewer): FeedViewer => ({ ...v, onFrame: (f) => (f.keyframe && keyframeSeen.add(id), v.onFrame(f)) });
  let lowerCascade: Awaited<ReturnType<typeof openCascade>> | undefined;
  const cameraOfChannel = new Map<string, number>();
  const firstFrameParts = async (timings: UpperTiming[]) => {
    for (const t of timings) if (!cameraOfChannel.has(t.channel)) cameraOfChannel.set(t.channel, (await lower.ctx.repos.cameras.getByGbId(t.channel))!.id);
    return summarise(parts.split(timings, (c) => cameraOfChannel.get(c)));
  };
  const settings = configSchema.parse({ cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', ...(PATH_MTU ? { mediaPathMtu: PATH_MTU } : {}), keepOpen: 'key-positions', uppers: [{ name: 'bench upper', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: PASSWORD, keepaliveSeconds: 30 }] } }).cascade;

  const catalog = await run.phase('catalog', 600, () => measured(async () => {
    const startedAt = performance.now();
    let sentAt = 0;
    const done = upper.next((m) => m['catalog'] as { from: string; cameras: number; syncSec: number; cpuMs: number } | undefined);
    // Each picture the hub gives an upward stream is counted (the copying flag passed on as it is).
    const counted = (v: FeedViewer): FeedViewer => ({ ...(v.copiesFrames ? { copiesFrames: true } : {}), onInfo: (i) => v.onInfo(i), onFrame: (f) => (forwarded++, v.onFrame(f)), onEnd: (r) => v.onEnd?.(r) });
    const cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: 'bench lower', utcOffsetMinutes: 480, repos: lower.ctx.repos, shares: lower.ctx.shares, clock: systemClock, logger, watch: (id, v) => watchHub.watch(id, parts.track(id, counted(keyframes(id, v)))), dataDir: lower.config.dataDir });
    run.onCleanup('lower cascade', () => cascade.close());
    lowerCascade = cascade;
    // When the lower's last answer message was acknowledged (its counter moves after the last one).
    const watcher = setInterval(() => {
      if (!sentAt && cascade.agent.catalogsSent.get(UPPER)) sentAt = performance.now();
    }, 5);
    const applied = await done;
    clearInterval(watcher);
    if (!sentAt) sentAt = performance.now();
    if (applied.from !== LOWER || applied.cameras !== CHANNELS) throw new Error(`the upper applied ${applied.cameras} of ${CHANNELS} catalog items from ${applied.from}`);
    // From the upper's view of the registration (its clock), and the lower's answer on this side.
    return { syncSec: applied.syncSec, answeredSec: Math.min(applied.syncSec, (sentAt - startedAt) / 1000), upperCpuMs: applied.cpuMs };
  }));
  const catalogSec = catalog.value.syncSec;
  run.result['catalogItems'] = CHANNELS;
  run.result['catalogSyncSec'] = round(catalogSec, 2);
  run.result['catalogAnsweredSec'] = round(catalog.value.answeredSec, 2);
  run.result['catalogCpuMs'] = round(catalog.cpuMs + catalog.value.upperCpuMs, 0);
  run.result['catalogCpuMsPerItem'] = round((catalog.cpuMs + catalog.value.upperCpuMs) / CHANNELS, 2);

  const [idleCpu, upperIdle] = await run.phase('idle', SECONDS + 60, () => Promise.all([cpuPct(Math.min(SECONDS, 10)), upper.cpu(Math.min(SECONDS, 10))]));
  run.result['idleCpuPct'] = round(idleCpu);
  run.result['upperIdleCpuPct'] = round(upperIdle.cpuPct);

  parts.reset();
  const invite = await run.phase('invite', 300, () => profiled('invite', () => measured(async () => {
    upper.send({ invite: STREAMS, transport: TRANSPORT, lower: LOWER });
    return upper.next((m) => m['invited'] as UpperTiming[] | undefined);
  })));
  const openedParts = await firstFrameParts(invite.value);
  const firstFrameMs = invite.value.map((x) => x.first);
  run.result['streams'] = STREAMS;
  run.result['transport'] = TRANSPORT;
  run.result['inviteFirstFrameP95Ms'] = round(p95(firstFrameMs), 0);
  run.result['inviteAnsweredP95Ms'] = round(p95(invite.value.map((x) => x.answered)), 0);
  run.result['inviteFirstFrameMinMs'] = round(Math.min(...firstFrameMs), 0);
  run.result['inviteCpuMsPerStream'] = round(invite.cpuMs / STREAMS, 1); // the lower's
  run.result['gops'] = GOPS;
  run.result['mediaPathMtu'] = settings.mediaPathMtu;
  run.result['inviteFirstFrameP95Parts'] = openedParts.ofP95Stream;
  run.result['inviteFirstFramePartP95s'] = openedParts.p95;

  const [streamCpu, upperStreams] = await run.phase('forward', SECONDS + 60, () => profiled('forward', () => Promise.all([cpuPct(SECONDS, () => forwarded), upper.cpu(SECONDS)])));
  const forwardSystem = lastSystemPct;
  const forwardPictures = { n: lastPictures, ms: lastMs, us: usPerPicture(streamCpu, idleCpu) };
  run.result['forwardCpuPctPerStream'] = round((streamCpu - idleCpu) / STREAMS, 3);
  run.result['receiveCpuPctPerStream'] = round((upperStreams.cpuPct - upperIdle.cpuPct) / STREAMS, 3);
  run.result['framesPerSecondPerStream'] = round(upperStreams.units / SECONDS / STREAMS, 1);
  await run.phase('forward-stop', 120, async () => {
    upper.send({ close: true });
    await upper.next((m) => m['closed'] as boolean | undefined);
    await hub.close();
  });

  // The same M cameras as ONVIF devices, opened cold twice back to back: A with the hub's keyframe
  // request taken away (the source's requestKeyframe hidden), B as the product asks
  // (SetSynchronizationPoint as soon as each stream runs). Between the two only that differs.
  const setSources = async (url: (i: number) => string) => {
    for (const [i, id] of ids.slice(0, STREAMS).entries()) {
      const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = (await lower.ctx.repos.cameras.get(id))!;
      await lower.ctx.repos.cameras.update(id, { ...fields, sourceUrl: url(i) }, Date.now());
    }
  };
  const honoured = async () => ((await (await fetch(`${sim.controlUrl}/cameras`)).json()) as { keyframesOnDemand: number }[]).reduce((n, c) => n + c.keyframesOnDemand, 0);
  const askRound = async (ask: boolean) => {
    const askHub = new StreamHub({
      sources: lower.ctx.sources, sourceUrl: async (id) => (await lower.ctx.repos.cameras.get(id))?.sourceUrl ?? undefined, logger,
      ...(ask ? {} : { createSource: (url: string, o: Parameters<typeof createSource>[1]) => Object.assign(createSource(url, o), { requestKeyframe: undefined }) }),
    });
    run.onCleanup(`keyframe round hub (${ask})`, () => askHub.close());
    watchHub = askHub;
    parts.reset();
    const honouredBefore = await honoured();
    upper.send({ invite: STREAMS, transport: TRANSPORT, lower: LOWER });
    const timings = await upper.next((m) => m['invited'] as UpperTiming[] | undefined);
    upper.send({ close: true });
    await upper.next((m) => m['closed'] as boolean | undefined);
    const split = await firstFrameParts(timings);
    const asked = askHub.stats().keyframesAsked;
    await askHub.close();
    return { timings, split, asked, honoured: (await honoured()) - honouredBefore };
  };
  const [notAsked, asked] = await run.phase('invite-keyframe', 600, async () => {
    await setSources((i) => `onvif://${control.host}/onvif/${new URL(sim.urls[i]!).pathname.slice(1)}/device_service`);
    try {
      return [await askRound(false), await askRound(true)];
    } finally {
      await setSources((i) => sim.urls[i]!);
    }
  });
  run.result['inviteOnvifNotAskedFirstFrameP95Ms'] = round(p95(notAsked.timings.map((x) => x.first)), 0);
  run.result['inviteOnvifNotAskedFirstFrameP95Parts'] = notAsked.split.ofP95Stream;
  run.result['inviteKeyframeAskedFirstFrameP95Ms'] = round(p95(asked.timings.map((x) => x.first)), 0);
  run.result['inviteKeyframeAskedFirstFrameP95Parts'] = asked.split.ofP95Stream;
  run.result['inviteKeyframeAskedFirstFramePartP95s'] = asked.split.p95;
  run.result['keyframesAsked'] = asked.asked;
  run.result['keyframesHonoured'] = asked.honoured;
  run.result['keyframeRoundLoadAverage'] = loadAverage();

  // The same M cameras kept open for the upper (cascade.keepOpen 'key-positions', the M cameras
  // marked key positions): the hub opens each before any INVITE and holds its GOP, so the INVITE
  // round that follows starts each stream at a keyframe at once. What it costs is the pull below,
  // paid all the time, watched or not.
  const keptHub = new StreamHub({ sources: lower.ctx.sources, sourceUrl: async (id) => (await lower.ctx.repos.cameras.get(id))?.sourceUrl ?? undefined, logger });
  run.onCleanup('kept-open stream hub', () => keptHub.close());
  const markKeyPositions = async (on: boolean) => {
    for (const id of ids.slice(0, STREAMS)) {
      const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = (await lower.ctx.repos.cameras.get(id))!;
      await lower.ctx.repos.cameras.update(id, { ...fields, keyPosition: on }, Date.now());
    }
    await lowerCascade!.keepOpen.refresh();
  };
  const inviteKept = await run.phase('invite-kept-open', 300, async () => {
    watchHub = keptHub;
    keyframeSeen.clear();
    await markKeyPositions(true);
    if (lowerCascade!.keepOpen.cameras.length !== STREAMS) throw new Error(`the cascade keeps ${lowerCascade!.keepOpen.cameras.length} cameras open, not ${STREAMS}`);
    // Each kept camera has given its first keyframe: the hub holds a GOP for it.
    while (keyframeSeen.size < STREAMS) await sleep(100);
    parts.reset();
    upper.send({ invite: STREAMS, transport: TRANSPORT, lower: LOWER });
    const timings = await upper.next((m) => m['invited'] as UpperTiming[] | undefined);
    upper.send({ close: true });
    await upper.next((m) => m['closed'] as boolean | undefined);
    await markKeyPositions(false);
    await keptHub.close();
    return timings;
  });
  const keptParts = await firstFrameParts(inviteKept);
  run.result['inviteKeptOpenFirstFrameP95Ms'] = round(p95(inviteKept.map((x) => x.first)), 0);
  run.result['inviteKeptOpenFirstFrameP95Parts'] = keptParts.ofP95Stream;
  run.result['inviteKeptOpenFirstFramePartP95s'] = keptParts.p95;

  // The same cameras only pulled into a stream hub (RTSP in, access units out, nobody sending):
  // the part of forwarding a live viewer or the recorder of the same camera would pay anyway, so
  // what forwarding adds beyond it (PS, RTP, the socket) can be told apart.
  const pullCpu = await run.phase('pull', SECONDS + 120, async () => {
    const pullHub = new StreamHub({ sources: lower.ctx.sources, sourceUrl: async (id) => (await lower.ctx.repos.cameras.get(id))?.sourceUrl ?? undefined, logger });
    try {
      let frames = 0;
      const subs = await Promise.all(ids.slice(0, STREAMS).map((id) => pullHub.watch(id, { copiesFrames: true, onInfo: () => undefined, onFrame: () => void frames++ })));
      while (frames < STREAMS * 25) await sleep(200);
      const pct = await cpuPct(SECONDS, () => frames);
      for (const sub of subs) sub.close();
      return { pct, system: lastSystemPct, pictures: lastPictures, ms: lastMs };
    } finally {
      await pullHub.close();
    }
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
  let recorded = 0;
  const recordCpu = await run.phase('record', SECONDS + 60, () => profiled('record', () => cpuPct(SECONDS, () => {
    recorded = 0;
    for (const s of recorder.sessions.values()) recorded += s.stats.frames;
    return recorded;
  })));
  const recordSystem = lastSystemPct;
  const recordPictures = { n: lastPictures, ms: lastMs, us: usPerPicture(recordCpu, idleBeforeRecord) };

  // The same channels INVITEd again while the recorder runs, forwarded from its sessions.
  const withdraw = offerRecordedLive(lower.config, (id) => recorder.liveTap(id));
  const relay = liveRelayOf(lower.ctx);
  let fromRecorder = 0;
  watchHub = new StreamHub({
    sources: lower.ctx.sources, sourceUrl: async (id) => (await lower.ctx.repos.cameras.get(id))?.sourceUrl ?? undefined, logger,
    relay: async (id) => {
      const source = await relay(id);
      if (source) fromRecorder++;
      return source;
    },
  });
  const recordedHub = watchHub;
  run.onCleanup('recorded stream hub', () => recordedHub.close());
  parts.reset();
  const inviteRecorded = await run.phase('invite-recorded', 300, async () => {
    upper.send({ invite: STREAMS, transport: TRANSPORT, lower: LOWER });
    return upper.next((m) => m['invited'] as UpperTiming[] | undefined);
  });
  const recordedParts = await firstFrameParts(inviteRecorded);
  const [recordForwardCpu, upperRecorded] = await run.phase('record-forward', SECONDS + 60, () => profiled('record-forward', () => Promise.all([cpuPct(SECONDS), upper.cpu(SECONDS)])));
  const recordForwardSystem = lastSystemPct;
  await run.phase('record-forward-stop', 120, async () => {
    upper.send({ close: true });
    await upper.next((m) => m['closed'] as boolean | undefined);
    await recordedHub.close();
    withdraw();
  });
  await recorder.close();
  run.result['forwardRecordedCpuPctPerStream'] = round((recordForwardCpu - recordCpu) / STREAMS, 3);
  run.result['forwardRecordedSystemCpuPctPerStream'] = round((recordForwardSystem - recordSystem) / STREAMS, 3);
  run.result['forwardRecordedFromRecorderStreams'] = fromRecorder;
  run.result['forwardRecordedHubSourcesOpened'] = recordedHub.stats().sourcesOpened;
  run.result['inviteRecordedFirstFrameP95Ms'] = round(p95(inviteRecorded.map((x) => x.first)), 0);
  run.result['inviteRecordedFirstFrameP95Parts'] = recordedParts.ofP95Stream;
  run.result['inviteRecordedFirstFramePartP95s'] = recordedParts.p95;
  run.result['framesPerSecondPerStreamRecorded'] = round(upperRecorded.units / SECONDS / STREAMS, 1);
  run.result['recordCpuPctPerStream'] = round((recordCpu - idleBeforeRecord) / STREAMS, 3);
  run.result['forwardToRecordRatio'] = round(run.result['forwardCpuPctPerStream'] as number / (run.result['recordCpuPctPerStream'] as number), 2);
  run.result['forwardRecordedToRecordRatio'] = round(run.result['forwardRecordedCpuPctPerStream'] as number / (run.result['recordCpuPctPerStream'] as number), 2);
  run.result['pullCpuPctPerStream'] = round((pullCpu.pct - idleBeforeRecord) / STREAMS, 3);
  // The kernel's part of each step (system time; the idle process's is near 0): over loopback a
  // socket write also runs the receiving side's network stack, which a real link would not.
  run.result['forwardSystemCpuPctPerStream'] = round(forwardSystem / STREAMS, 3);
  run.result['pullSystemCpuPctPerStream'] = round(pullCpu.system / STREAMS, 3);
  run.result['recordSystemCpuPctPerStream'] = round(recordSystem / STREAMS, 3);
  run.result['forwardBeyondPullCpuPctPerStream'] = round((run.result['forwardCpuPctPerStream'] as number) - (run.result['pullCpuPctPerStream'] as number), 3);
  run.result['recordBeyondPullCpuPctPerStream'] = round((run.result['recordCpuPctPerStream'] as number) - (run.result['pullCpuPctPerStream'] as number), 3);
  // The same per picture received (µs of CPU beyond idle), and the pictures a stream received a second.
  const pullUs = pullCpu.pictures ? (((pullCpu.pct - idleBeforeRecord) / 100) * pullCpu.ms * 1000) / pullCpu.pictures : 0;
  run.result['forwardCpuUsPerPicture'] = round(forwardPictures.us, 1);
  run.result['pullCpuUsPerPicture'] = round(pullUs, 1);
  run.result['recordCpuUsPerPicture'] = round(recordPictures.us, 1);
  run.result['forwardToRecordPerPictureRatio'] = round(forwardPictures.us / recordPictures.us, 2);
  const perSecond = (x: { pictures?: number; n?: number; ms: number }) => round(((x.pictures ?? x.n ?? 0) / (x.ms / 1000)) / STREAMS, 1);
  run.result['lowerPicturesPerSecondPerStream'] = `${perSecond(forwardPictures)} / ${perSecond(pullCpu)} / ${perSecond(recordPictures)}`;
  run.result['loadAverage'] = loadAverage();

  const rows = [
    [`catalog sync, ${CHANNELS} shared channels (s)`, `${run.result['catalogSyncSec']}  (own work ${run.result['catalogCpuMs']} ms CPU, ${run.result['catalogCpuMsPerItem']} ms an item)`],
    ['  of which until the lower\'s last answer was acknowledged (s)', run.result['catalogAnsweredSec']],
    [`INVITE to first frame p95, ${STREAMS} at once (ms)`, `${run.result['inviteFirstFrameP95Ms']}  (own work ${run.result['inviteCpuMsPerStream']} ms CPU a stream)`],
    ['  INVITE to its 200 OK p95 (ms)', run.result['inviteAnsweredP95Ms']],
    ['  INVITE to first frame, fastest (ms)', run.result['inviteFirstFrameMinMs']],
    [`  the p95 stream's parts (ms; cameras' GOPs ${GOPS})`, describeParts(openedParts.ofP95Stream)],
    ['  each part\'s own p95 (ms)', describeParts(openedParts.p95)],
    ['INVITE to first frame p95, the same cameras as ONVIF devices, opened cold (ms)', ''],
    ['  A: no keyframe asked', `${run.result['inviteOnvifNotAskedFirstFrameP95Ms']}  (${describeParts(notAsked.split.ofP95Stream)})`],
    ['  B: keyframe asked (SetSynchronizationPoint)', `${run.result['inviteKeyframeAskedFirstFrameP95Ms']}  (${describeParts(asked.split.ofP95Stream)})`],
    ['  B: each part\'s own p95 (ms)', describeParts(asked.split.p95)],
    ['  B: keyframes asked / honoured by the cameras', `${asked.asked} / ${asked.honoured}  (load ${run.result['keyframeRoundLoadAverage']})`],
    ['INVITE to first frame p95, the cameras kept open (cascade.keepOpen) (ms)', `${run.result['inviteKeptOpenFirstFrameP95Ms']}  (its price: the pull below, all the time)`],
    ['  the p95 stream\'s parts (ms)', describeParts(keptParts.ofP95Stream)],
    ['  each part\'s own p95 (ms)', describeParts(keptParts.p95)],
    ['idle CPU, lower / upper (% of a core)', `${run.result['idleCpuPct']} / ${run.result['upperIdleCpuPct']}`],
    [`forwarding by the lower, ${STREAMS} streams over ${TRANSPORT}, path MTU ${settings.mediaPathMtu} (% of a core per stream)`, run.result['forwardCpuPctPerStream']],
    ['receiving by the upper (% of a core per stream)', run.result['receiveCpuPctPerStream']],
    ['pictures received per stream per second', run.result['framesPerSecondPerStream']],
    ['idle CPU before recording (% of a core)', run.result['idleBeforeRecordCpuPct']],
    [`recording the same ${STREAMS} cameras (% of a core per stream)`, run.result['recordCpuPctPerStream']],
    ['forwarding / recording (a camera not recorded here: the hub opens it)', run.result['forwardToRecordRatio']],
    [`forwarding the same ${STREAMS} while recording them, beyond the recording (% of a core per stream)`, `${run.result['forwardRecordedCpuPctPerStream']}  (kernel ${run.result['forwardRecordedSystemCpuPctPerStream']})`],
    ['  forwarding a recorded camera / recording it (goal ≤ 1)', run.result['forwardRecordedToRecordRatio']],
    ['  streams taken from the recorder / hub sources opened', `${run.result['forwardRecordedFromRecorderStreams']} / ${run.result['forwardRecordedHubSourcesOpened']}`],
    ['  INVITE to first frame p95 (ms) / pictures per stream per second', `${run.result['inviteRecordedFirstFrameP95Ms']} / ${run.result['framesPerSecondPerStreamRecorded']}`],
    ['  the p95 stream\'s parts (ms)', describeParts(recordedParts.ofP95Stream)],
    [`only pulling the same ${STREAMS} cameras into a hub (% of a core per stream)`, run.result['pullCpuPctPerStream']],
    ['  forwarding beyond the pull / recording beyond it', `${run.result['forwardBeyondPullCpuPctPerStream']} / ${run.result['recordBeyondPullCpuPctPerStream']}`],
    ['  of which the kernel: forwarding / pulling / recording (system time)', `${run.result['forwardSystemCpuPctPerStream']} / ${run.result['pullSystemCpuPctPerStream']} / ${run.result['recordSystemCpuPctPerStream']}`],
    ['CPU per picture received: forwarding / pulling / recording (µs)', `${run.result['forwardCpuUsPerPicture']} / ${run.result['pullCpuUsPerPicture']} / ${run.result['recordCpuUsPerPicture']}`],
    ['  forwarding / recording, per picture (a camera not recorded here)', run.result['forwardToRecordPerPictureRatio']],
    ['  pictures the lower received per stream per second: forwarding / pulling / recording', run.result['lowerPicturesPerSecondPerStream']],
    ['load average', run.result['loadAverage']],
  ];
  for (const [k, v] of rows) process.stdout.write(`${String(k).padEnd(64)} ${v}\n`);
});
