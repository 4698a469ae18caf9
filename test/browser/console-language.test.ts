// The console in Chinese shows no English (issue 20, item 5): refusals are worded from their
// error code and parameters (a login name taken, roles one person may not hold together, a place
// category by its name), never by the server's English sentence; every page visited is scanned
// for English sentences and for dictionary keys the console lacks. In English the same refusals
// read in English.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, startTestServer, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { projectRoot } from '../../src/project-root.js';
import { scanLanguage } from '../support/language-scan.js';
import { PageTimings } from '../support/page-timing.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let admin: Person;
let shushan: number;
const timings = new PageTimings();
const shots = mkdtempSync(join(tmpdir(), 'vigil-language-shots-'));
const TEST_TIMEOUT_MS = 300_000;

/** Pages whose every string this work covers: any English sentence or missing key fails the test. */
const COVERED = ['/users', '/account', '/organisations', '/cameras', '/access-requests'];
/** Pages scanned and reported, not yet judged (issue 20 item 5 lists their English). */
const REPORTED = ['/coverage', '/profiles', '/systems', '/filings', '/inspections', '/compliance', '/health'];

async function created(r: Promise<{ status: number; body: unknown }>): Promise<number> {
  const res = await r;
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: number }).id;
}

/** Opens an antd Select or TreeSelect by its control (the input may sit under the chosen value), types to narrow long lists, picks. */
async function pick(id: string, text: string, search?: string) {
  await page.locator('.ant-select', { has: page.locator(`#${id}`) }).click();
  if (search) await page.locator(`#${id}`).fill(search);
  await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').locator('.ant-select-item-option, .ant-select-tree-node-content-wrapper', { hasText: text }).first().click();
}

async function refusalText(): Promise<string> {
  const note = page.getByTestId('error-text').last();
  await note.waitFor();
  const text = (await note.textContent()) ?? '';
  await page.locator('.ant-notification-notice-close').first().click();
  return text;
}

async function tryNewUser(login: string) {
  await page.getByTestId('new-user').click();
  const form = page.getByTestId('user-form');
  await form.getByLabel('登录名').fill(login);
  await form.getByLabel('姓名').fill('重复的人');
  await pick('user_organisationId', '蜀山区');
  await page.getByTestId('user-save').click();
}

describe('the console in Chinese shows no English', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await created(server.api('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' }));
    shushan = await created(server.api('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city, regionCode: '340104' }));
    await created(server.api('POST', '/organisations', { kind: 'unit', name: '蜀山示范中学', nameEn: 'Shushan Model School', parentId: shushan, unitRoles: ['user'] }));
    admin = await server.person('city-admin', [['system_administrator', null]], { displayName: '市局管理员' });
    await server.person('watcher', [['auditor', shushan]], { displayName: '审计员甲', workId: 'A5001' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(context, server, admin);
    page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    errors = watchPageErrors(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    console.info(`language screenshots in ${shots}\n${timings.report()}`);
  });

  it('words refusals from their codes and parameters, not the server\'s sentence', async () => {
    await timings.load(page, '/users', `${server.url}/users`, () => page.getByTestId('user-table').locator('.ant-table-row', { hasText: 'watcher' }).waitFor());

    // A taken login name: the code CONFLICT with reason login-taken and the login as parameter.
    await tryNewUser('test-setup');
    expect(await refusalText()).toBe('登录名“test-setup”已被使用');
    const field = page.locator('.ant-form-item-has-error', { has: page.locator('#user_login') }).locator('.ant-form-item-explain');
    expect(await field.textContent()).toBe('已被使用');
    await page.screenshot({ path: join(shots, 'login-taken.png') });
    await page.locator('.ant-drawer-content').getByRole('button', { name: /取\s*消/ }).click();

    // Roles one person may not hold: both roles named in Chinese.
    await page.getByTestId('grant-watcher').click();
    await pick('grant_role', '值守操作员');
    // The reach starts as the person's own organisation.
    expect(await page.getByTestId('grant-form').locator('.ant-select-selection-item', { hasText: '蜀山区' }).count()).toBe(1);
    await page.getByTestId('grant-save').click();
    expect(await refusalText()).toBe('watcher 已担任审计员，不能同时担任值守操作员（职责分离）');
    await page.screenshot({ path: join(shots, 'duties.png') });
    await page.locator('.ant-modal-content').getByRole('button', { name: /取\s*消/ }).click();
  }, TEST_TIMEOUT_MS);

  it('names a prohibited place by its category, not its id', async () => {
    await timings.load(page, '/cameras', `${server.url}/cameras`, () => page.getByRole('button', { name: '登记摄像机' }).waitFor());
    await page.getByRole('button', { name: '登记摄像机' }).click();
    await page.locator('#gbId').fill('34010400001320000009');
    await page.locator('#name').fill('快捷酒店客房走道');
    await page.locator('#address').fill('合肥市蜀山区');
    const categories = (await server.api<{ items: { id: string; name: { zh: string } }[] }>('GET', '/place-categories')).body.items;
    const rooms = categories.find((c) => c.id === 'hotel-guest-rooms')!.name.zh;
    await pick('placeCategory', rooms, '客房内部');
    await pick('regionId', '蜀山区', '蜀山');
    await page.getByTestId('camera-form-submit').click();
    const text = await refusalText();
    expect(text.startsWith(`${rooms}属于禁止安装摄像机的场所`), text).toBe(true);
    expect(text).not.toContain('hotel-guest-rooms');
    await page.screenshot({ path: join(shots, 'prohibited.png') });
    await page.locator('.ant-drawer-content').getByRole('button', { name: /取\s*消/ }).click();
  }, TEST_TIMEOUT_MS);

  it('shows no English sentence and no missing key on the pages it covers', async () => {
    const findings: string[] = [];
    for (const path of [...COVERED, ...REPORTED]) {
      await timings.load(page, path, `${server.url}${path}`, () => page.getByTestId('side-menu').waitFor());
      await page.waitForLoadState('networkidle');
      const found = await scanLanguage(page);
      await page.screenshot({ path: join(shots, `${path.slice(1)}.png`) });
      const line = `${path}: ${found.sentences.length} English sentence(s) ${JSON.stringify(found.sentences)}, missing keys ${JSON.stringify(found.missingKeys)}`;
      if (COVERED.includes(path)) expect(found, line).toEqual({ sentences: [], missingKeys: [] });
      else findings.push(line);
    }
    console.info(`pages scanned, not judged yet:\n${findings.join('\n')}`);
  }, TEST_TIMEOUT_MS);

  it('reads the same refusal in English in English mode', async () => {
    await page.goto(`${server.url}/users`);
    await page.getByTestId('language-switch').getByText('English').click();
    await page.getByTestId('new-user').click();
    const form = page.getByTestId('user-form');
    await form.getByLabel('Login name').fill('test-setup');
    await form.getByLabel('Name', { exact: true }).fill('Someone');
    await pick('user_organisationId', 'Shushan');
    await page.getByTestId('user-save').click();
    expect(await refusalText()).toBe('The login name "test-setup" is taken');
    await page.locator('.ant-drawer-content').getByRole('button', { name: /Cancel/ }).click();
    await page.getByTestId('language-switch').getByText('中文').click();
  }, TEST_TIMEOUT_MS);

  it('fetches only the chosen language\'s words on a page load, in English and in Chinese', async () => {
    // The scripts this document loaded (from the network or Chromium's cache) and those the
    // server's page named to preload (src/api/plugins/console.ts, by the language cookie).
    const scripts = () => page.evaluate(`({
      loaded: performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.js')),
      preloaded: [...document.querySelectorAll('link[rel=modulepreload]')].map((l) => new URL(l.href).pathname),
    })`) as Promise<{ loaded: string[]; preloaded: string[] }>;
    // A language's own files: what the build lists for it (web/route-preloads.ts) less what any
    // page needs anyway (antd's pagination, for one, carries its Chinese default texts in every language).
    const lists = JSON.parse(readFileSync(join(projectRoot(), 'dist', 'web', 'route-preloads.json'), 'utf8')) as Record<string, string[]>;
    const shared = new Set(Object.entries(lists).filter(([k]) => k.startsWith('/')).flatMap(([, files]) => files));
    const own = (language: string) => new Set((lists[`lang:${language}`] ?? []).filter((f) => !shared.has(f)).map((f) => `/${f}`));
    const zhOwn = own('zh');
    const enOwn = own('en');
    expect(zhOwn.size).toBeGreaterThan(0);
    expect(enOwn.size).toBeGreaterThan(0);
    const zh = (p: string) => zhOwn.has(p);
    const en = (p: string) => enOwn.has(p);
    await page.goto(`${server.url}/users`);
    await page.getByTestId('language-switch').getByText('English').click();
    await page.getByTestId('side-menu').getByText('Users and roles', { exact: true }).waitFor();
    await page.reload();
    await page.getByTestId('side-menu').getByText('Users and roles', { exact: true }).waitFor();
    const english = await scripts();
    expect(english.loaded.filter(zh), english.loaded.join(' ')).toEqual([]);
    expect(english.preloaded.filter(zh)).toEqual([]);
    expect(english.preloaded.filter(en)).toHaveLength(enOwn.size);
    await page.getByTestId('language-switch').getByText('中文').click();
    await page.getByTestId('side-menu').getByText('用户与角色', { exact: true }).waitFor();
    await page.reload();
    await page.getByTestId('side-menu').getByText('用户与角色', { exact: true }).waitFor();
    const chinese = await scripts();
    expect(chinese.loaded.filter(en), chinese.loaded.join(' ')).toEqual([]);
    expect(chinese.preloaded.filter(en)).toEqual([]);
    expect(chinese.preloaded.filter(zh)).toHaveLength(zhOwn.size);
  }, TEST_TIMEOUT_MS);

  it('logged no script errors beyond the refused requests', () => {
    expect(errors.filter((e) => !/Failed to load resource: the server responded with a status of (409|422)/.test(e))).toEqual([]);
  });
});
