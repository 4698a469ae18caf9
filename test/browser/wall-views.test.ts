// The video wall's views (issue 20, item 8), in real Chromium against the real server: a first
// visit is not an empty wall but the first cameras one may see; a view saved by name comes back
// with its layout and cameras, after a reload too; a tour moves the wall to the next cameras. The
// duty operator finds a camera on the map (drawn offline: no tile server) and opens it on the
// wall: positions are confidential basic information (CN-6, HRB-27), which the operator's role
// gives only for the map (map:view) and only of the cameras they watch, each showing registered,
// with no national ID.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue, type Person, type RunningServer } from '../support/browser.js';
import { scanLanguage } from '../support/language-scan.js';

const NAMES = ['校门口', '操场', '食堂', '图书馆', '南门', '停车场'];
let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let operator: Person;
const shots = mkdtempSync(join(tmpdir(), 'vigil-wall-shots-'));

const tileNames = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => page.getByTestId(`tile-${i}`).getByTestId('tile-camera').textContent({ timeout: 1000 }).catch(() => null)));
const waitTile = (i: number, name: string) => waitForTrue(page, `document.querySelector('[data-testid="tile-${i}"] [data-testid="tile-camera"]')?.textContent === ${JSON.stringify(name)}`, { timeout: 60_000 });

describe('wall views, tours and the map', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    const district = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city.body.id, regionCode: '340104' });
    for (const [i, name] of NAMES.entries()) {
      // West to east along a street, 操场 (the second) also a little north; each looking its own way.
      const place = { longitude: 117.27 + i * 0.002, latitude: 31.86 + (i === 1 ? 0.003 : 0), directionDeg: i * 60, fovDeg: 90 };
      const r = await server.api('POST', '/cameras', { gbId: `3401040000132000000${i + 1}`, name, deviceType: 'fixed', address: '合肥市', placeCategory: 'schools', regionId: district.body.id, funding: 'self', signage: true, ...place });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
    operator = await server.person('operator', [['duty_operator', district.body.id]], { displayName: '值班员' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(context, server, operator);
    page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  }, 300_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    console.info(`wall screenshots in ${shots}`);
  });

  it('starts a first visit on the first cameras, not an empty wall', async () => {
    await page.goto(`${server.url}/live`);
    // Each tile names its camera when its own request answers: wait for all four, not the last.
    for (let i = 0; i < 4; i++) await waitTile(i, NAMES[i]!);
    expect(await tileNames(4)).toEqual(NAMES.slice(0, 4));
    expect(await scanLanguage(page)).toEqual({ sentences: [], missingKeys: [] });
    await page.screenshot({ path: join(shots, 'default.png') });
  }, 120_000);

  it('saves a view by name and brings it back, after a reload too', async () => {
    await page.getByTestId('wall-layout').getByText('1 画面').click();
    await page.getByTestId('wall-save-view').click();
    await page.getByTestId('wall-view-name').fill('校园出入口');
    await page.getByTestId('wall-view-name').press('Enter');
    // The dialog closes once the server has the view.
    await page.getByTestId('wall-view-name').waitFor({ state: 'detached' });
    // The wall on screen is kept on the server too, a moment after it changes: a reload brings the 9 tiles back.
    const nine = page.waitForResponse((r) => r.url().endsWith('/api/v1/wall') && r.request().method() === 'PUT' && r.request().postData()!.includes('"layout":9'));
    await page.getByTestId('wall-layout').getByText('9 画面').click();
    await page.getByTestId('tile-8').waitFor();
    // Kept on the server as the operator's own, not in this browser.
    expect((await server.ctx.repos.wallViews.listOf(operator.id)).map((v) => [v.name, v.layout, v.tiles])).toEqual([['校园出入口', 1, [1]]]);
    expect((await nine).status()).toBe(200);
    await page.reload();
    await page.getByTestId('tile-8').waitFor();
    await page.getByTestId('wall-views').click();
    await page.locator('.ant-select-item-option', { hasText: '校园出入口' }).click();
    await waitTile(0, NAMES[0]!);
    expect(await page.getByTestId('wall').locator('[data-testid^="tile-"][data-phase]').count()).toBe(1);
    // Another desk: a new browser with nothing stored finds the view too.
    const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(desk, server, operator);
    const other = await desk.newPage();
    await other.goto(`${server.url}/live`);
    await other.getByTestId('wall-views').click();
    await other.locator('.ant-select-item-option', { hasText: '校园出入口' }).waitFor();
    await desk.close();
  }, 120_000);

  it('brings the wall back as it was left, on another browser too (kept on the server)', async () => {
    // The saved one-tile view is on screen: four tiles, 校门口 on the first, and 操场 and 食堂
    // opened beside it from the tree (a double-click fills the next free tile).
    await page.getByTestId('wall-layout').getByText('4 画面').click();
    await page.getByTestId('tile-3').waitFor();
    await page.getByTestId('tree-camera-2').dblclick();
    const keptOnServer = page.waitForResponse((r) => r.url().endsWith('/api/v1/wall') && r.request().method() === 'PUT' && r.request().postData()!.includes('"tiles":[1,2,3]'));
    await page.getByTestId('tree-camera-3').dblclick();
    expect((await keptOnServer).status()).toBe(200);
    expect(await server.ctx.repos.wallViews.current(operator.id)).toMatchObject({ layout: 4, tiles: [1, 2, 3] });
    const desk = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(desk, server, operator);
    const other = await desk.newPage();
    await other.goto(`${server.url}/live`);
    await other.getByTestId('tile-3').waitFor();
    for (let i = 0; i < 3; i++) await waitForTrue(other, `document.querySelector('[data-testid="tile-${i}"] [data-testid="tile-camera"]')?.textContent === ${JSON.stringify(NAMES[i])}`, { timeout: 60_000 });
    expect(await other.getByTestId('tile-3').getByTestId('tile-camera').count()).toBe(0);
    await other.screenshot({ path: join(shots, 'wall-other-browser.png') });
    await desk.close();
  }, 120_000);

  it('tours: the next wall-full of cameras comes on its own', async () => {
    await page.getByTestId('wall-layout').getByText('4 画面').click();
    await page.getByTestId('wall-tour').click();
    await waitTile(0, NAMES[0]!);
    // Ten seconds on, the second wall-full: the last two cameras and two empty tiles.
    await waitTile(0, NAMES[4]!);
    expect(await tileNames(4)).toEqual([NAMES[4], NAMES[5], null, null]);
    await page.screenshot({ path: join(shots, 'tour.png') });
    await waitTile(0, NAMES[0]!);
    await page.getByTestId('wall-tour').click();
  }, 120_000);

  it('finds a camera on the map, where its coordinates put it, and opens it on the wall', async () => {
    await page.goto(`${server.url}/map`);
    await page.getByTestId('map-camera-2').waitFor().catch(async (e: unknown) => {
      await page.screenshot({ path: join(shots, 'map-failed.png') });
      throw e;
    });
    const at = async (id: number) => ({ x: Number(await page.getByTestId(`map-camera-${id}`).getAttribute('data-x')), y: Number(await page.getByTestId(`map-camera-${id}`).getAttribute('data-y')) });
    const [a, b, c] = [await at(1), await at(2), await at(3)];
    // East is right, north is up, and equal steps of longitude are equal steps on screen.
    expect(b.x).toBeGreaterThan(a.x);
    expect(c.x).toBeGreaterThan(b.x);
    expect(Math.abs((c.x - b.x) - (b.x - a.x))).toBeLessThan(0.5);
    expect(b.y).toBeLessThan(a.y);
    expect(c.y).toBeCloseTo(a.y, 0);
    expect(await page.getByTestId('map').locator('[data-kind="sector"]').count()).toBe(NAMES.length);

    await page.getByTestId('map-search').fill('操场');
    await page.getByTestId('map-item-2').click();
    await page.locator('[data-testid="map-camera-2"][data-selected="true"]').waitFor();
    await page.getByTestId('map-detail').getByText('操场').first().waitFor();
    // No national ID for the operator; the positions shown are in the register, as the map's.
    expect(await page.getByTestId('map-detail').textContent()).not.toContain('34010400001320000002');
    const shown: number[][] = [];
    for await (const e of server.ctx.access.log.audit.entries({ action: 'registry_view' })) if (e.target === 'camera map' && e.actors[0]?.userId === operator.id) shown.push(e.cameraIds);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown[0]!.length).toBe(NAMES.length);
    expect(await scanLanguage(page)).toEqual({ sentences: [], missingKeys: [] });
    await page.screenshot({ path: join(shots, 'map.png') });
    await page.getByTestId('map-open-live').click();
    await page.waitForURL(/\/live/);
    await waitTile(0, '操场');
  }, 120_000);
});
