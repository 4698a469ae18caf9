// A GB/T 28181 channel on the video wall in real Chromium: the API and the gb28181 role in one
// process (as `npm start` runs them), the demo's simulated GB devices registering with digest,
// and a duty operator who drags the GB channel onto a tile — the platform INVITEs the device,
// PS over RTP becomes a live picture that is not black — then steers it with the tile's PTZ pad:
// each press and release is a registered PTZ command, and so is a preset saved and called. On the
// playback page the timeline draws the device's own recordings in their colour with a legend
// entry; the operator selects a stretch of our gap there and backfills it from the device: the
// footage lands in the index marked as the device's and the timeline draws it as backfilled.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoGbDevices } from '../../src/cli/commands/demo-gb-devices.js';
import { seedDemoGb } from '../../src/services/demo-gb.js';
import { startGb28181Service } from '../../src/services/gb28181.service.js';
import type { GbRuntime } from '../../src/gb28181/open.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, watchPageErrors, type RunningServer, videoLuma } from '../support/browser.js';
import { sleep } from '../support/recorder-harness.js';

let server: RunningServer;
let gb: GbRuntime;
let stopDevices: () => Promise<void>;
let browser: Browser;
let page: Page;
let errors: string[];
let cameraId: number;

describe('a GB/T 28181 channel in the console', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer({ VIGIL_GB_PASSWORD: 'demo-domain-secret', VIGIL_GB_PORT: '0' });
    gb = await startGb28181Service(server.ctx);
    const city = await server.ctx.registry.organisations.create({ kind: 'platform', name: '示范市', nameEn: 'Demo City', level: 'city', regionCode: '340100' });
    await seedDemoGb(server.ctx, city.id);
    cameraId = (await server.ctx.repos.cameras.getByGbId('34010000001310000001'))!.id;
    const catalogued = new Promise((r) => gb.platform.on('catalog', (id) => id === '34010000001180000001' && r(id)));
    stopDevices = await startDemoGbDevices(server.ctx, gb.port);
    await catalogued;
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await signInContext(context, server, await server.person('operator', [['duty_operator', city.id]]));
    page = await context.newPage();
    errors = watchPageErrors(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await stopDevices?.();
    await gb?.close();
    await server?.close();
  });

  it('plays the GB channel live on a tile, and its PTZ pad sends registered commands', async () => {
    await page.goto(`${server.url}/live`);
    await page.getByTestId('wall-layout').getByText('1 画面').click();
    await page.getByTestId(`tree-camera-${cameraId}`).dragTo(page.getByTestId('tile-0'));
    let luma = -1;
    for (let i = 0; i < 300 && luma <= 40; i++) {
      luma = await videoLuma(page, '[data-testid="tile-0"] video');
      if (luma <= 40) await sleep(100);
    }
    expect(luma, 'mean luma of the GB channel\'s live picture').toBeGreaterThan(40);
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor();

    await page.getByTestId('ptz-left').click();
    let targets: string[] = [];
    for (let i = 0; i < 100 && targets.length < 2; i++) {
      targets = (await server.ctx.repos.audit.search({ limit: 100, order: 'asc' })).map((e) => e.target ?? '').filter((t) => t.startsWith(`camera ${cameraId} PTZ`));
      if (targets.length < 2) await sleep(100);
    }
    expect(targets).toEqual([`camera ${cameraId} PTZ move left`, `camera ${cameraId} PTZ stop`]);

    // Presets: number 7 saved, then called.
    await page.getByTestId('ptz-preset').fill('7');
    await page.getByTestId('ptz-preset-set').click();
    await page.getByTestId('ptz-preset-goto').click();
    for (let i = 0; i < 100 && targets.length < 4; i++) {
      targets = (await server.ctx.repos.audit.search({ limit: 100, order: 'asc' })).map((e) => e.target ?? '').filter((t) => t.startsWith(`camera ${cameraId} PTZ`));
      if (targets.length < 4) await sleep(100);
    }
    expect(targets.slice(2)).toEqual([`camera ${cameraId} PTZ preset set 7`, `camera ${cameraId} PTZ preset goto 7`]);
    expect(errors).toEqual([]);
  }, 180_000);

  it("draws the device's own recordings on the timeline and backfills a selected gap from them", async () => {
    await page.goto(`${server.url}/playback`);
    await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: 'GB 通道 1' }).locator('.ant-tree-checkbox').click();
    // The view is the last hour; the device recorded the 12 hours before the demo began.
    const band = page.locator('[data-testid="timeline-row-0"] [data-kind="device"]');
    await band.first().waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('timeline-legend').textContent()).toContain('设备端录像');
    expect(await page.getByTestId('timeline-legend').textContent()).toContain('从设备补录');
    // Shift-drag a few pixels in the middle of the row (a few seconds of our gap) and backfill it.
    const row = (await page.locator('[data-testid="timeline-row-0"] rect').first().boundingBox())!;
    const x = row.x + row.width / 2;
    const y = row.y + row.height / 2;
    await page.mouse.move(x, y);
    await page.keyboard.down('Shift');
    await page.mouse.down();
    await page.mouse.move(x + 3, y);
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const sel = page.getByTestId('timeline-selection');
    const from = Number(await sel.getAttribute('data-from'));
    const to = Number(await sel.getAttribute('data-to'));
    expect(to - from).toBeGreaterThan(2000);
    await page.getByTestId(`playback-backfill-${cameraId}`).click();
    await page.getByText(/已开始补录 1 段/).waitFor();
    // The download runs on the server at the device's pace; then the index holds it, marked as the device's.
    let files: { origin: string; closed: boolean; startedAt: number; endedAt: number }[] = [];
    for (let i = 0; i < 600 && !files.length; i++) {
      files = (await server.ctx.repos.recordings.files(cameraId)).filter((f) => f.origin === 'device' && f.closed);
      if (!files.length) await sleep(200);
    }
    expect(files).toHaveLength(1);
    expect(files[0]!.startedAt).toBeGreaterThanOrEqual(from);
    expect(files[0]!.endedAt).toBeLessThanOrEqual(to);
    // The timeline reads itself again and draws the backfilled stretch apart.
    await page.locator('[data-testid="timeline-row-0"] [data-kind="backfilled"]').first().waitFor({ timeout: 60_000 });
    const started = (await server.ctx.repos.audit.search({ limit: 200, order: 'asc' })).filter((e) => (e.target ?? '').startsWith(`camera ${cameraId} backfill`));
    expect(started.map((e) => e.outcome)).toEqual(['success', 'success']);
    expect(errors).toEqual([]);
  }, 240_000);
});
