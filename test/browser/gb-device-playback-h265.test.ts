// An H.265 GB/T 28181 device's own recording played in real Chromium (issue 18 §5): a simulated
// NVR that records in H.265 (the libx265 fixture, round and round) and a channel we never
// recorded. A duty operator opens the device's recording from the playback page and sees the
// picture move — judged by the frames Chromium decoded and the picture changing after them —
// first over WebRTC (H.265 as sent where this Chromium decodes it, otherwise the session's one
// transcoder makes H.264), then, in a second browser context where WebRTC cannot connect (the two
// sides learn no address of each other, as across a firewall that drops UDP), over the LL-HLS
// fallback: the failed WebRTC attempt's session is hung up on (BYE), the device is asked again
// and its pictures arrive as fMP4 parts. A seek and a pause reach the device over either;
// leaving the page BYEs it. The first context speaks Chinese, the second English. Screenshots
// are kept in a temporary folder, named in the log.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoGbChannel, demoGbDevice, seedDemoGb } from '../../src/services/demo-gb.js';
import { startGb28181Service } from '../../src/services/gb28181.service.js';
import type { GbRuntime } from '../../src/gb28181/open.js';
import type { MansrtspCommand } from '../../src/media/sip/mansrtsp.js';
import { SimGbDevice, type StreamSession } from '../../src/sim/gb-device.js';
import { ensureWebBuilt, launchBrowser, pollUntil, signInContext, startTestServer, videoLumaGrid, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { H265LoopFeed } from '../support/h265-feed.js';

const shots = mkdtempSync(join(tmpdir(), 'vigil-gb-device-playback-h265-'));
let server: RunningServer;
let gb: GbRuntime;
let feed: H265LoopFeed;
let device: SimGbDevice;
let browser: Browser;
let operator: Person;
let cityId: number;
let cameraId: number;
const streams: StreamSession[] = [];
const commands: { session: StreamSession; c: MansrtspCommand }[] = [];
const ended: { session: StreamSession; by: string }[] = [];
/** The device's playback sessions from index `from` on (leaving for the live page may INVITE a live one, s=Play). */
const playbacks = (from: number) => streams.slice(from).filter((s) => s.session === 'Playback');

/**
 * Strips every ICE candidate from the offer the page sends and the answer it receives: neither
 * side learns an address of the other, so the connection cannot form (no STUN, no TURN here).
 */
const NO_WEBRTC_PATH = `(() => {
  const strip = (sdp) => sdp.replace(/a=candidate[^\\r\\n]*\\r?\\n/g, '');
  const local = Object.getOwnPropertyDescriptor(RTCPeerConnection.prototype, 'localDescription');
  Object.defineProperty(RTCPeerConnection.prototype, 'localDescription', {
    configurable: true,
    get() { const d = local.get.call(this); return d && { type: d.type, sdp: strip(d.sdp), toJSON() { return { type: d.type, sdp: strip(d.sdp) }; } }; },
  });
  const setRemote = RTCPeerConnection.prototype.setRemoteDescription;
  RTCPeerConnection.prototype.setRemoteDescription = function (d) { return setRemote.call(this, d && d.sdp ? { type: d.type, sdp: strip(d.sdp) } : d); };
})();`;

const PANEL = '[data-testid^="device-playback-"] video';
const mean = (p: number[]) => p.reduce((a, b) => a + b, 0) / p.length;
const changed = (a: number[], b: number[]) => a.filter((v, i) => Math.abs(v - b[i]!) > 12).length;
const decoded = (page: Page) => page.evaluate(`document.querySelector(${JSON.stringify(PANEL)})?.getVideoPlaybackQuality().totalVideoFrames ?? 0`) as Promise<number>;

/** The picture moves: N frames decoded, a picture that is not black, then one that differs from it. */
async function pictureMoves(page: Page, what: string): Promise<void> {
  const from = await decoded(page);
  await pollUntil(`${what}: 25 frames decoded`, async () => (await decoded(page)) >= from + 25, 600);
  let a: number[] | null = null;
  await pollUntil(`${what}: a picture`, async () => (a = await videoLumaGrid(page, PANEL)) !== null && mean(a) > 40);
  let b: number[] | null = null;
  await pollUntil(`${what}: the picture moving`, async () => (b = await videoLumaGrid(page, PANEL)) !== null && changed(a!, b) > 20, 300);
}

/** Ticks the channel, clicks the device's band at `fraction` of its width and opens the device's recording there. */
async function openDeviceRecording(page: Page, fraction: number): Promise<{ band: { x: number; y: number; width: number; height: number } }> {
  await page.goto(`${server.url}/playback`);
  await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: 'GB 通道 1' }).locator('.ant-tree-checkbox').click();
  const bandEl = page.locator('[data-testid="timeline-row-0"] [data-kind="device"]').first();
  await bandEl.waitFor({ timeout: 60_000 });
  const band = (await bandEl.boundingBox())!;
  await page.mouse.click(band.x + band.width * fraction, band.y + band.height / 2);
  await page.getByTestId(`device-playback-open-${cameraId}`).click();
  try {
    await page.locator(`[data-testid="device-playback-${cameraId}"][data-phase="playing"]`).waitFor({ timeout: 120_000 });
  } catch (e) {
    const panel = page.getByTestId(`device-playback-${cameraId}`);
    console.info('panel', await panel.getAttribute('data-phase').catch(() => null), await panel.textContent().catch(() => null));
    await page.screenshot({ path: join(shots, 'h265-device-playback-not-playing.png') });
    throw e;
  }
  return { band };
}

async function operatorPage(locale: string, init?: string): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  // The language the console saved (the console's own choice, not the browser's locale).
  await context.addInitScript({ content: `window.localStorage.setItem('vigil.language', ${JSON.stringify(locale.slice(0, 2))})` });
  if (init) await context.addInitScript({ content: init });
  await signInContext(context, server, operator);
  const page = await context.newPage();
  return { context, page, errors: watchPageErrors(page) };
}

describe("an H.265 GB/T 28181 device's own recording in Chromium", () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer({ VIGIL_GB_PASSWORD: 'demo-domain-secret', VIGIL_GB_PORT: '0' });
    gb = await startGb28181Service(server.ctx);
    const city = await server.ctx.registry.organisations.create({ kind: 'platform', name: '示范市', nameEn: 'Demo City', level: 'city', regionCode: '340100' });
    cityId = city.id;
    await seedDemoGb(server.ctx, city.id);
    cameraId = (await server.ctx.repos.cameras.getByGbId(demoGbChannel(1)))!.id;
    feed = await H265LoopFeed.open();
    const now = Math.floor(Date.now() / 1000) * 1000;
    device = new SimGbDevice({
      deviceId: demoGbDevice(1),
      password: 'demo-domain-secret',
      platform: { id: server.ctx.config.gb28181.sipId, host: '127.0.0.1', port: gb.port },
      channels: [{ id: demoGbChannel(1), name: 'GB 通道 1', feed, records: [{ startMs: now - 12 * 3_600_000, endMs: now }] }],
    });
    device.on('stream', (s) => streams.push(s));
    device.on('playback', (session, c) => commands.push({ session, c }));
    device.on('ended', (session, by) => ended.push({ session, by }));
    const catalogued = new Promise((r) => gb.platform.on('catalog', (id) => id === demoGbDevice(1) && r(id)));
    await device.start();
    await catalogued;
    browser = await launchBrowser();
    operator = await server.person('operator', [['duty_operator', cityId]]);
  }, 300_000);

  afterAll(async () => {
    console.log(`H.265 device playback screenshots: ${shots}`);
    await browser?.close();
    await device?.close();
    feed?.close();
    await gb?.close();
    await server?.close();
  });

  it('plays over WebRTC: the picture moves, a seek and a pause reach the device, leaving sends BYE', async () => {
    const { page, errors } = await operatorPage('zh-CN');
    const decodesH265 = (await page.evaluate(`(RTCRtpReceiver.getCapabilities('video')?.codecs ?? []).some((c) => c.mimeType.toLowerCase() === 'video/h265')`)) as boolean;
    const before = streams.length;
    const { band } = await openDeviceRecording(page, 1 / 3);
    const panel = page.getByTestId(`device-playback-${cameraId}`);
    expect(await panel.getAttribute('data-transport')).toBe('webrtc');
    expect(await page.getByTestId('device-playback-transport').textContent()).toBe('设备录像 · WebRTC');
    expect(await page.getByTestId('device-playback-transcoded').count()).toBe(decodesH265 ? 0 : 1);
    if (!decodesH265) expect(await page.getByTestId('device-playback-transcoded').textContent()).toBe('H.265 已转码为 H.264');
    expect(playbacks(before)).toHaveLength(1);
    const session = playbacks(before)[0]!;
    await pictureMoves(page, 'WebRTC');
    await page.screenshot({ path: join(shots, 'h265-device-playback-webrtc.png') });

    // A click further along the band: a MANSRTSP seek in the same session.
    await page.mouse.click(band.x + band.width / 3 + 12, band.y + band.height / 2);
    await pollUntil('the seek at the device', () => commands.some((x) => x.session === session && x.c.kind === 'seek'));
    await page.getByTestId('device-playback-pause').click();
    await pollUntil('the pause at the device', () => session.playback.paused);
    await page.getByTestId('device-playback-pause').click();
    await pollUntil('the resume at the device', () => !session.playback.paused);
    await pictureMoves(page, 'WebRTC after the seek');
    expect(playbacks(before)).toHaveLength(1); // the same session, not a new INVITE

    await page.locator('a[href="/live"]').first().click();
    await pollUntil('BYE at the device', () => ended.some((e) => e.session === session), 300);
    expect(ended.find((e) => e.session === session)!.by).toBe('platform');
    console.info(`Chromium ${decodesH265 ? 'decodes' : 'does not decode'} H.265 over WebRTC`);
    expect(errors).toEqual([]);
  }, 300_000);

  it('falls back to LL-HLS where WebRTC cannot connect: the failed attempt is hung up on, the picture moves, seek and pause reach the device', async () => {
    const { page, errors } = await operatorPage('en-US', NO_WEBRTC_PATH);
    const playsH265 = (await page.evaluate(`typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"')`)) as boolean;
    const hlsOpened: { transcoded?: boolean; codec?: string }[] = [];
    page.on('response', (r) => {
      if (/\/device-playback\/hls/.test(r.url()) && r.request().method() === 'POST') void r.json().then((b: { transcoded?: boolean; codec?: string }) => hlsOpened.push(b)).catch(() => undefined);
    });
    const uses = async () => (await server.ctx.repos.audit.search({ limit: 500, order: 'asc' })).filter((e) => e.target === `camera ${cameraId} device recording`);
    const usedBefore = (await uses()).length;
    const before = streams.length;
    const { band } = await openDeviceRecording(page, 1 / 4);
    const panel = page.getByTestId(`device-playback-${cameraId}`);
    expect(await panel.getAttribute('data-transport')).toBe('hls');
    expect(await page.getByTestId('device-playback-transport').textContent()).toBe('Device recording · HLS');
    // Two sessions at the device: the WebRTC attempt, hung up on by us, then the one HLS plays.
    expect(playbacks(before)).toHaveLength(2);
    const [tried, session] = playbacks(before) as [StreamSession, StreamSession];
    await pollUntil('BYE of the WebRTC attempt', () => ended.some((e) => e.session === tried));
    expect(ended.find((e) => e.session === tried)!.by).toBe('platform');
    expect(ended.some((e) => e.session === session)).toBe(false);
    await pollUntil('the HLS answer', () => hlsOpened.length === 1);
    expect(hlsOpened[0]!.transcoded).toBe(!playsH265);
    expect(hlsOpened[0]!.codec).toMatch(playsH265 ? /^(hvc1|hev1)\./ : /^avc1\./);
    if (!playsH265) expect(await page.getByTestId('device-playback-transcoded').textContent()).toBe('H.265 transcoded to H.264');
    await pictureMoves(page, 'LL-HLS');
    await page.screenshot({ path: join(shots, 'h265-device-playback-hls.png') });

    await page.mouse.click(band.x + band.width / 4 + 12, band.y + band.height / 2);
    await pollUntil('the seek at the device', () => commands.some((x) => x.session === session && x.c.kind === 'seek'));
    await page.getByTestId('device-playback-pause').click();
    await pollUntil('the pause at the device', () => session.playback.paused);
    await page.getByTestId('device-playback-pause').click();
    await pollUntil('the resume at the device', () => !session.playback.paused);
    await pictureMoves(page, 'LL-HLS after the seek');
    await page.screenshot({ path: join(shots, 'h265-device-playback-hls-after-seek.png') });
    expect(playbacks(before)).toHaveLength(2);

    await page.locator('a[href="/live"]').first().click();
    await pollUntil('BYE at the device', () => ended.some((e) => e.session === session), 300);
    expect(ended.find((e) => e.session === session)!.by).toBe('platform');
    // Each opening registered once, with the device as source: the WebRTC attempt's and the HLS one's.
    expect((await uses()).slice(usedBefore).map((e) => [e.action, e.outcome, (JSON.parse(e.detail) as { source?: string }).source])).toEqual(Array(2).fill(['playback', 'success', 'device']));
    expect(errors).toEqual([]);
  }, 300_000);
});
