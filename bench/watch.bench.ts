// npm run bench:watch — watching at scale, on SQLite with the real API, simulator and recorder.
// - playback start: with an index of 100 cameras × 30 days (rows synthesised around one real
//   recording, whose fragments every synthetic file points at), the time from the playback
//   request to the first bytes of a decodable fragment, p95 over random instants (goal ≤ 300 ms);
// - a month's timeline for one camera over HTTP, p95 (goal ≤ 50 ms);
// - live WebRTC delay in Chromium: display time of each frame (requestVideoFrameCallback) minus
//   the wall-clock time the simulator stamped on it (the time it burns into the picture), median
//   (goal ≤ 1 s);
// - N concurrent WebRTC viewers (default 50) of one 3 Mbit/s camera while the recorder records
//   it: this process's CPU per viewer.
// Last line: one JSON object.
import { linkSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { startSimulator } from '../src/sim/simulator.js';
import { launchBrowser } from '../test/support/browser.js';
import { sleep } from '../test/support/recorder-harness.js';
import { startMediaServer } from '../test/media/media-server.js';
import { call, preparePage } from '../test/media/page.js';

const CAMERAS = 100;
const DAYS = Number(process.env.BENCH_DAYS ?? 30);
const FRAGMENT_S = Number(process.env.BENCH_FRAGMENT_SECONDS ?? 60);
const FILE_S = 600;
const PLAYBACK_SAMPLES = Number(process.env.BENCH_PLAYBACK_SAMPLES ?? 100);
const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 50);
const DAY = 86_400_000;

const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))]!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const log = (m: string) => process.stderr.write(`${m}\n`);

const sentAt = new Map<number, number>(); // RTP timestamp → the frame's wall-clock capture time
const sim = await startSimulator({ cameras: 1, bitrateKbps: 3000 });
const server = await startMediaServer([sim.urls[0]!, ...Array.from({ length: CAMERAS - 1 }, () => null)], {
  live: { webrtc: { onSent: (f, ts) => sentAt.size < 100_000 && sentAt.set(ts, f.wallClockMs) } },
});
const { harness } = server;
const ids = harness.cameraIds;
try {
  // One real recording: the bytes every synthetic fragment row points at.
  const recorder = harness.recorder({ fileSeconds: FILE_S, fragmentMaxMs: 2000 });
  await recorder.start();
  await sleep(5000);
  await recorder.close();
  const [real] = (await harness.repos.recordings.files(ids[0]!)).filter((f) => f.bytes > f.initSize);
  const realFragments = await harness.repos.recordings.fragments(real!.id);
  log(`real recording: ${realFragments.length} fragments in ${real!.path}`);

  // The synthetic index: files of 10 minutes, fragments of FRAGMENT_S, a few gaps, 30 days.
  const now = Date.now();
  const start = now - DAYS * DAY;
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

  const operator = await server.client('bench-operator', 'duty_operator', 'cameras');
  const headers = { authorization: `Bearer ${operator.bearer}` };

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
  const playbackStartP95Ms = p95(starts);
  log(`playback start: p95 ${playbackStartP95Ms.toFixed(1)} ms, median ${median(starts).toFixed(1)} ms (${starts.length} samples)`);

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
  log(`month timeline: p95 ${timelineMonthMs.toFixed(1)} ms, median ${median(timelines).toFixed(1)} ms`);

  // Live delay and viewers, with the recorder recording the camera.
  const rec = harness.recorder({ fileSeconds: FILE_S, fragmentMaxMs: 2000 });
  await rec.start();
  const browser = await launchBrowser();
  const page = await browser.newPage();
  await preparePage(page, server.url);
  const cam = ids[0]!;
  const url = async () => `${server.url}/api/v1/live/${cam}/webrtc?token=${await operator.streamToken(cam, 'live')}`;
  await call(page, 'openWebRtc', await url());
  const frames = (await page.evaluate(`(async () => {
    const v = document.querySelector('video');
    const out = [];
    await new Promise((r) => { const f = (now, m) => { if (m.rtpTimestamp !== undefined) out.push([m.rtpTimestamp, performance.timeOrigin + m.expectedDisplayTime]); if (out.length < 100) v.requestVideoFrameCallback(f); else r(); }; v.requestVideoFrameCallback(f); setTimeout(r, 8000); });
    return out;
  })()`)) as [number, number][];
  const delays = frames.map(([ts, shown]) => (sentAt.has(ts) ? shown - sentAt.get(ts)! : NaN)).filter((d) => Number.isFinite(d));
  const liveDelayMs = delays.length ? median(delays) : NaN;
  log(`live WebRTC delay: median ${liveDelayMs.toFixed(0)} ms over ${delays.length} frames`);

  const cpuOver = async (ms: number) => {
    const a = process.cpuUsage();
    const t = performance.now();
    await sleep(ms);
    const d = process.cpuUsage(a);
    return ((d.user + d.system) / 1000 / (performance.now() - t)) * 100;
  };
  const baseline = await cpuOver(5000);
  const opened = (await call(page, 'openMany', await Promise.all(Array.from({ length: VIEWERS - 1 }, url)))) as number;
  await sleep(2000);
  const loaded = await cpuOver(10_000);
  // Counted as viewers: those whose peer connection reached "connected" in the page, plus the first.
  const viewers = opened + 1;
  const cpuPctPerViewer = (loaded - baseline) / Math.max(1, opened);
  log(`viewers ${viewers} connected of ${VIEWERS} opened (${server.live.register.list({ cameraId: cam }).length} registered): CPU ${loaded.toFixed(1)} % vs ${baseline.toFixed(1)} % with one viewer and the recorder → ${cpuPctPerViewer.toFixed(2)} % per viewer; sources opened ${server.hub.stats().sourcesOpened}`);
  await browser.close();
  await rec.close();
  console.log(JSON.stringify({ playbackStartP95Ms: +playbackStartP95Ms.toFixed(1), timelineMonthMs: +timelineMonthMs.toFixed(1), liveDelayMs: Math.round(liveDelayMs), viewers, cpuPctPerViewer: +cpuPctPerViewer.toFixed(3) }));
} finally {
  await server.close();
  await sim.close();
}
