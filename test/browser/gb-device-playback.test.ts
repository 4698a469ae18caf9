// A GB/T 28181 device's own recording played in real Chromium (issue 18 §5): the API and the
// gb28181 role in one process, a simulated NVR registering with digest whose RecordInfo lists the
// 12 hours before the test, and a channel we never recorded. A duty operator ticks it on the
// playback page, clicks the device's band: the tile offers 从设备回放, which opens INVITE
// s=Playback for that instant on the device; the picture shows and moves; a click further along
// the band is a MANSRTSP seek the device obeys; pause and speed reach it too; leaving the page
// ends the session with our BYE; a device that stops sending is hung up on and the panel says so.
// Screenshots are kept in a temporary folder, named in the log.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoGbChannel, demoGbDevice, seedDemoGb } from '../../src/services/demo-gb.js';
import { startGb28181Service } from '../../src/services/gb28181.service.js';
import type { GbRuntime } from '../../src/gb28181/open.js';
import type { MansrtspCommand } from '../../src/media/sip/mansrtsp.js';
import { SharedEncoder } from '../../src/sim/encoder.js';
import { SimGbDevice, type StreamSession } from '../../src/sim/gb-device.js';
import { defaultFontFile } from '../../src/sim/picture.js';
import { ensureWebBuilt, launchBrowser, pollUntil, signInContext, startTestServer, videoLumaGrid, watchPageErrors, type RunningServer } from '../support/browser.js';

const shots = mkdtempSync(join(tmpdir(), 'vigil-gb-device-playback-'));
let server: RunningServer;
let gb: GbRuntime;
let encoder: SharedEncoder;
let device: SimGbDevice;
let browser: Browser;
let page: Page;
let errors: string[];
let cameraId: number;
const streams: StreamSession[] = [];
const commands: MansrtspCommand[] = [];
const ended: string[] = [];

/** 64×36 luma of the device playback's picture, or null before it has one. */
const picture = () => videoLumaGrid(page, '[data-testid^="device-playback-"] video');
const mean = (p: number[]) => p.reduce((a, b) => a + b, 0) / p.length;
const changed = (a: number[], b: number[]) => a.filter((v, i) => Math.abs(v - b[i]!) > 12).length;

describe("a GB/T 28181 device's own recording in the playback page", () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer({ VIGIL_GB_PASSWORD: 'demo-domain-secret', VIGIL_GB_PORT: '0' });
    gb = await startGb28181Service(server.ctx);
    const city = await server.ctx.registry.organisations.create({ kind: 'platform', name: '示范市', nameEn: 'Demo City', level: 'city', regionCode: '340100' });
    await seedDemoGb(server.ctx, city.id);
    cameraId = (await server.ctx.repos.cameras.getByGbId(demoGbChannel(1)))!.id;
    encoder = new SharedEncoder({ kind: 'live', width: 640, height: 360, fps: 25, fontFile: defaultFontFile(), bitrateKbps: 800, gop: 25 });
    encoder.start();
    const now = Math.floor(Date.now() / 1000) * 1000;
    device = new SimGbDevice({
      deviceId: demoGbDevice(1),
      password: 'demo-domain-secret',
      platform: { id: server.ctx.config.gb28181.sipId, host: '127.0.0.1', port: gb.port },
      channels: [{ id: demoGbChannel(1), name: 'GB 通道 1', feed: encoder, fields: { Info: { PTZType: 1 } }, records: [{ startMs: now - 12 * 3_600_000, endMs: now }] }],
    });
    device.on('stream', (s) => streams.push(s));
    device.on('playback', (_s, c) => commands.push(c));
    device.on('ended', (_s, by) => ended.push(by));
    const catalogued = new Promise((r) => gb.platform.on('catalog', (id) => id === demoGbDevice(1) && r(id)));
    await device.start();
    await catalogued;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await signInContext(context, server, await server.person('operator', [['duty_operator', city.id]]));
    page = await context.newPage();
    errors = watchPageErrors(page);
  }, 300_000);

  afterAll(async () => {
    console.log(`device playback screenshots: ${shots}`);
    await browser?.close();
    await device?.close();
    encoder?.close();
    await gb?.close();
    await server?.close();
  });

  it('plays a device-only range: the picture moves, a seek and a pause reach the device, leaving sends BYE', async () => {
    await page.goto(`${server.url}/playback`);
    await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: 'GB 通道 1' }).locator('.ant-tree-checkbox').click();
    const band = page.locator('[data-testid="timeline-row-0"] [data-kind="device"]').first();
    await band.waitFor({ timeout: 60_000 });
    // A click a third of the way along the device's band: nothing of ours there, so the tile offers the device's.
    const box = (await band.boundingBox())!;
    await page.mouse.click(box.x + box.width / 3, box.y + box.height / 2);
    await page.getByTestId(`device-playback-open-${cameraId}`).click();
    const panel = page.getByTestId(`device-playback-${cameraId}`);
    await page.locator(`[data-testid="device-playback-${cameraId}"][data-phase="playing"]`).waitFor({ timeout: 60_000 });
    expect(streams).toHaveLength(1);
    expect(streams[0]!.session).toBe('Playback');
    const askedFrom = Number(await panel.getAttribute('data-ms'));
    expect(Math.abs(streams[0]!.range!.start * 1000 - askedFrom)).toBeLessThan(5000);

    // The picture is there and moves (the simulator's clock and pattern change frame to frame).
    let a: number[] | null = null;
    await pollUntil('a picture', async () => (a = await picture()) !== null && mean(a) > 40);
    let b: number[] | null = null;
    await pollUntil('the picture moving', async () => (b = await picture()) !== null && changed(a!, b) > 20, 300);
    await page.screenshot({ path: join(shots, 'device-playback-playing.png') });

    // A click further along the band, inside the range asked: a MANSRTSP seek the device obeys.
    const pos = Number(await panel.getAttribute('data-ms'));
    await page.mouse.click(box.x + box.width / 3 + 12, box.y + box.height / 2);
    await pollUntil('the seek at the device', () => commands.some((c) => c.kind === 'seek'));
    const seek = commands.find((c) => c.kind === 'seek') as { kind: 'seek'; seconds: number };
    expect(seek.seconds).toBeGreaterThan(0);
    await pollUntil('the panel at the new instant', async () => Number(await panel.getAttribute('data-ms')) > pos);
    expect(streams).toHaveLength(1); // the same session, not a new INVITE

    await page.getByTestId('device-playback-pause').click();
    await pollUntil('the pause at the device', () => streams[0]!.playback.paused);
    await page.getByTestId('device-playback-pause').click();
    await pollUntil('the resume at the device', () => !streams[0]!.playback.paused);
    await page.getByTestId('device-playback-speed').getByText('2×').click();
    await pollUntil('the speed at the device', () => streams[0]!.playback.scale === 2);
    let c: number[] | null = null;
    await pollUntil('the picture moving after the seek', async () => (c = await picture()) !== null && changed(b!, c) > 20, 300);
    await page.screenshot({ path: join(shots, 'device-playback-after-seek.png') });

    // Leaving the page ends the device's session: our BYE.
    await page.locator('a[href="/live"]').first().click();
    await pollUntil('BYE at the device', () => ended.length === 1, 300);
    expect(ended).toEqual(['platform']);
    // Registered once, at the token's issue, with the device as source.
    const entries = (await server.ctx.repos.audit.search({ limit: 500, order: 'asc' })).filter((e) => e.target === `camera ${cameraId} device recording`);
    expect(entries.map((e) => [e.action, e.outcome, (JSON.parse(e.detail) as { source?: string }).source])).toEqual([['playback', 'success', 'device']]);
    expect(errors).toEqual([]);
  }, 240_000);

  it('says in words when the device stops sending mid-playback, after our BYE', async () => {
    await page.goto(`${server.url}/playback`);
    await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: 'GB 通道 1' }).locator('.ant-tree-checkbox').click();
    const band = page.locator('[data-testid="timeline-row-0"] [data-kind="device"]').first();
    await band.waitFor({ timeout: 60_000 });
    const box = (await band.boundingBox())!;
    await page.mouse.click(box.x + box.width / 4, box.y + box.height / 2);
    const before = streams.length;
    await page.getByTestId(`device-playback-open-${cameraId}`).click();
    await page.locator(`[data-testid="device-playback-${cameraId}"][data-phase="playing"]`).waitFor({ timeout: 60_000 });
    expect(streams).toHaveLength(before + 1);
    const byes = ended.length;
    // The device keeps its dialog and sends no BYE, but no more RTP either.
    streams[before]!.sender.pause();
    await page.getByTestId('device-playback-ended').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('device-playback-ended').textContent()).toContain('设备已停止发送');
    expect(ended.slice(byes)).toEqual(['platform']);
    await page.screenshot({ path: join(shots, 'device-playback-device-silent.png') });
    expect(streams).toHaveLength(before + 1); // told, not INVITEd again
    expect(errors).toEqual([]);
  }, 180_000);

  it('lists the camera\'s backfills from the server\'s table, one the server\'s stop cut off as interrupted', async () => {
    // As the API role's start leaves a job a stop cut off (gb28181/backfill.service.ts recover()).
    const at = Date.now() - 3_600_000;
    await server.ctx.repos.gbBackfills.insert({
      cameraId, channelId: demoGbChannel(1), from: at, to: at + 120_000, state: 'interrupted', startedBy: null, startedAt: at, endedAt: at + 60_000,
      error: 'interrupted: the serving process stopped while the backfill ran; ranges not complete were not kept',
      pieces: [
        { startMs: at, endMs: at + 60_000, state: 'done', written: { startMs: at, endMs: at + 60_000 }, fragments: 60, bytes: 1000, error: null },
        { startMs: at + 60_000, endMs: at + 120_000, state: 'failed', written: null, fragments: 0, bytes: 0, error: 'the serving process stopped before this range was complete' },
      ],
    });
    await page.goto(`${server.url}/playback`);
    await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: 'GB 通道 1' }).locator('.ant-tree-checkbox').click();
    await page.getByTestId(`backfill-jobs-open-${cameraId}`).click();
    const row = page.getByTestId(`backfill-jobs-${cameraId}`).locator('tbody tr').first();
    await row.locator('[data-state="interrupted"]').waitFor();
    expect(await row.textContent()).toContain('已中断（服务停止）');
    expect(await row.textContent()).toContain('1 / 2');
    await page.screenshot({ path: join(shots, 'backfill-jobs-interrupted.png') });
    expect(errors).toEqual([]);
  }, 120_000);

  it('says in words when the device does not answer', async () => {
    await page.goto(`${server.url}/playback`);
    await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: 'GB 通道 1' }).locator('.ant-tree-checkbox').click();
    const band = page.locator('[data-testid="timeline-row-0"] [data-kind="device"]').first();
    await band.waitFor({ timeout: 60_000 });
    const box = (await band.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const offer = page.getByTestId(`device-playback-open-${cameraId}`);
    await offer.waitFor();
    // The device goes silent without unregistering: its INVITE is never answered.
    await device.close();
    await offer.click();
    await page.getByTestId('device-playback-error').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('device-playback-error').textContent()).toContain('设备未应答回放请求');
    await page.screenshot({ path: join(shots, 'device-playback-no-answer.png') });
    expect(errors.filter((e) => !/504/.test(e))).toEqual([]);
  }, 120_000);
});
