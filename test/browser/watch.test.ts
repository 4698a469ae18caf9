// The video wall and playback pages in real Chromium, from the real simulator through the real
// server: a camera dragged from the tree onto a tile plays live (WebRTC, then HLS when chosen) and
// the picture sampled from its <video> is not black; a snapshot downloads as a PNG of the
// picture's size; playback opened at a wall-clock instant of what the recorder wrote shows that
// instant and a picture, and the timeline draws the recording.
import { correlation, decodeGrey } from '../support/frame-compare.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { ensureWebBuilt, launchBrowser, signInContext, watchPageErrors, videoLuma } from '../support/browser.js';
import { sleep } from '../support/recorder-harness.js';
import { startWatchServer, type WatchServer } from './watch-server.js';

let sim: Simulator;
let server: WatchServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let cameraId: number;
let recorded: { id: number; path: string; startedAt: number; endedAt: number }[];
const W = 160;
const H = 90;

const shots = mkdtempSync(join(tmpdir(), 'vigil-watch-shots-'));

/** Mean luma (0–255) of what a <video> shows, drawn to a small canvas; -1 before any picture. */
async function waitForPicture(selector: string, withinMs: number): Promise<number> {
  const until = Date.now() + withinMs;
  let luma = -1;
  while (Date.now() < until) {
    luma = await videoLuma(page, selector);
    if (luma > 40) return luma;
    await sleep(100);
  }
  return luma;
}

describe('watching in the console', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    sim = await startSimulator({ cameras: 2 });
    server = await startWatchServer(sim.urls);
    cameraId = server.harness.cameraIds[0]!;
    const recorder = server.harness.recorder({ fileSeconds: 3, fragmentMaxMs: 2000 });
    await recorder.start();
    await sleep(8000);
    await recorder.close();
    recorded = (await server.harness.repos.recordings.files(cameraId)).filter((f) => f.bytes > f.initSize);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', acceptDownloads: true });
    await signInContext(context, server, await server.person('operator', 'duty_operator'));
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    errors = watchPageErrors(page);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sim?.close();
  });

  it('plays a camera dragged onto a tile over WebRTC, a picture that is not black', async () => {
    await page.goto(`${server.url}/live`);
    await page.getByTestId('wall-layout').getByText('1 画面').click();
    const camera = page.getByTestId(`tree-camera-${cameraId}`);
    await camera.dragTo(page.getByTestId('tile-0'));
    const opened = Date.now();
    const luma = await waitForPicture('[data-testid="tile-0"] video', 5000);
    expect(luma, 'mean luma of the live picture').toBeGreaterThan(40);
    console.info(`live WebRTC picture after ${Date.now() - opened} ms (luma ${luma.toFixed(0)})`);
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor();
    expect(await page.getByTestId('tile-transport').textContent()).toBe('直播 · WebRTC');
    await page.screenshot({ path: join(shots, 'wall-webrtc.png') });
  });

  it('takes a snapshot as a PNG of the picture\'s size', async () => {
    const size = (await page.evaluate(`(() => { const v = document.querySelector('[data-testid="tile-0"] video'); return [v.videoWidth, v.videoHeight]; })()`)) as [number, number];
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('tile-snapshot').click()]);
    expect(download.suggestedFilename()).toMatch(/^Camera 1 \d{4}-\d\d-\d\d \d\d-\d\d-\d\d\.png$/);
    const png = readFileSync((await download.path())!);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual(size);
  });

  it('plays the same tile over LL-HLS when HLS is chosen', async () => {
    await page.getByTestId('wall-transport').getByText('HLS').click();
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('tile-transport').textContent()).toBe('直播 · HLS');
    expect(await waitForPicture('[data-testid="tile-0"] video', 5000)).toBeGreaterThan(40);
    await page.getByTestId('wall-layout').getByText('4 画面').click();
    await page.getByTestId(`tree-camera-${server.harness.cameraIds[1]}`).dragTo(page.getByTestId('tile-1'));
    await page.locator('[data-testid="tile-1"][data-phase="playing"]').waitFor({ timeout: 20_000 });
    await page.screenshot({ path: join(shots, 'wall-hls.png') });
  });

  it('enlarges one tile: the other tile\'s stream closes on the server, and reopens back on the wall', async () => {
    const [first, second] = server.harness.cameraIds as [number, number];
    const open = () => server.live.register.list().map((s) => s.cameraId).sort();
    const until = async (want: number[]) => {
      for (const end = Date.now() + 20_000; Date.now() < end; await sleep(100)) if (JSON.stringify(open()) === JSON.stringify(want)) return;
      expect(open()).toEqual(want);
    };
    await until([first, second]);
    await page.getByTestId('tile-1').getByTestId('tile-enlarge').click();
    await page.locator('[data-testid="tile-1"][data-enlarged="true"]').waitFor();
    expect(await page.getByTestId('tile-0').count()).toBe(0);
    await until([second]);
    // The enlarged tile kept its stream: it still plays, nothing reopened for it.
    expect(await page.locator('[data-testid="tile-1"][data-phase="playing"]').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'wall-enlarged.png') });
    await page.getByTestId('tile-1').getByTestId('tile-enlarge').click();
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor({ timeout: 20_000 });
    await until([first, second]);
    expect(await page.locator('[data-testid="tile-1"][data-enlarged="false"]').count()).toBe(1);
  });

  it('plays back from a wall-clock instant: the clock shows it, the picture is not black, the timeline draws the recording', async () => {
    expect(recorded.length).toBeGreaterThan(1);
    const instant = Math.floor((recorded[1]!.startedAt + 1500) / 1000) * 1000;
    // Footage a recorder node kept aside after losing the camera's lease: a band apart from the recording.
    await server.harness.repos.fencedFootage.register({
      cameraId, nodeId: 'n2', epoch: 4, sourcePath: recorded[1]!.path, path: `fenced/${cameraId}/epoch-4-watch.mp4`, startMs: recorded[1]!.startedAt, endMs: recorded[1]!.startedAt + 1000,
      fragments: 1, bytes: 1000, sha256: 'b'.repeat(64), overlapsHolder: true, keptAt: Date.now(),
    });
    await page.goto(`${server.url}/playback`);
    await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: 'Camera 1' }).locator('.ant-tree-checkbox').click();
    const d = new Date(instant);
    const p = (n: number) => String(n).padStart(2, '0');
    const typed = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    const goto = page.getByPlaceholder('跳转到时间');
    await goto.click();
    await goto.fill(typed);
    await goto.press('Enter');
    const video = `[data-testid="playback-tile-${cameraId}"] video`;
    expect(await waitForPicture(video, 8000), 'mean luma of the played-back picture').toBeGreaterThan(40);
    // The clock under the leader's picture reads the requested instant (the picture holds or plays on from it).
    const shown = Number(await page.getByTestId('playback-clock').getAttribute('data-ms'));
    expect(shown).toBeGreaterThanOrEqual(instant - 40);
    expect(shown).toBeLessThan(instant + 3000);

    // Paused, the picture is the frame the recorder wrote at the instant the clock reads: compare
    // it with every frame ffmpeg decodes from the file.
    await page.getByTestId('playback-play').click();
    await sleep(400);
    const at = Number(await page.getByTestId('playback-clock').getAttribute('data-ms'));
    const grey = (await page.evaluate(`(() => {
      const v = document.querySelector(${JSON.stringify(video)});
      const c = document.createElement('canvas'); c.width = ${W}; c.height = ${H};
      const x = c.getContext('2d', { willReadFrequently: true }); x.drawImage(v, 0, 0, ${W}, ${H});
      const d = x.getImageData(0, 0, ${W}, ${H}).data; const out = [];
      for (let i = 0; i < d.length; i += 4) out.push(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]);
      return out;
    })()`)) as number[];
    const file = recorded.find((f) => f.startedAt <= at && at < f.endedAt)!;
    const fragments = await server.harness.repos.recordings.fragments(file.id);
    const holding = fragments.filter((f) => f.startMs <= at).at(-1)!;
    const expected = fragments.filter((f) => f.seq < holding.seq).reduce((n, f) => n + f.samples, 0) + Math.floor((at - holding.startMs) / 40 + 1e-6);
    const scores = (await decodeGrey(join(server.harness.dataDir, file.path), W, H)).map((f) => correlation(f, grey));
    const best = scores.indexOf(Math.max(...scores));
    expect(Math.abs(best - expected), `frame shown ${best}, recorded at the clock's instant ${expected}`).toBeLessThanOrEqual(1);
    expect(scores[best]!).toBeGreaterThan(0.9);
    const row = page.getByTestId('timeline-row-0');
    expect(await row.locator('[data-kind="recorded"]').count()).toBeGreaterThan(0);
    await expect.poll(() => row.locator('[data-kind="kept-aside"]').count()).toBe(1);
    expect(Number(await row.locator('[data-kind="kept-aside"]').getAttribute('data-from'))).toBe(recorded[1]!.startedAt);
    expect(await page.getByTestId('timeline-legend').textContent()).toContain('另存片段');
    await page.screenshot({ path: join(shots, 'playback.png') });

    // Speed applies to the player; a frame step moves one frame on and stays paused.
    await page.getByTestId('playback-speed').getByText('4×').click();
    expect(await page.evaluate(`document.querySelector(${JSON.stringify(video)}).playbackRate`)).toBe(4);
    // The first step stops the player where it is; the one measured starts from there (read
    // while playing, the starting point would race the player under load).
    await page.getByTestId('playback-step').click();
    expect(await page.evaluate(`document.querySelector(${JSON.stringify(video)}).paused`)).toBe(true);
    const before = (await page.evaluate(`document.querySelector(${JSON.stringify(video)}).currentTime`)) as number;
    await page.getByTestId('playback-step').click();
    const after = (await page.evaluate(`document.querySelector(${JSON.stringify(video)}).currentTime`)) as number;
    expect(await page.evaluate(`document.querySelector(${JSON.stringify(video)}).paused`)).toBe(true);
    expect(after).toBeGreaterThan(before);
    // One frame (40 ms at 25 fps) on the clock and the player; a step back returns to it.
    const clockAfter = Number(await page.getByTestId('playback-clock').getAttribute('data-ms'));
    expect(after - before).toBeCloseTo(0.04, 2);
    await page.getByTestId('playback-step-back').click();
    expect(Number(await page.getByTestId('playback-clock').getAttribute('data-ms'))).toBe(clockAfter - 40);
    expect((await page.evaluate(`document.querySelector(${JSON.stringify(video)}).currentTime`)) as number).toBeCloseTo(before, 2);
    for (const rate of [8, 2, 1]) {
      await page.getByTestId('playback-speed').getByText(`${rate}×`).click();
      expect(await page.evaluate(`document.querySelector(${JSON.stringify(video)}).playbackRate`)).toBe(rate);
    }
  });

  it('works in English: the wall, its camera tree and the playback page', async () => {
    await page.evaluate('localStorage.setItem("vigil.language", "en")');
    await page.goto(`${server.url}/live`);
    await page.getByPlaceholder('Search camera name or ID').waitFor();
    await page.getByTestId('camera-tree').getByText('By region').waitFor();
    await page.getByTestId('wall-layout').getByText('1-up').click();
    await page.getByTestId(`tree-camera-${cameraId}`).dragTo(page.getByTestId('tile-0'));
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('tile-transport').textContent()).toMatch(/^Live · (WebRTC|HLS)$/);
    await page.getByTestId('tile-snapshot').getByText('Snapshot').waitFor();

    await page.goto(`${server.url}/playback`);
    await page.getByText('Cameras (up to 4 in sync)').waitFor();
    await page.getByText('Tick cameras on the left, then click the timeline or pick a time to play back').waitFor();
    await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: 'Camera 1' }).locator('.ant-tree-checkbox').click();
    const instant = Math.floor((recorded[0]!.startedAt + 1500) / 1000) * 1000;
    const d = new Date(instant);
    const p = (n: number) => String(n).padStart(2, '0');
    const goto = page.getByPlaceholder('Go to time');
    await goto.click();
    await goto.fill(`${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`);
    await goto.press('Enter');
    await page.getByTestId('playback-play').getByText('Pause').waitFor({ timeout: 45_000 });
    await page.getByTestId('playback-step').getByText('Next frame').waitFor();
    await page.getByTestId('playback-zoom').getByText('1 hour').waitFor();
    expect(await waitForPicture(`[data-testid="playback-tile-${cameraId}"] video`, 8000)).toBeGreaterThan(40);
    await page.screenshot({ path: join(shots, 'playback-en.png') });
    await page.evaluate('localStorage.setItem("vigil.language", "zh")');
  });

  it('shows an operator of another city none of these cameras, and their streams do not open by URL for them', async () => {
    const other = await server.harness.repos.organisations.create({ kind: 'platform', name: 'Other city', level: 'city', regionCode: '230100' }, Date.now());
    const password = `pw-${randomBytes(9).toString('hex')}`;
    const { user } = await server.access.users.create(null, { login: 'outsider', displayName: 'outsider', password, organisationId: other.id });
    await server.access.users.grant(null, user.id, 'duty_operator', other.id);
    const outsiderContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    try {
      await signInContext(outsiderContext, server, { id: user.id, login: 'outsider', password, workId: null, displayName: 'outsider' });
      const p = await outsiderContext.newPage();
      await p.goto(`${server.url}/live`);
      await p.getByText('您没有可查看的摄像机').waitFor();
      expect(await p.getByTestId(`tree-camera-${cameraId}`).count()).toBe(0);
      await p.goto(`${server.url}/playback`);
      await p.getByTestId('camera-tree').getByText('没有可见的摄像机').waitFor();
      expect(await p.getByTestId('camera-tree').getByText('Camera 1').count()).toBe(0);

      // By URL: no stream token for live or playback, and the stream URLs refuse a token that is not theirs.
      const me = (await (await outsiderContext.request.get(`${server.url}/api/v1/auth/me`)).json()) as { csrfToken: string };
      const headers = { 'x-csrf-token': me.csrfToken };
      const live = await outsiderContext.request.post(`${server.url}/api/v1/stream-tokens`, { headers, data: { cameraId, kind: 'live' } });
      expect(live.status()).toBe(403);
      const from = recorded[0]!.startedAt;
      const playback = await outsiderContext.request.post(`${server.url}/api/v1/stream-tokens`, { headers, data: { cameraId, kind: 'playback', from, to: from + 60_000 } });
      expect(playback.status()).toBe(403);
      for (const url of [`/api/v1/live/${cameraId}/hls?token=forged`, `/api/v1/playback/${cameraId}?from=${from}&token=forged`, `/api/v1/playback/${cameraId}?from=${from}`]) {
        const res = await outsiderContext.request.get(`${server.url}${url}`);
        expect([401, 403], url).toContain(res.status());
      }
      const timeline = await outsiderContext.request.get(`${server.url}/api/v1/timeline/${cameraId}?from=${from}&to=${from + 60_000}`);
      expect(timeline.status()).toBe(404);
    } finally {
      await outsiderContext.close();
    }
  });

  it('logged no script errors', () => {
    expect(errors).toEqual([]);
    console.info(`watch screenshots in ${shots}`);
  });
});
