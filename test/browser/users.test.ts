// User administration in the console, in real Chromium against the real server (issue 20, item
// 1): an administrator creates two officers and an approver, the approver's role waits for a
// second administrator who confirms it on the same page, an officer signs in with the password
// the console showed once and is made to choose their own before anything else, a password is
// reset and an account disabled, and anyone reaches their own change-password screen. The header's
// to-do badge tells the second administrator that a grant waits for them.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue as waitTrue, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { PageTimings } from '../support/page-timing.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let shushan: number;
let admin: Person;
let admin2: Person;
let officerPassword: string;
const timings = new PageTimings();
/** Each step drives several pages on a busy shared machine. */
const TEST_TIMEOUT_MS = 300_000;
const shots = mkdtempSync(join(tmpdir(), 'vigil-users-shots-'));

async function created(r: Promise<{ status: number; body: unknown }>): Promise<number> {
  const res = await r;
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: number }).id;
}

async function newPage(p?: Person): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  contexts.push(context);
  if (p) await signInContext(context, server, p);
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  errors.push(...watchPageErrors(page));
  return page;
}

/** Picks an option of an antd Select or TreeSelect opened by clicking the control `#id`. */
async function pick(page: Page, id: string, text: string) {
  await page.locator(`#${id}`).click();
  const open = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)');
  await open.locator('.ant-select-item-option, .ant-select-tree-node-content-wrapper', { hasText: text }).first().click();
}

function userRow(page: Page, login: string) {
  return page.getByTestId('user-table').locator('.ant-table-row', { hasText: login });
}

async function createUser(page: Page, u: { login: string; name: string; workId: string; role: string; password?: string }) {
  await page.getByTestId('new-user').click();
  const form = page.getByTestId('user-form');
  await form.getByLabel('登录名').fill(u.login);
  await form.getByLabel('姓名').fill(u.name);
  await form.getByLabel('工作证号 / 警号').fill(u.workId);
  await pick(page, 'user_organisationId', '蜀山区');
  if (u.password) await form.getByLabel('初始密码').fill(u.password);
  await pick(page, 'user_role', u.role);
  await pick(page, 'user_scope', '蜀山区');
  await page.getByTestId('user-save').click();
  await userRow(page, u.login).waitFor();
}

describe('user administration in the console', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await created(server.api('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' }));
    shushan = await created(server.api('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city, regionCode: '340104' }));
    admin = await server.person('city-admin', [['system_administrator', null]], { displayName: '市局管理员' });
    admin2 = await server.person('second-admin', [['system_administrator', null]], { displayName: '第二管理员' });
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    console.info(`users screenshots in ${shots}\n${timings.report()}`);
  });

  it('lets the administrator create two officers and an approver; the approver waits for a second administrator', async () => {
    const page = await newPage(admin);
    await page.goto(`${server.url}/cameras`);
    await page.getByTestId('side-menu').getByText('用户与角色', { exact: true }).click();
    await page.waitForURL(/\/users$/);
    await userRow(page, 'second-admin').waitFor();

    // The first officer's password is generated and shown once.
    await createUser(page, { login: 'officer-a', name: '王警官', workId: 'J2001', role: '办案人员' });
    const shown = page.getByTestId('one-time-password');
    await shown.waitFor();
    officerPassword = (await shown.textContent())!.trim();
    expect(officerPassword.length).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: join(shots, 'one-time-password.png') });
    await page.getByRole('button', { name: '已记下' }).click();

    await createUser(page, { login: 'officer-b', name: '赵警官', workId: 'J2002', role: '办案人员', password: 'zhao-initial-2026' });
    await createUser(page, { login: 'head', name: '蜀山区负责人', workId: 'H3001', role: '审批负责人', password: 'head-initial-2026' });

    // Officers' roles are in force; the approver's waits for a second administrator.
    const officerGrant = page.getByTestId('grant-officer-a-investigator');
    expect(await officerGrant.textContent()).toContain('办案人员 · 蜀山区');
    await page.getByTestId('grant-head-approver').waitFor();
    expect(await page.getByTestId('confirm-head-approver').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'users-created.png') });

    const users = (await server.api<{ items: { login: string; workId: string | null; organisationId: number | null; grants: { role: string; organisationId: number | null; awaitingConfirmation: boolean }[] }[] }>('GET', '/users')).body.items;
    const byLogin = new Map(users.map((u) => [u.login, u]));
    expect(byLogin.get('officer-a')).toMatchObject({ workId: 'J2001', organisationId: shushan, grants: [{ role: 'investigator', organisationId: shushan, awaitingConfirmation: false }] });
    expect(byLogin.get('officer-b')).toMatchObject({ workId: 'J2002', grants: [{ role: 'investigator', awaitingConfirmation: false }] });
    expect(byLogin.get('head')).toMatchObject({ workId: 'H3001', grants: [{ role: 'approver', organisationId: shushan, awaitingConfirmation: true }] });
  }, TEST_TIMEOUT_MS);

  it('lets a second administrator confirm the approver\'s role', async () => {
    const page = await newPage(admin2);
    // The header's to-do tells the second administrator that a grant waits for them, and leads there.
    await page.goto(`${server.url}/cameras`);
    await page.getByTestId('todo-count').locator('.ant-badge-count', { hasText: '1' }).waitFor();
    await page.getByTestId('todo').click();
    expect(await page.getByTestId('todo-grants').textContent()).toBe('待您作为第二名管理员确认的授权：1 项');
    await page.screenshot({ path: join(shots, 'todo.png') });
    await page.getByTestId('todo-grants').click();
    await page.waitForURL(/\/users$/);
    for (let i = 0; i < 4; i++) await timings.load(page, '/users', `${server.url}/users`, () => page.getByTestId('confirm-head-approver').waitFor());
    await page.getByTestId('confirm-head-approver').click();
    await page.getByText('已确认授权').waitFor();
    await waitGone(page, 'confirm-head-approver');
    // Nothing waits any more.
    await page.goto(`${server.url}/cameras`);
    await page.getByTestId('side-menu').waitFor();
    await waitTrue(page, "!document.querySelector('[data-testid=todo-count] .ant-badge-count')");
    const head = (await server.api<{ items: { login: string; grants: { awaitingConfirmation: boolean }[] }[] }>('GET', '/users')).body.items.find((u) => u.login === 'head')!;
    expect(head.grants[0]!.awaitingConfirmation).toBe(false);
    await page.screenshot({ path: join(shots, 'approver-confirmed.png') });
  }, TEST_TIMEOUT_MS);

  it('makes the officer choose their own password at first sign-in, before anything else', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/access-requests`);
    await page.getByLabel('登录名').fill('officer-a');
    await page.getByLabel('密码', { exact: true }).fill(officerPassword);
    await page.getByTestId('sign-in-submit').click();
    await page.getByTestId('change-password').waitFor();
    expect(await page.getByTestId('side-menu').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'forced-change.png') });

    await page.getByLabel('管理员给您的密码').fill(officerPassword);
    await page.getByLabel('新密码', { exact: true }).fill('wang-own-password-1');
    await page.getByLabel('再次输入新密码').fill('wang-own-password-1');
    await page.getByTestId('change-password-submit').click();
    // An investigator sees footage, so the second factor comes next; the password stage is over.
    await page.getByTestId('enrol').waitFor();
    await page.screenshot({ path: join(shots, 'after-change-enrol.png') });

    const login = (password: string) => fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'officer-a', password }) });
    expect((await login(officerPassword)).status).toBe(401);
    const fresh = await login('wang-own-password-1');
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as { stage: string }).stage).toBe('enrol');
  }, TEST_TIMEOUT_MS);

  it('resets a password (forcing a change again) and disables an account from the console', async () => {
    const page = await newPage(admin);
    await page.goto(`${server.url}/users`);
    await userRow(page, 'officer-b').getByTestId('reset-officer-b').click();
    await page.getByTestId('reset-ok-officer-b').click();
    const shown = page.getByTestId('one-time-password');
    await shown.waitFor();
    const reset = (await shown.textContent())!.trim();
    await page.getByRole('button', { name: '已记下' }).click();
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'officer-b', password: reset }) });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { stage: string }).stage).toBe('password');

    await userRow(page, 'officer-b').getByTestId('disable-officer-b').click();
    await page.getByTestId('disable-ok-officer-b').click();
    await userRow(page, 'officer-b').getByText('已停用').waitFor();
    const again = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'officer-b', password: reset }) });
    expect(again.status).toBe(401);
    await page.screenshot({ path: join(shots, 'disabled.png') });
  }, TEST_TIMEOUT_MS);

  it('gives everyone a change-password screen from the user menu', async () => {
    const page = await newPage(admin2);
    await page.goto(`${server.url}/cameras`);
    await page.getByTestId('current-user').click();
    await page.getByTestId('my-account').click();
    await page.waitForURL(/\/account$/);
    await page.getByLabel('当前密码').fill('wrong-password-here');
    await page.getByLabel('新密码', { exact: true }).fill('second-admin-own-1');
    await page.getByLabel('再次输入新密码').fill('second-admin-own-1');
    await page.getByTestId('change-password-submit').click();
    expect(await page.getByTestId('change-password-error').textContent()).toBe('当前密码不正确');
    await page.getByLabel('当前密码').fill(admin2.password);
    await page.getByTestId('change-password-submit').click();
    await page.getByText('密码已修改').waitFor();
    // Still signed in here; the new password is the one that works.
    await page.getByTestId('side-menu').waitFor();
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'second-admin', password: admin2.password }) });
    expect(res.status).toBe(401);
    await page.screenshot({ path: join(shots, 'account.png') });
  }, TEST_TIMEOUT_MS);

  it('logged no script errors beyond the refused requests', () => {
    expect(errors.filter((e) => !/Failed to load resource: the server responded with a status of (401|403)/.test(e))).toEqual([]);
  });
});

async function waitGone(page: Page, testId: string) {
  await page.getByTestId(testId).waitFor({ state: 'detached' });
}
