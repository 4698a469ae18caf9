// Synchronised playback of four cameras in real Chromium, from what the real recorder wrote of
// four simulator cameras, one of which was cut off for a few seconds (a real gap in its index).
// What each tile shows is read from the picture itself: the simulator burns a machine-readable
// clock strip into every frame, so the strip a tile shows is compared with the strip of the
// frame ffmpeg decodes from that camera's file at the instant asked for, and the tiles' strips
// are compared with each other while they play.
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_CELLS, clockAge, readClockBand, readClockStrip, stripRect } from '../../src/sim/clock-strip.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { ensureWebBuilt, launchBrowser, signInContext, watchPageErrors, waitForTrue } from '../support/browser.js';
import { decodeGrey } from '../support/frame-compare.js';
import { sleep } from '../support/recorder-harness.js';
import { startWatchServer, type WatchServer } from './watch-server.js';

let sim: Simulator;
let server: WatchServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let ids: number[];
/** The hole in the fourth camera's recording. */
let gap: { startMs: number; endMs: number };

const PICTURE = { width: 1280, height: 720 };
const STRIP = stripRect(PICTURE.width, PICTURE.height);
const BAND_W = CLOCK_CELLS * 8;
const BAND_H = 8;

interface Tile {
  id: number;
  /** Burned-in clock of the frame shown (ms modulo 2^20), undefined when unreadable. */
  reading: number | undefined;
  paused: boolean;
  gapShown: boolean;
  /** How long after the first tile's picture this one's was taken (ms of the page's time). */
  lagMs: number;
  /** The rate its video played at then (0 when paused). */
  rate: number;
}

interface Sample {
  at: number;
  clock: number;
  /** Milliseconds between taking the first tile's picture and the last's. */
  skewMs: number;
  tiles: Tile[];
}

/**
 * Every tile's picture taken in one task, with the page's clock. Without a GPU even drawing a
 * video into a canvas takes 20–30 ms a tile here, and a playing video moves on meanwhile: at 2×
 * the fourth tile's picture is taken 150 ms of media later than the first's. So each tile's
 * picture is stamped with when it was taken and how fast its video played, and `shown` carries
 * every reading back to the instant the first was taken. `skewMs` says how far apart they were.
 */
async function sample(): Promise<Sample> {
  const raw = (await page.evaluate(`(() => {
    const rect = ${JSON.stringify(STRIP)}, bw = ${BAND_W}, bh = ${BAND_H};
    const taken = ${JSON.stringify(ids)}.map((id) => {
      const v = document.querySelector('[data-testid="playback-tile-' + id + '"] video');
      const gapShown = !!document.querySelector('[data-testid="playback-gap-' + id + '"]');
      if (!v || v.readyState < 2 || !v.videoWidth) return { id, canvas: null, paused: true, rate: 0, gapShown, at: performance.now() };
      const c = document.createElement('canvas'); c.width = bw; c.height = bh;
      const x = c.getContext('2d', { willReadFrequently: true });
      const sx = v.videoWidth / ${PICTURE.width}, sy = v.videoHeight / ${PICTURE.height};
      x.drawImage(v, rect.x * sx, rect.y * sy, rect.cell * rect.cells * sx, rect.cell * sy, 0, 0, bw, bh);
      return { id, canvas: c, paused: v.paused, rate: v.paused ? 0 : v.playbackRate, gapShown, at: performance.now() };
    });
    const clock = Number(document.querySelector('[data-testid="playback-clock"]').dataset.ms);
    const skewMs = taken[taken.length - 1].at - taken[0].at;
    const tiles = taken.map((t) => {
      if (!t.canvas) return { id: t.id, grey: null, paused: t.paused, gapShown: t.gapShown, lagMs: 0, rate: 0 };
      const d = t.canvas.getContext('2d').getImageData(0, 0, bw, bh).data; const grey = new Array(bw * bh);
      for (let i = 0, j = 0; i < d.length; i += 4, j++) grey[j] = Math.round(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]);
      return { id: t.id, grey, paused: t.paused, gapShown: t.gapShown, lagMs: t.at - taken[0].at, rate: t.rate };
    });
    return { clock, skewMs, tiles };
  })()`)) as { clock: number; skewMs: number; tiles: { id: number; grey: number[] | null; paused: boolean; gapShown: boolean; lagMs: number; rate: number }[] };
  return {
    at: Date.now(),
    clock: raw.clock,
    skewMs: raw.skewMs,
    tiles: raw.tiles.map((t) => ({ id: t.id, paused: t.paused, gapShown: t.gapShown, lagMs: t.lagMs, rate: t.rate, reading: t.grey ? readClockBand({ width: BAND_W, height: BAND_H, data: t.grey }) : undefined })),
  };
}

/** A reading (ms modulo 2^20) as the wall-clock instant nearest `near`. */
const absolute = (reading: number, near: number) => near - clockAge(near, reading);

const spread = (values: number[]) => Math.max(...values) - Math.min(...values);

/** The wall-clock instant each readable tile showed when the first tile's picture was taken, by camera. */
function shown(s: Sample, only: number[] = ids): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of s.tiles) if (only.includes(t.id) && t.reading !== undefined) out.set(t.id, absolute(t.reading, s.clock) - Math.round(t.rate * t.lagMs));
  return out;
}

/** The burned-in clock of the frame the recorder wrote for `cameraId` at `instant`, read from ffmpeg's decoding of the file. */
async function recordedClockAt(cameraId: number, instant: number): Promise<number> {
  const files = (await server.harness.repos.recordings.files(cameraId)).filter((f) => f.bytes > f.initSize);
  const file = files.find((f) => f.startedAt <= instant && instant < f.endedAt)!;
  const fragments = await server.harness.repos.recordings.fragments(file.id);
  const holding = fragments.filter((f) => f.startMs <= instant).at(-1)!;
  const index = fragments.filter((f) => f.seq < holding.seq).reduce((n, f) => n + f.samples, 0) + Math.floor((instant - holding.startMs) / 40 + 1e-6);
  const frames = await decodeGrey(join(server.harness.dataDir, file.path), 640, 360);
  const reading = readClockStrip({ width: 640, height: 360, data: frames[index]! }, PICTURE.width, PICTURE.height);
  if (reading === undefined) throw new Error(`frame ${index} of ${file.path} has no readable clock`);
  return absolute(reading, instant);
}

async function typeInstant(instant: number): Promise<void> {
  const d = new Date(instant);
  const p = (n: number) => String(n).padStart(2, '0');
  const seeks = Number(await page.getByTestId('playback-clock').getAttribute('data-seeks'));
  const goto = page.getByPlaceholder('跳转到时间');
  await goto.click();
  await goto.fill(`${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`);
  await goto.press('Enter');
  try {
    await waitForTrue(page, `(() => { const c = document.querySelector('[data-testid="playback-clock"]'); return Number(c.dataset.seeks) > ${seeks} || c.dataset.seekError; })()`, { timeout: 45_000 });
    const failed = await page.getByTestId('playback-clock').getAttribute('data-seek-error');
    if (failed) throw new Error(`the seek failed: ${failed}`);
  } catch (e) {
    console.info(await page.getByTestId('playback-clock').evaluate((e) => e.outerHTML));
    console.info(await page.evaluate(`JSON.stringify([...document.querySelectorAll('video')].map((v) => ({ t: v.currentTime, rs: v.readyState, p: v.paused, s: v.seeking, src: v.src })))`), await page.evaluate('document.body.innerText'));
    throw e;
  }
}

/** Every tile has a picture and no seek in progress. */
async function settled(): Promise<void> {
  await waitForTrue(page, `${JSON.stringify(ids)}.every((id) => { const v = document.querySelector('[data-testid="playback-tile-' + id + '"] video'); return v && v.readyState >= 2 && !v.seeking; })`, { timeout: 20_000 });
}

const isPlaying = async () => (await page.getByTestId('playback-play').textContent())?.replace(/\s/g, '') === '暂停';

async function pause(): Promise<void> {
  if (await isPlaying()) await page.getByTestId('playback-play').click();
}

async function play(): Promise<void> {
  if (!(await isPlaying())) await page.getByTestId('playback-play').click();
}

const whole = (ms: number) => Math.ceil(ms / 1000) * 1000;

describe('synchronised playback of four cameras', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    sim = await startSimulator({ cameras: 4 });
    server = await startWatchServer(sim.urls);
    ids = server.harness.cameraIds.slice(0, 4);
    const recorder = server.harness.recorder({ fileSeconds: 3, fragmentMaxMs: 2000 });
    await recorder.start();
    await sleep(9000);
    // The fourth camera goes off the network for a while: the recorder loses it and reconnects.
    sim.setFault(sim.names[3]!, 'drop');
    await sleep(3500);
    sim.setFault(sim.names[3]!, 'none');
    await sleep(6000);
    await recorder.close();
    const fragments: { startMs: number; endMs: number }[] = [];
    for (const f of await server.harness.repos.recordings.files(ids[3]!)) fragments.push(...(await server.harness.repos.recordings.fragments(f.id)));
    fragments.sort((a, b) => a.startMs - b.startMs);
    const i = fragments.findIndex((f, k) => k > 0 && f.startMs - fragments[k - 1]!.endMs > 2000);
    expect(i, 'the fourth camera has a hole in its recording').toBeGreaterThan(0);
    gap = { startMs: fragments[i - 1]!.endMs, endMs: fragments[i]!.startMs };
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    await signInContext(context, server, await server.person('operator', 'duty_operator'));
    page = await context.newPage();
    errors = watchPageErrors(page);
    page.on('response', (r) => {
      if (r.status() >= 400) errors.push(`${r.status()} ${r.request().method()} ${r.url()}`);
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sim?.close();
  });

  it('opens all four at one instant, each tile showing the frame recorded then', async () => {
    await page.goto(`${server.url}/playback`);
    for (const n of [1, 2, 3, 4]) await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: `Camera ${n}` }).locator('.ant-tree-checkbox').click();
    for (const id of ids) await page.getByTestId(`playback-tile-${id}`).waitFor();
    // When all four were recording: the latest of their first fragments.
    let first = 0;
    for (const id of ids) {
      const file = (await server.harness.repos.recordings.files(id)).filter((f) => f.bytes > f.initSize).sort((a, b) => a.startedAt - b.startedAt)[0]!;
      first = Math.max(first, Math.min(...(await server.harness.repos.recordings.fragments(file.id)).map((x) => x.startMs)));
    }
    // Early in the recording of all four (well before the gap), off any keyframe.
    const instant = whole(first + 1200);
    expect(instant + 3000).toBeLessThan(gap.startMs);
    await typeInstant(instant);
    await settled();
    // Paused, a seek shows the instant itself and stays there.
    await pause();
    await typeInstant(instant);
    await settled();
    await sleep(500);
    const s = await sample();
    expect(s.clock).toBe(instant);
    const recorded = new Map<number, number>();
    for (const id of ids) recorded.set(id, await recordedClockAt(id, instant));
    console.info(`at ${instant}: recorded ${[...recorded.values()].map((r) => r - instant).join(', ')} ms from it; shown ${s.tiles.map((t) => t.reading === undefined ? '?' : absolute(t.reading, instant) - instant).join(', ')}`);
    for (const t of s.tiles) {
      expect(t.reading, `camera ${t.id}: clock strip readable`).toBeDefined();
      expect(t.paused).toBe(true);
      const diff = absolute(t.reading!, instant) - recorded.get(t.id)!;
      expect(Math.abs(diff), `camera ${t.id} shows a frame ${diff} ms from the one recorded at the instant`).toBeLessThanOrEqual(80);
    }
  });

  it('plays the four in step at 2×', async () => {
    await page.getByTestId('playback-speed').getByText('2×').click();
    await play();
    await sleep(600);
    // Until shortly before the fourth camera's gap.
    const samples: Sample[] = [];
    for (let s = await sample(); s.clock < gap.startMs - 500 && samples.length < 12; s = await sample()) {
      samples.push(s);
      await sleep(200);
    }
    const full = samples.map((s) => shown(s)).filter((m) => m.size === ids.length);
    console.info(`2×: spreads ${full.map((m) => spread([...m.values()])).join(', ')} ms; pictures taken within ${samples.map((s) => s.skewMs.toFixed(1)).join(', ')} ms; behind the clock ${samples.map((s) => [...shown(s).values()].map((v) => s.clock - v).join('/')).join(' ')}`);
    expect(full.length, 'samples where all four clock strips were readable').toBeGreaterThanOrEqual(6);
    for (const m of full) expect(spread([...m.values()]), `tiles at ${[...m.values()].join(', ')}`).toBeLessThanOrEqual(200);
    // And they move at twice the wall clock.
    const a = samples.find((s) => shown(s).size === ids.length)!;
    const b = samples.findLast((s) => shown(s).size === ids.length)!;
    const played = Math.min(...shown(b).values()) - Math.min(...shown(a).values());
    const rate = played / (b.at - a.at);
    expect(rate, `played ${played} ms in ${b.at - a.at} ms`).toBeGreaterThan(1.5);
    expect(rate).toBeLessThan(2.5);
  });

  it('holds the fourth camera through its gap, saying so, while the other three stay in step', async () => {
    await pause();
    const from = whole(gap.startMs - 2500);
    await typeInstant(from);
    await settled();
    await play();
    const samples: Sample[] = [];
    const until = Date.now() + 12_000;
    while (Date.now() < until) {
      const s = await sample();
      samples.push(s);
      if (s.clock > gap.endMs + 2500) break;
      await sleep(120);
    }
    const three = ids.slice(0, 3);
    console.info(`gap ${gap.endMs - gap.startMs} ms: ${samples.map((s) => `${s.clock - gap.startMs}:${[...shown(s).values()].map((v) => s.clock - v).join('/')}${s.tiles[3]!.gapShown ? 'G' : ''}`).join(' ')}`);
    const before = samples.filter((s) => s.clock < gap.startMs - 300);
    const inside = samples.filter((s) => s.clock > gap.startMs + 400 && s.clock < gap.endMs - 400);
    const after = samples.filter((s) => s.clock > gap.endMs + 800);
    expect(before.length).toBeGreaterThan(0);
    expect(inside.length, 'samples inside the gap').toBeGreaterThanOrEqual(2);
    expect(after.length, 'samples after the gap').toBeGreaterThanOrEqual(2);
    for (const s of before) expect(s.tiles[3]!.gapShown).toBe(false);
    for (const s of inside) {
      expect(s.tiles[3]!.gapShown, `gap not shown ${s.clock - gap.startMs} ms into it (${gap.endMs - gap.startMs} ms long)`).toBe(true);
      expect(s.tiles[3]!.paused).toBe(true);
      // Held on its last picture before the hole, not one from the recording after it.
      const held = shown(s, [ids[3]!]).get(ids[3]!);
      if (held !== undefined) expect(held, `held on a picture ${held - gap.startMs} ms after the hole began`).toBeLessThan(gap.startMs + 500);
      const m = shown(s, three);
      if (m.size === 3) expect(spread([...m.values()])).toBeLessThanOrEqual(200);
      expect(s.tiles.slice(0, 3).every((t) => !t.gapShown)).toBe(true);
    }
    // After the gap the fourth plays again, in step with the others.
    let compared = 0;
    for (const s of after) {
      expect(s.tiles[3]!.gapShown, `gap still shown ${s.clock - gap.endMs} ms after its end (${gap.endMs - gap.startMs} ms long)`).toBe(false);
      const m = shown(s);
      if (m.size < 4) continue;
      compared++;
      expect(spread([...m.values()]), `tiles at ${[...m.values()].join(', ')}`).toBeLessThanOrEqual(200);
      expect(m.get(ids[3]!)!).toBeGreaterThan(gap.endMs - 200);
    }
    expect(compared).toBeGreaterThanOrEqual(1);
  });

  it('skips the gap when the camera plays alone', async () => {
    await pause();
    for (const n of [1, 2, 3]) await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: `Camera ${n}` }).locator('.ant-tree-checkbox').click();
    await page.getByTestId(`playback-tile-${ids[0]}`).waitFor({ state: 'detached' });
    ids = [ids[3]!];
    await page.getByTestId('playback-speed').getByText('1×').click();
    const from = whole(gap.startMs - 1500);
    await typeInstant(from);
    await settled();
    const started = Date.now();
    await play();
    // At 1× the gap would take its own length; skipped, the picture is past it at once.
    let last: number | undefined;
    while (Date.now() - started < gap.endMs - from - 1000) {
      last = shown(await sample()).get(ids[0]!) ?? last;
      if (last !== undefined && last > gap.endMs) break;
      await sleep(100);
    }
    expect(last, 'the picture after the gap').toBeGreaterThan(gap.endMs - 200);
    const took = Date.now() - started;
    expect(took, `reached the recording after a ${gap.endMs - gap.startMs} ms gap in ${took} ms`).toBeLessThan(gap.endMs - from - 1000);
  });

  it('logged no script errors', () => {
    expect(errors).toEqual([]);
  });
});
