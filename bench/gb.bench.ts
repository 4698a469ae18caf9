// npm run bench:gb [-- --devices N --streams M --seconds S --keepalive K] — N simulated GB/T 28181
// devices (one channel each, in a child process: bench/gb-devices.child.ts, or split over
// --device-processes P of them) register with digest to the platform in this process and keep
// alive every K s; their catalogs make N camera points. Then M of the channels are recorded
// (INVITE, PS over RTP) for S seconds, then M RTSP cameras of the simulator (another child
// process) with the same recorder for S seconds. Both over the same
// transport (--transport udp, the default: PS over RTP/UDP and RTSP with RTP over UDP; or tcp: PS
// over RTP/TCP with the device connecting, RTSP interleaved), so the ratio compares the formats,
// not a datagram per packet with a stream read per 64 KiB.
// CPU is this process's (process.cpuUsage). The N devices keep alive all along, so each recording
// phase has the idle cost (keepalives, the sweep) under it: it is measured for S seconds right
// before and right after each recording phase (before PS, between PS and RTSP with no session
// open, after RTSP) and the mean of the two beside a phase is taken off that phase, so a drift in
// the idle cost over the run is not charged to the streams. Every window is --seconds rounded up to
// whole keepalive periods (each then holds one keepalive of every device, however the devices'
// bursts fall). Frames lost: the recorder's own count
// (sequence gaps, damaged pictures). Last line: one JSON object {"devices","registerP95Ms",
// "platformRegisterP95Ms","keepaliveCpuPct","streams","psCpuPctPerStream","rtspCpuPctPerStream",
// "framesLost","transport","idleCpuPct":[before PS, between, after RTSP],"psRtspRatio",
// "psMbitPerStream","rtspMbitPerStream" (what the recorder wrote, to see both carried the same),
// "psCpuPctPerMbit","rtspCpuPctPerMbit","psRtspRatioPerMbit" (the same on equal work),…}.
// --register-only stops after the registration burst (its rows and keys only); --follow-up-hold-ms M
// sets how long new devices' DeviceInfo/Catalog wait while others register (0: not at all, to A/B);
// --message-slice-ms M how long devices' MESSAGEs are handled at a time after the REGISTERs of a
// poll (-1: as they come, to A/B).
// BENCH_PROFILE_DIR=DIR writes CPU profiles of the registration burst and of the PS and the RTSP
// recording steps there (the registration burst in two: register, until every device has its 200,
// and catalogs, the rest of it), and each devices' child's whole life in DIR/devices/ (its main
// thread's file is the larger of its two).
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { Registry as Metrics } from 'prom-client';
import { configSchema } from '../src/config/config.schema.js';
import { loadConfig } from '../src/config/config.js';
import { systemClock } from '../src/domain/clock.js';
import { livePlayerOf, openGb28181 } from '../src/gb28181/open.js';
import { gb28181SourceFactory } from '../src/ingest/gb28181-source.js';
import { registerSource } from '../src/ingest/registry.js';
import type { Camera } from '../src/db/camera.repository.js';
import { createRecorderMetrics } from '../src/recorder/metrics.js';
import { Recorder } from '../src/recorder/recorder.js';
import { openContext } from '../src/services/context.js';
import { startSimProcess } from '../test/support/sim-process.js';
import { loadAverage, profiled, runBench } from './bench-run.js';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: process.env.BENCH_GB_DEVICES ?? '1000' },
    streams: { type: 'string', default: process.env.BENCH_STREAMS ?? '100' },
    seconds: { type: 'string', default: process.env.BENCH_SECONDS ?? '30' },
    keepalive: { type: 'string', default: '10' },
    transport: { type: 'string', default: 'udp' },
    width: { type: 'string', default: '1280' },
    height: { type: 'string', default: '720' },
    bitrate: { type: 'string', default: '3000' },
    'register-only': { type: 'boolean', default: false },
    'follow-up-hold-ms': { type: 'string' },
    'message-slice-ms': { type: 'string' },
    'device-processes': { type: 'string', default: '1' },
  },
});
const DEVICES = Number(values.devices);
const STREAMS = Math.min(Number(values.streams), DEVICES);
const KEEPALIVE_SECONDS = Number(values.keepalive) || 60; // as the devices' child reads it
// Every window is a whole number of keepalive periods, so each holds exactly one keepalive per
// device per period whatever its phase. The devices register within a few seconds, so their
// keepalives come as a burst (1,000 at once) every period: an 8 s or 15 s window held one burst or
// two, or none, by where it fell, and at 1,000 devices a burst costs as much as the streams being
// measured; taking another window's idle off a phase then charged or credited the streams a burst.
const SECONDS = Math.ceil(Number(values.seconds) / KEEPALIVE_SECONDS) * KEEPALIVE_SECONDS;
const TRANSPORT = values.transport;
if (TRANSPORT !== 'udp' && TRANSPORT !== 'tcp') throw new Error(`--transport must be udp or tcp, not ${TRANSPORT}`);
const DEVICE_PROCESSES = Math.max(1, Math.min(Number(values['device-processes']) || 1, DEVICES));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cpuPct(seconds: number): Promise<number> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  return ((c.user + c.system) / 1000 / (performance.now() - t0)) * 100;
}

/** UDP datagrams the kernel dropped for a full receive buffer, machine-wide (Linux; undefined elsewhere). */
function udpRcvbufErrors(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    const v = Number(values[names.indexOf('RcvbufErrors')]);
    return Number.isFinite(v) ? v : undefined;
  } catch {
    return undefined;
  }
}
const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(xs.length * q) - 1))] ?? 0;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)] ?? 0;
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/**
 * The devices' processes' first lines as one: every device's times, CPU per device over all of
 * them, and of the CPU (% of a core) and event-loop delays the sum and the worst process.
 */
function mergeDeviceLines(ls: Record<string, unknown>[]): Record<string, unknown> {
  if (ls.length === 1) return ls[0]!;
  const all = (k: string) => ls.flatMap((l) => l[k] as number[]);
  const n = all('registerMs').length;
  const loops = ls.map((l) => l['loopDelayMs'] as { p50: number; p95: number; max: number });
  return {
    registerMs: all('registerMs'),
    challengeMs: all('challengeMs'),
    authorisedMs: all('authorisedMs'),
    cpuMsPerDevice: round(ls.reduce((t, l) => t + (l['cpuMsPerDevice'] as number) * (l['registerMs'] as number[]).length, 0) / n, 2),
    cpuPct: round(ls.reduce((t, l) => t + (l['cpuPct'] as number), 0), 1),
    loopDelayMs: { p50: Math.max(...loops.map((x) => x.p50)), p95: Math.max(...loops.map((x) => x.p95)), max: Math.max(...loops.map((x) => x.max)) },
  };
}

await runBench('gb', async (run) => {
  const dir = run.tempDir('vigil-gb-bench-');
  const password = 'bench-domain-secret';
  const config = loadConfig({ env: { VIGIL_DATA_DIR: join(dir, 'data') }, cwd: dir });
  const logger = pino({ level: 'warn' });
  const ctx = await run.phase('open', 120, () => openContext(config, { logger }));
  run.onCleanup('database', () => ctx.close());
  const region = await ctx.repos.organisations.create({ kind: 'platform', name: 'Bench city', level: 'city', regionCode: '340200' }, Date.now());
  const settings = configSchema.parse({ gb28181: { host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', mediaPortMin: 36000, mediaPortMax: 36099, domainPassword: password, defaultRegionId: region.id, keepaliveSeconds: Math.max(5, Number(values.keepalive)) } }).gb28181;
  const hold = values['follow-up-hold-ms'];
  const slice = values['message-slice-ms'];
  const gb = await openGb28181({ settings, utcOffsetMinutes: 480, repos: ctx.repos, registry: ctx.registry, log: ctx.access.log, clock: systemClock, logger, ...(hold !== undefined ? { followUpHoldMs: Number(hold) } : {}), ...(slice !== undefined ? { messageSliceMs: Number(slice) } : {}) });
  run.onCleanup('GB/T 28181 platform', () => gb.close());
  registerSource('gb28181', gb28181SourceFactory(livePlayerOf(gb)));
  let catalogs = 0;
  gb.platform.on('catalog', () => catalogs++);
  // The platform's own view: from a device's first (challenged) REGISTER arriving to its 200.
  const platformRegisterMs: number[] = [];
  const platformRoundTripMs: number[] = [];
  const platformStoreMs: number[] = [];
  gb.platform.on('registerAnswered', (_id, ms, phases) => {
    platformRegisterMs.push(ms);
    platformRoundTripMs.push(phases.roundTripMs);
    platformStoreMs.push(phases.storeMs);
  });

  // Devices in processes of their own (--device-processes P, default 1): each holds a share of the
  // devices and registers its share of the 50 at a time, so 50 are under way at once either way.
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const children = Array.from({ length: DEVICE_PROCESSES }, (_, p) => {
    const from = Math.floor((DEVICES * p) / DEVICE_PROCESSES);
    const count = Math.floor((DEVICES * (p + 1)) / DEVICE_PROCESSES) - from;
    const batch = Math.max(1, Math.round(50 / DEVICE_PROCESSES));
    // The streaming devices are the first STREAMS: only a process holding some of them encodes.
    const encode = from < STREAMS ? '1' : '0';
    const child = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, 'devices')] : []), '--import', 'tsx', join(import.meta.dirname, 'gb-devices.child.ts'), String(count), String(gb.port), password, values.keepalive, values.width, values.height, values.bitrate, String(from + 1), String(batch), encode], { stdio: ['ignore', 'pipe', 'pipe'] });
    const c = { child, out: '', err: '' };
    child.stdout.on('data', (d: Buffer) => (c.out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (c.err = (c.err + d.toString()).slice(-4000)));
    run.watchChild(`devices ${p + 1}`, child, () => c.err);
    run.onCleanup(`devices ${p + 1}`, async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000).then(() => child.kill('SIGKILL'))]);
    });
    return c;
  });
  const firstLines = () => children.map((c) => c.out.split('\n').find((l) => l.trim())).filter((l): l is string => l !== undefined).map((l) => JSON.parse(l) as Record<string, unknown>);

  // The platform's own CPU over the whole registration burst (both REGISTERs, the DeviceInfo and
  // Catalog queries, the catalog into the registry), per device: what the latencies cost when the
  // machine is not starved, to read beside them on a loaded one.
  const regCpu0 = process.cpuUsage();
  const regWall0 = performance.now();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const drops0 = udpRcvbufErrors();
  let registeredAt = 0;
  let regWindowCpu = { user: 0, system: 0 };
  let catalogsWhileRegistering = 0;
  // Two profiles: the burst until every device has its 200, then the catalogs that follow it.
  const first = await run.phase('register', 900, async () => {
    await profiled('register', async () => {
      while (firstLines().length < children.length) await sleep(200);
    });
    registeredAt = performance.now();
    regWindowCpu = process.cpuUsage(regCpu0);
    catalogsWhileRegistering = catalogs;
    await profiled('catalogs', async () => {
      while (catalogs < DEVICES) await sleep(200);
    });
    return mergeDeviceLines(firstLines());
  });
  loop.disable();
  const registerMs = first['registerMs'] as number[];
  const regCpu = process.cpuUsage(regCpu0);
  const regCpuMs = (regCpu.user + regCpu.system) / 1000;
  run.result['platformCpuMsPerDevice'] = round(regCpuMs / DEVICES, 2);
  run.result['platformCpuPctDuringRegister'] = round((regCpuMs / (performance.now() - regWall0)) * 100, 1);
  // The CPU both processes spent until every device had its 200, per device: the work the
  // registrations queued behind. On a machine others share, what a change saves here is what it
  // saves of the devices' wait, and it is far steadier from run to run than the wait itself.
  run.result['platformCpuMsPerDeviceUntilRegistered'] = round((regWindowCpu.user + regWindowCpu.system) / 1000 / DEVICES, 2);
  const online = (await ctx.repos.gbDevices.list()).filter((d) => d.online).length;
  run.result['devices'] = DEVICES;
  run.result['deviceProcesses'] = DEVICE_PROCESSES;
  run.result['online'] = online;
  run.result['registerP95Ms'] = round(p95(registerMs), 1);
  run.result['platformRegisterP95Ms'] = round(p95(platformRegisterMs), 1);
  // Where the devices' time goes: each leg as the devices saw it, the platform's two parts, and how
  // late each process's event loop ran while they registered.
  // Over T1 (500 ms) a device has sent its REGISTER again: a lost datagram or a late answer.
  run.result['registerP50Ms'] = round(pct(registerMs, 0.5), 1);
  run.result['registersOverT1'] = registerMs.filter((ms) => ms > 500).length;
  const drops1 = udpRcvbufErrors();
  run.result['udpRcvbufErrorsMachineWide'] = drops0 !== undefined && drops1 !== undefined ? drops1 - drops0 : null;
  run.result['registerChallengeP95Ms'] = round(p95(first['challengeMs'] as number[]), 1);
  run.result['registerAuthorisedP95Ms'] = round(p95(first['authorisedMs'] as number[]), 1);
  run.result['platformRoundTripP95Ms'] = round(p95(platformRoundTripMs), 1);
  run.result['platformStoreP95Ms'] = round(p95(platformStoreMs), 1);
  run.result['platformLoopDelayMs'] = { p50: round(loop.percentile(50) / 1e6, 1), p95: round(loop.percentile(95) / 1e6, 1), max: round(loop.max / 1e6, 1) };
  run.result['devicesLoopDelayMs'] = first['loopDelayMs'];
  run.result['devicesCpuMsPerDevice'] = first['cpuMsPerDevice'];
  run.result['devicesCpuPctDuringRegister'] = first['cpuPct'];
  run.result['cpuMsPerDeviceUntilRegistered'] = round((run.result['platformCpuMsPerDeviceUntilRegistered'] as number) + (first['cpuMsPerDevice'] as number), 2);
  run.result['registerSeconds'] = round((registeredAt - regWall0) / 1000, 1);
  // Follow-ups (DeviceInfo, Catalog, the catalog into the registry) done before the last device
  // had its 200: work that shared the platform's event loop with the REGISTERs.
  run.result['catalogsWhileRegistering'] = catalogsWhileRegistering;
  run.result['catalogsSeconds'] = round((performance.now() - regWall0) / 1000, 1);
  run.result['registerLoadAverage'] = loadAverage();
  const registerRows = [
    ['devices registered / online', `${DEVICES} / ${online}`],
    ['register p95, seen by the devices (ms)', run.result['registerP95Ms']],
    ['register p50 seen by the devices (ms); devices over T1 (500 ms)', `${run.result['registerP50Ms']}; ${run.result['registersOverT1']}`],
    ['UDP datagrams dropped for a full buffer while they registered (whole machine)', run.result['udpRcvbufErrorsMachineWide']],
    ['  401 leg / authorised leg, seen by the devices, p95 (ms)', `${run.result['registerChallengeP95Ms']} / ${run.result['registerAuthorisedP95Ms']}`],
    ['register p95, first REGISTER in to 200 out at the platform (ms)', run.result['platformRegisterP95Ms']],
    ['  401 out to authorised REGISTER in / its 200 out, p95 (ms)', `${run.result['platformRoundTripP95Ms']} / ${run.result['platformStoreP95Ms']}`],
    ['event loop delay platform / devices, p95 (max) (ms)', `${(run.result['platformLoopDelayMs'] as { p95: number }).p95} (${(run.result['platformLoopDelayMs'] as { max: number }).max}) / ${(first['loopDelayMs'] as { p95: number }).p95} (${(first['loopDelayMs'] as { max: number }).max})`],
    ['all registered / all catalogs applied (s)', `${run.result['registerSeconds']} / ${run.result['catalogsSeconds']}`],
    ['catalogs applied before every device had its 200', catalogsWhileRegistering],
    ['platform CPU per device registered: 2 REGISTERs, DeviceInfo, Catalog into the registry (ms)', run.result['platformCpuMsPerDevice']],
    ['platform CPU while the devices registered (% of a core)', run.result['platformCpuPctDuringRegister']],
    ['processes the simulated devices run in', DEVICE_PROCESSES],
    ['simulated devices\' CPU per device / % of a core until all registered', `${run.result['devicesCpuMsPerDevice']} / ${run.result['devicesCpuPctDuringRegister']}`],
    ['CPU per device until all registered, platform + devices (ms)', `${run.result['platformCpuMsPerDeviceUntilRegistered']} + ${run.result['devicesCpuMsPerDevice']} = ${run.result['cpuMsPerDeviceUntilRegistered']}`],
    ['load average while they registered', run.result['registerLoadAverage']],
  ];
  if (values['register-only']) {
    for (const [k, v] of registerRows) process.stdout.write(`${String(k).padEnd(62)} ${v}\n`);
    return;
  }

  const keepaliveCpu = await run.phase('keepalive', SECONDS + 60, () => cpuPct(SECONDS));
  run.result['keepaliveCpuPct'] = round(keepaliveCpu);
  run.result['windowSeconds'] = SECONDS;
  run.result['transport'] = TRANSPORT;

  const metrics = createRecorderMetrics(new Metrics());
  const recorder = new Recorder(
    { dataDir: config.dataDir, settings: { fileSeconds: 600, fragmentMaxMs: 2000, reconnectMinMs: 500, reconnectMaxMs: 5000, staggerMs: 20 }, repo: ctx.repos.recordings, sources: ctx.sources, clock: systemClock, logger, metrics },
    { noDataTimeoutMs: 10_000, connectTimeoutMs: 10_000, refreshMs: 2000 },
  );
  run.onCleanup('recorder', () => recorder.close());
  const gbCams: Camera[] = [];
  for (let i = 1; i <= STREAMS; i++) gbCams.push((await ctx.repos.cameras.getByGbId(`3402000000131${String(i).padStart(7, '0')}`))!);
  const sessionsUp = async () => (await metrics.sessionsUp.get()).values[0]?.value ?? 0;
  const lost = async () => (await metrics.framesLost.get()).values[0]?.value ?? 0;
  const written = async () => (await metrics.bytesWritten.get()).values[0]?.value ?? 0;
  /** Recorded Mbit/s per stream over a phase: both phases must carry the same to compare their CPU. */
  const mbitPerStream = (bytes: number) => round((bytes * 8) / 1e6 / SECONDS / STREAMS, 2);

  await run.phase('ps-start', 300, async () => {
    for (const c of gbCams) await ctx.registry.cameras.update(c.id, { status: 'in_service', inServiceDate: '2024-03-01', ...(TRANSPORT === 'tcp' ? { sourceUrl: `${c.sourceUrl}?transport=tcp-passive` } : {}) });
    await recorder.start();
    while ((await sessionsUp()) < STREAMS) await sleep(500);
  });
  const lost0 = await lost();
  const written0 = await written();
  const psCpu = await run.phase('ps', SECONDS + 60, () => profiled('ps', () => cpuPct(SECONDS)));
  const psLost = (await lost()) - lost0;
  run.result['psMbitPerStream'] = mbitPerStream((await written()) - written0);

  // Idle again: every PS session closed (BYE sent, the recorder's sessions down), no RTSP yet.
  const betweenCpu = await run.phase('idle-between', SECONDS + 120, async () => {
    for (const c of gbCams) await ctx.registry.cameras.update(c.id, { status: 'suspended' });
    await recorder.refresh();
    while ((await sessionsUp()) > 0) await sleep(500);
    return cpuPct(SECONDS);
  });
  run.result['streams'] = STREAMS;
  run.result['psCpuPctPerStream'] = round((psCpu - (keepaliveCpu + betweenCpu) / 2) / STREAMS, 3);

  const sim = await run.phase('rtsp-start', 300, async () => {
    // The same picture as the devices' encoder, so both phases carry the same bytes.
    const s = await startSimProcess(STREAMS, { width: Number(values.width), height: Number(values.height), bitrateKbps: Number(values.bitrate) });
    run.onCleanup('simulator', () => s.stop());
    const u = new URL(s.urls[0]!);
    ctx.sources.allowEndpoint(u.hostname, Number(u.port));
    for (const [i, url] of s.urls.entries()) {
      const { id: _id, createdAt: _c, updatedAt: _u, ...fields } = gbCams[i]!;
      await ctx.registry.cameras.register({ ...fields, gbId: `3402000000132${String(i + 1).padStart(7, '0')}`, name: `RTSP camera ${i + 1}`, status: 'in_service', inServiceDate: '2024-03-01', sourceUrl: TRANSPORT === 'udp' ? `${url}${url.includes('?') ? '&' : '?'}rtsp_transport=udp` : url });
    }
    await recorder.refresh();
    while ((await sessionsUp()) < STREAMS) await sleep(500);
    return s;
  });
  void sim;
  const lost1 = await lost();
  const written1 = await written();
  const rtspCpu = await run.phase('rtsp', SECONDS + 60, () => profiled('rtsp', () => cpuPct(SECONDS)));
  const rtspLost = (await lost()) - lost1;
  run.result['rtspMbitPerStream'] = mbitPerStream((await written()) - written1);
  run.result['loadAverage'] = loadAverage();
  await recorder.close(); // before the simulator stops, so its cameras are not seen to fail
  const afterCpu = await run.phase('idle-after', SECONDS + 60, () => cpuPct(SECONDS));
  run.result['rtspCpuPctPerStream'] = round((rtspCpu - (betweenCpu + afterCpu) / 2) / STREAMS, 3);
  run.result['framesLost'] = psLost;
  run.result['rtspFramesLost'] = rtspLost;
  run.result['idleCpuPct'] = [round(keepaliveCpu), round(betweenCpu), round(afterCpu)];
  run.result['psRtspRatio'] = round((run.result['psCpuPctPerStream'] as number) / (run.result['rtspCpuPctPerStream'] as number), 2);
  // On a loaded machine the simulators' encoders fall behind real time and the two phases carry
  // different amounts of video: CPU per recorded Mbit/s compares the paths on equal work.
  const perMbit = (pct: unknown, mbit: unknown) => ((mbit as number) > 0 ? round((pct as number) / (mbit as number), 3) : null);
  run.result['psCpuPctPerMbit'] = perMbit(run.result['psCpuPctPerStream'], run.result['psMbitPerStream']);
  run.result['rtspCpuPctPerMbit'] = perMbit(run.result['rtspCpuPctPerStream'], run.result['rtspMbitPerStream']);
  run.result['psRtspRatioPerMbit'] = run.result['psCpuPctPerMbit'] && run.result['rtspCpuPctPerMbit'] ? round((run.result['psCpuPctPerMbit'] as number) / (run.result['rtspCpuPctPerMbit'] as number), 2) : null;

  const rows = [
    ...registerRows,
    [`keepalive CPU, ${DEVICES} devices every ${values.keepalive} s (% of a core)`, run.result['keepaliveCpuPct']],
    ['idle CPU before PS / between / after RTSP (% of a core)', (run.result['idleCpuPct'] as number[]).join(' / ')],
    [`PS over RTP/${TRANSPORT.toUpperCase()} recording, ${STREAMS} streams, idle taken off (% of a core per stream)`, run.result['psCpuPctPerStream']],
    [`RTSP (RTP/${TRANSPORT.toUpperCase()}) recording, ${STREAMS} streams, idle taken off (% of a core per stream)`, run.result['rtspCpuPctPerStream']],
    ['PS / RTSP', run.result['psRtspRatio']],
    ['recorded per stream PS / RTSP (Mbit/s)', `${run.result['psMbitPerStream']} / ${run.result['rtspMbitPerStream']}`],
    ['CPU per recorded Mbit/s PS / RTSP (% of a core), ratio', `${run.result['psCpuPctPerMbit']} / ${run.result['rtspCpuPctPerMbit']}, ${run.result['psRtspRatioPerMbit']}`],
    ['frames lost PS / RTSP', `${psLost} / ${rtspLost}`],
    [`measuring window, whole keepalive periods of ${KEEPALIVE_SECONDS} s (s)`, SECONDS],
    ['load average', run.result['loadAverage']],
  ];
  for (const [k, v] of rows) process.stdout.write(`${String(k).padEnd(62)} ${v}\n`);
});
