// The video wall's views (issue 20, item 8), in real Chromium against the real server: a first
// visit is not an empty wall but the first cameras one may see; a view saved by name comes back
// with its layout and cameras, after a reload too; a tour moves the wall to the next cameras.
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

describe('wall views and tours', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    const district = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city.body.id, regionCode: '340104' });
    for (const [i, name] of NAMES.entries()) {
      const r = await server.api('POST', '/cameras', { gbId: `3401040000132000000${i + 1}`, name, deviceType: 'fixed', address: '合肥市', placeCategory: 'schools', regionId: district.body.id, funding: 'self', signage: true });
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
    await waitTile(3, NAMES[3]!);
    expect(await tileNames(4)).toEqual(NAMES.slice(0, 4));
    expect(await scanLanguage(page)).toEqual({ sentences: [], missingKeys: [] });
    await page.screenshot({ path: join(shots, 'default.png') });
  }, 120_000);

  it('saves a view by name and brings it back, after a reload too', async () => {
    await page.getByTestId('wall-layout').getByText('1 画面').click();
    await page.getByTestId('wall-save-view').click();
    await page.getByTestId('wall-view-name').fill('校园出入口');
    await page.getByTestId('wall-view-name').press('Enter');
    await page.getByTestId('wall-layout').getByText('9 画面').click();
    await page.getByTestId('tile-8').waitFor();
    await page.reload();
    await page.getByTestId('tile-8').waitFor();
    await page.getByTestId('wall-views').click();
    await page.locator('.ant-select-item-option', { hasText: '校园出入口' }).click();
    await waitTile(0, NAMES[0]!);
    expect(await page.getByTestId('wall').locator('[data-testid^="tile-"][data-phase]').count()).toBe(1);
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
});
