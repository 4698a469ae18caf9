// The web console in real Chromium against the real API server: language switch, registering a
// camera point through the form, a refusal in a privacy place with its articles, a CSV import
// with a bad row, and the other registry pages — signed in as a platform-wide unit administrator.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, watchPageErrors, type RunningServer, waitForTrue } from '../support/browser.js';
import { ACTION_TIMEOUT_MS } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let regionId: number;
let districtId: number;
let unitId: number;
const shots = mkdtempSync(join(tmpdir(), 'vigil-console-shots-'));

const apiCall = <T,>(method: string, path: string, body?: unknown) => server.api<T>(method, path, body);

async function createOrg(input: Record<string, unknown>): Promise<number> {
  const r = await apiCall<{ id: number }>('POST', '/organisations', input);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

async function cameraTotal(): Promise<number> {
  return (await apiCall<{ total: number }>('GET', '/cameras?limit=1')).body.total;
}

/** Types into an antd select with search and picks the option showing `text`. */
async function pick(selectId: string, search: string, text: string) {
  await page.locator(`#${selectId}`).click();
  await page.locator(`#${selectId}`).fill(search);
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').locator('.ant-select-item-option, .ant-select-tree-node-content-wrapper').filter({ hasText: text }).first();
  await option.click();
}

/** Waits until the first element matching `selector` has exactly `text` (no DOM types here: Node's tsconfig). */
const selectorHasText = (selector: string, text: string) =>
  waitForTrue(page, `document.querySelector(${JSON.stringify(selector)})?.textContent === ${JSON.stringify(text)}`);

const visibleText = (text: string) => page.getByText(text, { exact: true }).first().waitFor({ state: 'visible', timeout: ACTION_TIMEOUT_MS });

describe('web console in Chromium', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    regionId = await createOrg({ kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    districtId = await createOrg({ kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: regionId, regionCode: '340104' });
    unitId = await createOrg({ kind: 'unit', name: '示范中学', nameEn: 'Model Middle School', unitRoles: ['builder', 'user'], parentId: districtId });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    // Registers cameras and organisations everywhere; the role needs no second factor.
    await signInContext(context, server, await server.person('registrar', [['unit_administrator', null]], { displayName: '登记员' }));
    page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('opens on the camera page in Chinese and switches language both ways, antd texts too', async () => {
    await page.goto(server.url);
    await page.waitForURL(/\/cameras$/);
    const menu = page.locator('.ant-layout-sider');
    await menu.getByText('摄像机', { exact: true }).waitFor();
    await visibleText('Vigil 公共安全视频图像信息系统');
    await selectorHasText('.ant-table .ant-empty-description', '暂无数据'); // antd's own empty table, in Chinese

    await page.getByText('English', { exact: true }).click();
    await menu.getByText('Cameras', { exact: true }).waitFor();
    expect(await menu.getByText('摄像机', { exact: true }).count()).toBe(0);
    await selectorHasText('.ant-table .ant-empty-description', 'No data');
    await visibleText('Register camera');
    await visibleText('Vigil Public Security Video Image Information System');

    // The choice survives a reload.
    await page.reload();
    await menu.getByText('Organisations', { exact: true }).waitFor();

    await page.getByText('中文', { exact: true }).click();
    await menu.getByText('组织机构', { exact: true }).waitFor();
    expect(await menu.getByText('Cameras', { exact: true }).count()).toBe(0);
    expect(await page.evaluate('localStorage.getItem("vigil.language")')).toBe('zh');
  });

  it('registers a camera point through the form and shows it in the table', async () => {
    await page.getByRole('button', { name: '登记摄像机' }).click();
    const drawer = page.locator('.ant-drawer-content');
    await drawer.getByText('登记摄像机点位').waitFor();
    await page.locator('#gbId').fill('34010400001320000001');
    await page.locator('#name').fill('示范中学东门');
    await page.locator('#address').fill('合肥市蜀山区长江西路 1 号');
    await pick('placeCategory', '学校', '学校、教育单位');
    await pick('regionId', '蜀山', '蜀山区');
    await pick('userUnitId', '示范', '示范中学');
    await page.locator('#longitude').fill('117.2272');
    await page.locator('#latitude').fill('31.8206');
    await page.locator('#directionDeg').fill('90');
    await page.screenshot({ path: join(shots, 'camera-form.png') });
    await page.getByTestId('camera-form-submit').click();

    const row = page.locator('.ant-table-row', { hasText: '34010400001320000001' });
    await row.waitFor({ timeout: ACTION_TIMEOUT_MS });
    expect(await row.textContent()).toContain('示范中学东门');
    expect(await row.textContent()).toContain('蜀山区');
    const stored = await apiCall<{ items: { name: string; userUnitId: number; longitude: number }[] }>('GET', '/cameras?q=34010400001320000001');
    expect(stored.body.items).toMatchObject([{ name: '示范中学东门', userUnitId: unitId, longitude: 117.2272 }]);
  });

  it("takes antd's styles from the build's CSS file: the camera page, its form and table make none in the page", async () => {
    // web/antd-styles.ts: antd writes a <style> element for each style it makes in the page; the
    // icons' one small rule is @ant-design/icons' own and always written.
    const made = (await page.evaluate(`[...document.querySelectorAll('style[data-css-hash]')].map((s) => s.textContent.slice(0, 80))`)) as string[];
    expect(made.filter((css) => !css.startsWith('.anticon'))).toEqual([]);
    expect(await page.evaluate(`[...document.querySelectorAll('link[rel=stylesheet]')].map((l) => new URL(l.href).pathname)`)).toEqual([expect.stringMatching(/^\/assets\/index-[\w-]+\.css$/)]);
    // The console's theme is in the file: the primary button wears its blue, not antd's.
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.ant-btn-primary')).backgroundColor`)).toBe('rgb(29, 78, 137)');
  });

  it('refuses a camera in a privacy place and shows the articles behind the refusal', async () => {
    const categories = (await apiCall<{ items: { id: string; kind: string; name: { zh: string } }[] }>('GET', '/place-categories')).body.items;
    const toilets = categories.find((c) => c.id === 'toilets' && c.kind === 'prohibited');
    expect(toilets).toBeDefined();
    // What the server says about the same point, to compare with what the console shows.
    const direct = await apiCall<{ error: { code: string; articles: string[] } }>('POST', '/cameras', {
      gbId: '34010400001320000002', name: 'x', deviceType: 'fixed', address: 'x', placeCategory: 'toilets', regionId: districtId, funding: 'self', signage: true,
    });
    expect(direct.status).toBe(422);
    expect(direct.body.error.code).toBe('PROHIBITED_PLACE');
    const articles = direct.body.error.articles;
    expect(articles.length).toBeGreaterThan(0);

    const before = await cameraTotal();
    await page.getByRole('button', { name: '登记摄像机' }).click();
    await page.locator('#gbId').fill('34010400001320000002');
    await page.locator('#name').fill('公共厕所入口');
    await page.locator('#address').fill('合肥市蜀山区');
    await pick('placeCategory', toilets!.name.zh.slice(0, 2), toilets!.name.zh);
    // The option itself carries the mark.
    await pick('regionId', '蜀山', '蜀山区');
    await page.getByTestId('camera-form-submit').click();

    const note = page.getByTestId('error-notification');
    await note.waitFor({ timeout: ACTION_TIMEOUT_MS });
    const text = (await note.textContent()) ?? '';
    for (const a of articles) expect(text).toContain(a);
    await page.locator('.ant-notification-notice', { hasText: 'PROHIBITED_PLACE' }).waitFor();
    // The refusal also lands on the field, with its articles.
    const fieldError = page.locator('.ant-form-item-has-error', { has: page.locator('#placeCategory') }).locator('.ant-form-item-explain');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toContain(articles[0]);
    await page.screenshot({ path: join(shots, 'prohibited.png') });
    expect(await cameraTotal()).toBe(before);

    await page.locator('.ant-notification-notice-close').first().click();
    await page.locator('.ant-drawer-content').getByRole('button', { name: /取\s*消/ }).click();
    await page.locator('.ant-drawer-content').waitFor({ state: 'hidden' });
  });

  it('imports a CSV: a bad row is reported with its line and field and nothing is imported; a good file is', async () => {
    const before = await cameraTotal();
    const header = 'gbId,name,deviceType,address,placeCategory,regionId,funding,signage';
    const bad = [header, `34010400001320000011,北门,dome,长江西路 2 号,schools,${districtId},self,是`, `12345,西门,fixed,长江西路 3 号,schools,${districtId},self,yes`, ''].join('\n');
    await page.getByRole('button', { name: '导入 CSV' }).click();
    await page.locator('.ant-modal input[type=file]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
    const problems = page.getByTestId('import-problems');
    await problems.waitFor({ timeout: ACTION_TIMEOUT_MS });
    const row = problems.locator('.ant-table-row', { hasText: 'gbId' }).first();
    const cells = await row.locator('td').allTextContents();
    expect(cells[0]).toBe('3');
    expect(cells[1]).toBe('gbId');
    expect(cells[2]!.length).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'import-refused.png') });
    expect(await cameraTotal()).toBe(before);

    const good = [header, `34010400001320000011,北门,dome,长江西路 2 号,schools,${districtId},self,是`, `34010400001320000012,西门,fixed,长江西路 3 号,schools,${districtId},self,yes`].join('\n');
    await page.locator('.ant-modal input[type=file]').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
    await page.locator('.ant-table-row', { hasText: '34010400001320000012' }).waitFor({ timeout: ACTION_TIMEOUT_MS });
    expect(await cameraTotal()).toBe(before + 2);
    await page.screenshot({ path: join(shots, 'cameras.png'), fullPage: true });
  });

  it('filters by region and text, edits a point (PATCH) and exports the registry as CSV', async () => {
    const tree = page.getByTestId('region-tree');
    await tree.getByText('合肥市').click();
    await page.locator('.ant-table-row', { hasText: '34010400001320000011' }).waitFor();
    await visibleText(`共 ${await cameraTotal()} 个点位`);
    await page.getByPlaceholder('名称、地址或国标编码').fill('北门');
    await page.getByPlaceholder('名称、地址或国标编码').press('Enter');
    await visibleText('共 1 个点位');

    // Edit the point (PATCH) from its row.
    await page.locator('.ant-table-row', { hasText: '34010400001320000011' }).getByRole('button', { name: /编\s*辑/ }).click();
    await page.locator('.ant-drawer-content').getByText('编辑点位：北门').waitFor();
    expect(await page.locator('#gbId').inputValue()).toBe('34010400001320000011');
    await page.locator('#name').fill('北门（改）');
    await page.getByTestId('camera-form-submit').click();
    await page.locator('.ant-table-row', { hasText: '北门（改）' }).waitFor();
    const edited = await apiCall<{ items: { name: string; deviceType: string }[] }>('GET', '/cameras?q=34010400001320000011');
    expect(edited.body.items).toMatchObject([{ name: '北门（改）', deviceType: 'dome' }]);

    // The export link gives the registry as CSV.
    const href = await page.getByRole('link', { name: '导出 CSV' }).getAttribute('href');
    // Fetched with the browser's own session: the link works for the person who sees it.
    const csv = await (await context.request.get(new URL(href!, server.url).toString())).text();
    expect(csv.split('\n')[0]).toMatch(/^gbId,name,/);
    expect(csv).toContain('北门（改）');
  });

  it('pages through the table 50 points at a time, asking the server for each page', async () => {
    const rows = Array.from({ length: 55 }, (_, i) => `340104000013201${String(i).padStart(5, '0')},批量点位 ${i},fixed,长江西路,schools,${districtId},government,yes`);
    const res = await server.api('POST', '/cameras/import', ['gbId,name,deviceType,address,placeCategory,regionId,funding,signage', ...rows].join('\n'), 'text/csv');
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const total = await cameraTotal();
    expect(total).toBeGreaterThan(55);
    await page.goto(`${server.url}/cameras`);
    await visibleText(`共 ${total} 个点位`);
    expect(await page.locator('.ant-table-row').count()).toBe(50);
    const requested = page.waitForRequest((r) => r.url().includes('/api/v1/cameras?') && r.url().includes('offset=50'));
    await page.locator('.ant-pagination-item-2').click();
    await requested;
    await waitForTrue(page, `document.querySelectorAll('.ant-table-row').length === ${total - 50}`);
  });

  it('shows organisations with roles, creates a unit, and renders coverage and profiles with articles', async () => {
    await page.locator('.ant-layout-sider').getByText('组织机构', { exact: true }).click();
    await page.waitForURL(/\/organisations$/);
    const tree = page.getByTestId('organisation-tree');
    await tree.getByText('示范中学').waitFor();
    await tree.getByText('使用单位').first().waitFor();
    await tree.getByText('蜀山区').click();
    await page.getByRole('button', { name: '新建单位' }).click();
    const modal = page.locator('.ant-modal-content', { has: page.getByTestId('organisation-form') });
    await modal.locator('#name').fill('城市维保公司');
    await modal.getByLabel('维护单位').check();
    await modal.getByRole('button', { name: /创\s*建/ }).click();
    await tree.getByText('城市维保公司').waitFor({ timeout: ACTION_TIMEOUT_MS });
    await modal.waitFor({ state: 'hidden' });
    const orgs = (await apiCall<{ items: { name: string; parentId: number; unitRoles: string[] }[] }>('GET', '/organisations?kind=unit')).body.items;
    expect(orgs.find((o) => o.name === '城市维保公司')).toMatchObject({ parentId: districtId, unitRoles: expect.arrayContaining(['maintainer']) });
    await page.screenshot({ path: join(shots, 'organisations.png') });

    await page.locator('.ant-layout-sider').getByText('覆盖情况', { exact: true }).click();
    const coverage = page.getByTestId('coverage-table');
    await coverage.getByText('合肥市').waitFor();
    await coverage.getByTestId('articles').first().waitFor();
    await page.screenshot({ path: join(shots, 'coverage.png'), fullPage: true });

    await page.locator('.ant-layout-sider').getByText('辖区规则', { exact: true }).click();
    const values = page.getByTestId('profile-values');
    await values.locator('.ant-table-row').first().waitFor({ timeout: ACTION_TIMEOUT_MS });
    await values.getByTestId('articles').first().waitFor();
    await values.getByText('信息留存 › 最短留存期限（日）').first().waitFor();
    await page.screenshot({ path: join(shots, 'profiles.png'), fullPage: true });

    // An article's text shows on hover (the tooltip is made at the first hover: common/lazy-tooltip).
    const profileId = (await apiCall<{ defaultProfileId: string }>('GET', '/profiles')).body.defaultProfileId;
    const texts = (await apiCall<{ articles: Record<string, { zh: string } | string> }>('GET', `/profiles/${profileId}`)).body.articles;
    const tags = (await values.getByTestId('articles').locator('.ant-tag').allTextContents()).map((a) => a.trim());
    const cited = tags.find((a) => texts[a.replace(/\(.*$/, '')]);
    expect(cited, `an article tag with a text among ${tags.join(' ')}`).toBeDefined();
    const entry = texts[cited!.replace(/\(.*$/, '')]!;
    expect(await page.locator('.ant-tooltip').count()).toBe(0);
    await values.getByTestId('articles').locator('.ant-tag', { hasText: cited }).first().hover();
    await page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').getByText(typeof entry === 'string' ? entry : entry.zh).waitFor();
    await page.mouse.move(0, 0);

    await page.getByText('English', { exact: true }).click();
    await values.getByText('Retention › Minimum retention (days)').first().waitFor();
    await page.screenshot({ path: join(shots, 'profiles-en.png') });
    await page.getByText('中文', { exact: true }).click();
    await values.getByText('信息留存 › 最短留存期限（日）').first().waitFor();
  });

  it('logged no script errors beyond the refused requests', () => {
    const unexpected = errors.filter((e) => !/Failed to load resource: the server responded with a status of (400|422)/.test(e));
    expect(unexpected).toEqual([]);
    console.info(`console screenshots in ${shots}`);
  });
});
