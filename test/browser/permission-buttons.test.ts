// Buttons only for those who may use them (issue 20, item 6), in real Chromium against the real
// server: a duty operator sees no 新建平台 / 新建单位; a supervisor sees the cameras but no
// 登记摄像机 / 导入 CSV / 编辑 and no 新建导出; an administrator sees each of them, so the test
// fails if the buttons vanish for everyone. The server still judges every request.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, startTestServer, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { PageTimings } from '../support/page-timing.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let people: Record<'admin' | 'operator' | 'supervisor' | 'investigator', Person>;
const timings = new PageTimings();
const shots = mkdtempSync(join(tmpdir(), 'vigil-permission-shots-'));
const TEST_TIMEOUT_MS = 300_000;

async function created(r: Promise<{ status: number; body: unknown }>): Promise<number> {
  const res = await r;
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: number }).id;
}

async function pageOf(p: Person): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  contexts.push(context);
  await signInContext(context, server, p);
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  errors.push(...watchPageErrors(page));
  return page;
}

/** The buttons of a page, by their words, once its content is on screen. */
async function buttonsOn(page: Page, path: string, ready: (page: Page) => Promise<unknown>, who: string): Promise<string[]> {
  await timings.load(page, path, `${server.url}${path}`, () => ready(page));
  await page.screenshot({ path: join(shots, `${who}${path.replace(/\//g, '-')}.png`) });
  const texts = await page.locator('button, a.ant-btn, .ant-table-row a, .ant-table-row button').allTextContents();
  return texts.map((s) => s.replace(/\s+/g, ''));
}

const cameraRow = (page: Page) => page.locator('.ant-table-row', { hasText: '蜀山示范中学东门' }).waitFor();
const orgTree = (page: Page) => page.getByTestId('organisation-tree').getByText('蜀山区').first().waitFor();
const exportsCard = (page: Page) => page.getByTestId('my-exports').waitFor();

describe('buttons only for those who may use them', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await created(server.api('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' }));
    const shushan = await created(server.api('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city, regionCode: '340104' }));
    await created(server.api('POST', '/cameras', { gbId: '34010400001320000001', name: '蜀山示范中学东门', deviceType: 'fixed', address: '合肥市', placeCategory: 'schools', regionId: shushan, funding: 'self', signage: true }));
    people = {
      admin: await server.person('admin-b', [['system_administrator', null]], { displayName: '管理员' }),
      operator: await server.person('operator', [['duty_operator', shushan]], { displayName: '值班员' }),
      supervisor: await server.person('supervisor', [['supervisor', city]], { displayName: '市局监管' }),
      investigator: await server.person('investigator', [['investigator', shushan]], { displayName: '办案人员', workId: 'J1001' }),
    };
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    console.info(`permission screenshots in ${shots}\n${timings.report()}`);
  });

  it('shows the administrator the buttons that create and change', async () => {
    const page = await pageOf(people.admin);
    const orgs = await buttonsOn(page, '/organisations', orgTree, 'admin');
    expect(orgs).toEqual(expect.arrayContaining(['新建平台', '新建单位']));
    const cams = await buttonsOn(page, '/cameras', cameraRow, 'admin');
    expect(cams).toEqual(expect.arrayContaining(['登记摄像机', '导入CSV', '编辑']));
  }, TEST_TIMEOUT_MS);

  it('shows the duty operator no 新建平台 / 新建单位', async () => {
    const page = await pageOf(people.operator);
    const orgs = await buttonsOn(page, '/organisations', orgTree, 'operator');
    expect(orgs).not.toContain('新建平台');
    expect(orgs).not.toContain('新建单位');
  }, TEST_TIMEOUT_MS);

  it('shows the supervisor no 登记摄像机 / 导入 CSV / 编辑 / 新建导出', async () => {
    const page = await pageOf(people.supervisor);
    const cams = await buttonsOn(page, '/cameras', cameraRow, 'supervisor');
    for (const b of ['登记摄像机', '导入CSV', '编辑']) expect(cams).not.toContain(b);
    const exp = await buttonsOn(page, '/exports', exportsCard, 'supervisor');
    expect(exp).not.toContain('新建导出');
    // An investigator, who may copy footage, does see it.
    const inv = await pageOf(people.investigator);
    expect(await buttonsOn(inv, '/exports', exportsCard, 'investigator')).toContain('新建导出');
  }, TEST_TIMEOUT_MS);

  it('logged no script errors', () => {
    expect(errors).toEqual([]);
  });
});
