// npm run bench:watch — watching at scale, on SQLite with the real API, simulator and recorder.
// - playback start: with an index of 100 cameras × 30 days (rows synthesised around one real
//   recording, whose fragments every synthetic file points at), the time from the playback
//   request to the first bytes of a decodable fragment, p95 over random instants (goal ≤ 300 ms);
// - a month's timeline for one camera over HTTP, p95 (goal ≤ 50 ms);
// - live WebRTC glass-to-glass delay in Chromium: for each frame the video element displays
//   (requestVideoFrameCallback), the browser's Date.now() minus the wall-clock time the simulator
//   burned into that frame (its clock strip, read from the displayed video through a canvas),
//   median over 250 frames, p95 beside it (goal ≤ 1 s);
// - N concurrent WebRTC viewers (default 200) of one 3 Mbit/s camera while the recorder records
//   it: the Chromium viewer and N-1 werift peer connections in processes of their own
//   (webrtc-viewers.child.ts, 50 a process), each counting the pictures whose every RTP packet
//   arrived against those the camera made; the server's CPU per viewer from this process's CPU
//   time (the viewers' processes are not in it). framesDeliveredPct is the worst viewer's;
//   viewersLimit says what held the run back (a server starved of CPU sends fewer frames and so
//   looks cheaper per viewer); cpuUsPerViewerFrame is the server's CPU per picture sent to a
//   viewer, which starving does not understate, and cpuPctPerViewerAtCameraRate what a viewer
//   costs at that figure had every picture been sent. Viewers arrive one by one
//   (BENCH_VIEWERS_ARRIVAL_MS apart in each viewer process, at most BENCH_VIEWERS_PARALLEL
//   handshakes at once).
// The load average is printed beside the figures: other work on the machine disturbs them.
// Last line: one JSON object; a delay with the viewers watching that could not be measured is
// there as liveDelayLoadedFailed (why), and the delay alone is still measured.
import { linkSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser.js';
import { measureClockDelay, openViewers, prepareViewerPage } from '../test/support/live-viewers.js';
import { childrenCpuSeconds, cpuPercents } from '../test/support/process-cpu.js';
import { sleep } from '../test/support/recorder-harness.js';
import { startSimProcess } from '../test/support/sim-process.js';
import { startMediaServer } from '../test/media/media-server.js';
import { messageOf, PhaseError, runBench } from './bench-run.js';
import { startViewerFleet, type ViewerFleet } from './webrtc-viewers.js';

const CAMERAS = 100;
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const FRAGMENT_S = Number(process.env.BENCH_FRAGMENT_SECONDS ?? 60);
const FILE_S = 600;
const PLAYBACK_SAMPLES = Number(process.env.BENCH_PLAYBACK_SAMPLES ?? 100);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 200);
/** Viewers whose connection setup runs at once, in each viewer process. */
const PARALLEL = Number(process.env.BENCH_VIEWERS_PARALLEL ?? 5);
/** werift viewers held by one process. */
const PER_PROCESS = Number(process.env.BENCH_VIEWERS_PER_PROCESS ?? 50);
/** Mean time between two viewers' arrivals in each viewer process, ms (users come one by one). */
const ARRIVAL_MS = Number(process.env.BENCH_VIEWERS_ARRIVAL_MS ?? 250);
const DELAY_FRAMES = 250;
const WINDOW_MS = 10_000;
const DAY = 86_400_000;

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (m: string) => process.stderr.write(`${m}\n`);
const loadAverage = () => `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`;

// The simulator (one 3 Mbit/s 720p25 camera) runs in a process of its own: the CPU measured
// here is the server's (API, hub, recorder, WebRTC), not the camera's.
await runBench('watch', async (run) => {
  let fleet: ViewerFleet | undefined;
  const sim = await run.phase('simulator', 60, () => startSimProcess(1));
  run.watchChild('simulator', sim.child, sim.stderr);
  run.onCleanup('stop the simulator', () => sim.stop());
  const server = await run.phase('server', 120, () => startMediaServer([sim.urls[0]!, ...Array.from({ length: CAMERAS - 1 }, () => null)]));
  run.onCleanup('close the server', () => server.close());
  const { harness } = server;
  const ids = harness.cameraIds;
  const { real, realFragments } = await run.phase('real-recording', 120, async () => {
    // One real recording: the bytes every synthetic fragment row points at.
    const recorder = harness.recorder({ fileSeconds: FILE_S, fragmentMaxMs: 2000 });
    await recorder.start();
    await sleep(5000);
    await recorder.close();
    const [real] = (await harness.repos.recordings.files(ids[0]!)).filter((f) => f.bytes > f.initSize);
    const realFragments = await harness.repos.recordings.fragments(real!.id);
    log(`real recording: ${realFragments.length} fragments in ${real!.path}`);
    return { real, realFragments };
  });

  const now = Date.now();
  const start = now - DAYS * DAY;
  await run.phase('index', 600 + DAYS * 20, async () => {
    // The synthetic index: files of 10 minutes, fragments of FRAGMENT_S, a few gaps, 30 days.
    const sqlite = new Database(harness.dbUrl.replace(/^sqlite:/, ''));
    sqlite.pragma('journal_mode = WAL');
    const insFile = sqlite.prepare('INSERT INTO recording_files (camera_id, path, codec, width, height, init_size, started_at, ended_at, bytes, closed) VALUES (?, ?, ?, 1280, 720, ?, ?, ?, ?, 1)');
    const insFrag = sqlite.prepare('INSERT INTO recording_fragments (file_id, camera_id, seq, byte_offset, size, start_ms, end_ms, keyframe, samples, sha256) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)');
    const insEvent = sqlite.prepare("INSERT INTO camera_events (camera_id, kind, start_ms, end_ms, detail) VALUES (?, 'gap', ?, ?, '')");
    const t0 = performance.now();
    let fragRows = 0;
    let fileRows = 0;
    for (const cam of ids) {
      sqlite.transaction(() => {
        for (let f = start; f + FILE_S * 1000 <= now - 60_000; f += FILE_S * 1000) {
          // One file in 200 is missing: a camera outage, recorded as a gap event.
          if ((f / (FILE_S * 1000) + cam) % 200 === 0) {
            insEvent.run(cam, f, f + FILE_S * 1000);
            continue;
          }
          const fileId = Number(insFile.run(cam, `synthetic/${cam}/${f}.mp4`, 'avc1.64001f', real!.initSize, f, f + FILE_S * 1000, real!.bytes).lastInsertRowid);
          fileRows++;
          for (let s = 0; s * FRAGMENT_S * 1000 < FILE_S * 1000; s++) {
            const r = realFragments[s % realFragments.length]!;
            insFrag.run(fileId, cam, s + 1, r.byteOffset, r.size, f + s * FRAGMENT_S * 1000, f + (s + 1) * FRAGMENT_S * 1000, r.samples, r.sha256);
            fragRows++;
          }
        }
      })();
    }
    sqlite.pragma('optimize');
    sqlite.close();
    log(`index: ${fileRows} files, ${fragRows} fragments for ${CAMERAS} cameras × ${DAYS} days in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  });

  const operator = await server.client('bench-operator', 'duty_operator', 'cameras');
  const headers = { authorization: `Bearer ${operator.bearer}` };

  await run.phase('playback', 120 + PLAYBACK_SAMPLES * 3, async () => {
    // Playback start: request → first bytes of the keyframe fragment.
    const starts: number[] = [];
    for (let i = 0; i < PLAYBACK_SAMPLES; i++) {
      const cam = ids[1 + (i % (CAMERAS - 1))]!;
      const t = start + DAY + Math.floor(((i * 7919) % 1000) / 1000 * (DAYS - 2) * DAY);
      const token = await operator.streamToken(cam, 'playback', { from: t - 3_600_000, to: t + 3_600_000 });
      const a = performance.now();
      const res = await fetch(`${server.url}/api/v1/playback/${cam}?from=${t}&token=${token}`);
      const plan = (await res.json()) as { segments: { url: string; fileId: number }[] };
      const planned = performance.now();
      if (!plan.segments?.length) continue;
      // The synthetic file the plan names is the real recording under another name (a hard link).
      const file = await harness.repos.recordings.file(plan.segments[0]!.fileId);
      const path = join(harness.dataDir, file!.path);
      mkdirSync(dirname(path), { recursive: true });
      try {
        linkSync(join(harness.dataDir, real!.path), path);
      } catch {
        /* already linked */
      }
      const b = performance.now();
      const frag = await fetch(`${server.url}${plan.segments[0]!.url}`);
      const reader = frag.body!.getReader();
      await reader.read();
      const c = performance.now();
      await reader.cancel();
      if (frag.status !== 200) throw new Error(`fragment: ${frag.status}`);
      // Linking the file is scaffolding of this benchmark, not part of the server's path.
      starts.push(planned - a + (c - b));
    }
    run.result.playbackStartP95Ms = +p95(starts).toFixed(1);
    log(`playback start: p95 ${p95(starts).toFixed(1)} ms, median ${median(starts).toFixed(1)} ms (${starts.length} samples); ${loadAverage()}`);
  });

  await run.phase('timeline', 180, async () => {
    // A month's timeline for one camera.
    const timelines: number[] = [];
    for (let i = 0; i < 40; i++) {
      const cam = ids[1 + (i % (CAMERAS - 1))]!;
      const a = performance.now();
      const res = await fetch(`${server.url}/api/v1/timeline/${cam}?from=${now - 30 * DAY}&to=${now}`, { headers });
      const body = (await res.json()) as { ranges: unknown[] };
      timelines.push(performance.now() - a);
      if (res.status !== 200 || !body.ranges.length) throw new Error(`timeline: ${res.status}`);
    }
    const timelineMonthMs = p95(timelines.slice(5));
    run.result.timelineMonthMs = +timelineMonthMs.toFixed(1);
    log(`month timeline: p95 ${timelineMonthMs.toFixed(1)} ms, median ${median(timelines).toFixed(1)} ms; ${loadAverage()}`);
  });

  // The viewers are measured before Chromium starts: playwright's client keeps async hooks
  // enabled in this process from then on, a cost on every promise that the server alone, in
  // production, does not pay.
  const cam = ids[0]!;
  await run.phase('recorder', 60, async () => {
    const rec = harness.recorder({ fileSeconds: FILE_S, fragmentMaxMs: 2000 });
    await rec.start();
    run.onCleanup('stop the recorder', () => rec.close());
  });
  await run.phase('viewers', 300 + VIEWERS * 6, async () => {
    const cpuOver = async (ms: number) => {
      const a = process.cpuUsage();
      const t = performance.now();
      await sleep(ms);
      const d = process.cpuUsage(a);
      return ((d.user + d.system) / 1000 / (performance.now() - t)) * 100;
    };
    // Baseline: the recorder recording the camera, no viewer.
    const baseline = await cpuOver(5000);
    // The viewers are werift peer connections in processes of their own (PER_PROCESS
    // each), opened PARALLEL at a time per process: the server's CPU is this process's alone, and
    // no browser decodes 200 pictures. Each viewer counts the pictures whose every RTP packet came.
    fleet = await startViewerFleet(run, VIEWERS, PER_PROCESS, PARALLEL, ARRIVAL_MS);
    run.onCleanup('close the viewer processes', () => fleet!.close());
    const t1 = performance.now();
    const opened = await fleet.open(server.url, operator.bearer, cam);
    log(`opened ${opened.ok} viewers (werift, ${Math.ceil(VIEWERS / PER_PROCESS)} processes, one every ~${ARRIVAL_MS} ms and at most ${PARALLEL} at a time each) in ${((performance.now() - t1) / 1000).toFixed(1)} s${opened.failed || opened.retried ? `; ${opened.failed} failed, ${opened.retried} needed a second attempt: ${opened.errors.join('; ')}` : ''}`);
    // Any viewer the server closes from here on is said, with its reason.
    const closedReasons = new Map<string, number>();
    for (const st of server.live.register.list({ cameraId: cam })) server.live.viewer(st.id)?.once('closed', (r) => closedReasons.set(r, (closedReasons.get(r) ?? 0) + 1));
    await sleep(5000);
    if (!server.hub.feed(`camera:${cam}`)) throw new Error(`no viewer is left watching: the server closed them (${[...closedReasons].map(([r, n]) => `${n}× ${r}`).join('; ') || 'no reason given'})`);
    const sessions = () => server.live.register.list({ cameraId: cam }).map((st) => server.live.viewer(st.id)).filter((v) => v !== undefined);
    const sentBefore = new Map(sessions().map((v) => [v, v.framesSent]));
    let cameraFrames = 0;
    const countFrame = () => void cameraFrames++;
    const feed = server.hub.feed(`camera:${cam}`)!;
    feed.on('frame', countFrame);
    const ts = performance.now();
    const children = childrenCpuSeconds();
    const loop = monitorEventLoopDelay({ resolution: 5 });
    const cpu0 = process.cpuUsage();
    loop.enable();
    const { viewers: per, clientCpuSeconds } = await fleet.window(WINDOW_MS);
    loop.disable();
    const cpuD = process.cpuUsage(cpu0);
    const windowMs = performance.now() - ts;
    const loaded = ((cpuD.user + cpuD.system) / 1000 / windowMs) * 100;
    const elsewhere = cpuPercents(children, childrenCpuSeconds(), windowMs);
    const sentFps = [...sentBefore].map(([v, n]) => ((v.framesSent - n) * 1000) / windowMs);
    const cameraFps = (cameraFrames * 1000) / windowMs;
    feed.off('frame', countFrame);
    // A viewer counts when its connection is up and it got pictures, keyframes among them; its
    // delivered share is the pictures that came whole of those the camera made over the RTP
    // timestamps it saw. framesDeliveredPct is the worst viewer's (the goal is every viewer's).
    const delivered = per.map((v) => (v.expected ? (v.frames / v.expected) * 100 : 0));
    const gotVideo = per.filter((v) => v.state === 'connected' && v.frames > 0 && v.keyframes > 0);
    const viewers = gotVideo.length;
    const lost = per.reduce((s, v) => s + v.lost, 0);
    const received = per.reduce((s, v) => s + v.packets, 0);
    const q = (xs: number[], d = 1) => (xs.length ? `median ${median(xs).toFixed(d)}, min ${Math.min(...xs).toFixed(d)}, max ${Math.max(...xs).toFixed(d)}` : 'none');
    log(`viewers: ${per.filter((v) => v.state === 'connected').length} connected, ${viewers} of ${VIEWERS} received video over ${(windowMs / 1000).toFixed(1)} s`);
    log(`  frames/s from the camera to the server ${cameraFps.toFixed(1)}; sent by the server per viewer ${q(sentFps)}; pictures delivered whole per werift viewer ${q(delivered, 2)} % (${q(per.map((v) => v.frames), 0)} of ${q(per.map((v) => v.expected), 0)}); ${q(per.map((v) => (v.bytes * 8) / (windowMs / 1000) / 1e6), 2)} Mbit/s, keyframes ${q(per.map((v) => v.keyframes), 0)}; RTP packets lost ${lost} of ${lost + received}; frames the server dropped as read late ${sessions().reduce((n, v) => n + v.framesDroppedLate, 0)} in all; streams registered ${server.live.register.list({ cameraId: cam }).length}, sources opened ${server.hub.stats().sourcesOpened}`);
    const feedError = server.hub.feed(`camera:${cam}`)?.lastError;
    if (feedError) log(`  the camera's live source failed at some point: ${feedError.message}`);
    if (closedReasons.size) log(`  viewers the server closed: ${[...closedReasons].map(([r, n]) => `${n}× ${r}`).join('; ')}`);
    // The server's cost is per connection it sends to.
    const served = sentFps.length;
    const cpuPctPerViewer = (loaded - baseline) / Math.max(1, served);
    run.result.viewers = viewers;
    run.result.cpuPctPerViewer = +cpuPctPerViewer.toFixed(3);
    run.result.cpuMsPerViewerSecond = +(((cpuD.user + cpuD.system) / 1000 - (baseline / 100) * windowMs) / Math.max(1, served) / (windowMs / 1000)).toFixed(3);
    // Per unit of work, which a starved server does not understate: its CPU beyond the recorder's
    // per picture sent to a viewer, and the share of a core a viewer would cost at the camera's rate.
    const picturesSent = [...sentBefore].reduce((n, [v, before]) => n + v.framesSent - before, 0);
    const extraUs = ((cpuD.user + cpuD.system) / 1000 - (baseline / 100) * windowMs) * 1000;
    run.result.cpuUsPerViewerFrame = +(extraUs / Math.max(1, picturesSent)).toFixed(1);
    run.result.cpuPctPerViewerAtCameraRate = +(((extraUs / Math.max(1, picturesSent)) * cameraFps) / 1e4).toFixed(3);
    run.result.framesDeliveredPct = per.length ? +Math.min(...delivered).toFixed(2) : 0;
    run.result.rtpLostPct = +((lost / Math.max(1, lost + received)) * 100).toFixed(3);
    // The per-viewer cost only means something if the server kept up: a starved process (the
    // machine's other work, or too many viewers) drops frames read late and so spends less.
    const sentMedian = sentFps.length ? median(sentFps) : 0;
    run.result.viewersLimit =
      sentMedian < 0.9 * cameraFps || cameraFps < 22
        ? `server starved: it sent each viewer ${sentMedian.toFixed(1)} of the camera's ${cameraFps.toFixed(1)} frames/s (frames read late are dropped), its process at ${loaded.toFixed(0)} % of a core, event loop delay max ${(loop.max / 1e6).toFixed(0)} ms, ${loadAverage()}; cpuPctPerViewer understates the cost`
        : opened.failed
          ? `${opened.failed} of ${VIEWERS} viewers could not connect`
          : (run.result.framesDeliveredPct as number) < 99
            ? `viewers: the worst received ${run.result.framesDeliveredPct} % of the pictures`
            : `none at ${VIEWERS} viewers`;
    log(`  limit: ${run.result.viewersLimit}`);
    log(`  server CPU per picture sent to a viewer ${run.result.cpuUsPerViewerFrame} µs (${picturesSent} pictures) → ${run.result.cpuPctPerViewerAtCameraRate} % of a core per viewer at the camera's ${cameraFps.toFixed(1)} frames/s`);
    log(`  server process CPU ${loaded.toFixed(1)} % sending to ${served} viewers vs ${baseline.toFixed(1)} % with the recorder alone → ${cpuPctPerViewer.toFixed(3)} % of a core per viewer; its event loop delay p50 ${(loop.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms; viewer processes ${((clientCpuSeconds * 1000) / windowMs * 100).toFixed(0)} %; children: ${elsewhere}; ${loadAverage()}`);
  });
  // Glass-to-glass in Chromium: with the werift viewers still watching, then alone. The loaded
  // measurement may fail on a starved machine (the server sending to N viewers gets a fraction of
  // a core there): that failure is said in the JSON (liveDelayLoadedFailed) and the viewers are
  // closed; the delay alone is then measured on a page of its own, so the run still gives it.
  const browser = await run.phase('browser', 120, async () => {
    const b = await launchBrowser();
    run.onCleanup('close the browser', () => b.close());
    run.watch({ label: 'Chromium', state: () => (b.isConnected() ? 'connected' : 'disconnected (crashed or killed)'), tail: () => '' });
    return b;
  });
  const url = async () => `${server.url}/api/v1/live/${cam}/webrtc?token=${await operator.streamToken(cam, 'live')}`;
  // The browser's clock when it displays a frame minus the time the simulator drew into that
  // frame's clock strip (same machine, same clock).
  const delayOf = async (page: Page, what: string) => {
    const clock = await measureClockDelay(page, 1280, 720, DELAY_FRAMES, 30_000);
    // A starved browser displays fewer frames in its 30 s; a few dozen still give a median.
    if (clock.read < DELAY_FRAMES / 10) throw new Error(`clock strip read on ${clock.read} of ${clock.frames} frames displayed`);
    log(`live WebRTC delay, burned-in clock, ${what}: median ${median(clock.delaysMs)} ms, p95 ${p95(clock.delaysMs)} ms, max ${Math.max(...clock.delaysMs)} ms over ${clock.read} frames (${clock.frames - clock.read} of ${clock.frames} displayed not read); against expectedDisplayTime median ${median(clock.displayDelaysMs)} ms; ${loadAverage()}`);
    return clock;
  };
  /** A page showing one viewer; `into.page` is set as soon as the page exists (to close it early). */
  const viewerPage = async (into: { page?: Page; abandoned: boolean }) => {
    const page = await browser.newPage();
    into.page = page;
    if (into.abandoned) {
      await page.close();
      throw new Error('abandoned');
    }
    await prepareViewerPage(page, server.url);
    await openViewers(page, url, 1, 'display', 1, 10_000);
    return page;
  };
  const loaded: { page?: Page; abandoned: boolean } = { abandoned: false };
  try {
    await run.phase('live-delay-loaded', 180, async () => {
      const page = await viewerPage(loaded);
      const ms = Math.round(median((await delayOf(page, `with ${run.result.viewers} werift viewers`)).delaysMs));
      if (!loaded.abandoned) run.result.liveDelayLoadedMs = ms;
    });
  } catch (e) {
    run.result.liveDelayLoadedFailed = messageOf(e instanceof PhaseError ? e.cause : e);
    log(`live delay with the werift viewers failed: ${run.result.liveDelayLoadedFailed}; ${loadAverage()}; measuring it alone on a new page`);
    // Its work is abandoned: its page is closed, so that what it awaits on the page rejects
    // (unheard: the phase has ended) and its viewer does not watch beside the one measured alone.
    loaded.abandoned = true;
    await loaded.page?.close().catch(() => undefined);
  }
  await run.phase('live-delay', 180, async () => {
    await fleet?.close();
    const page = loaded.abandoned ? await viewerPage({ abandoned: false }) : loaded.page!;
    run.result.liveDelayMs = Math.round(median((await delayOf(page, 'one viewer')).delaysMs));
  });
});
