// Signing in to the console in real Chromium against the real server: the first-run
// administrator's password from the data folder, a wrong password, second-factor enrolment from
// the secret the page shows, sign-out, the code entered with the password at the next sign-in (a
// wrong one refused with the one message every failure gets, issue 14), and a session ended
// elsewhere taking the console back to the sign-in page.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, startTestServer, totpCode, totpSecretOf, watchPageErrors, type RunningServer } from '../support/browser.js';
import { ACTION_TIMEOUT_MS } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let adminId: number;
const shots = mkdtempSync(join(tmpdir(), 'vigil-sign-in-shots-'));
const adminPassword = 'an-administrator-own-password';

async function fillSignIn(login: string, password: string, code = '') {
  await page.getByLabel('登录名').fill(login);
  await page.getByLabel('密码', { exact: true }).fill(password);
  await page.getByLabel('动态验证码（已绑定身份验证器时填写）').fill(code);
  await page.getByTestId('sign-in-submit').click();
}

describe('signing in to the console', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const admins = await server.api<{ items: { id: number; login: string }[] }>('GET', '/users');
    adminId = admins.body.items.find((u) => u.login === 'admin')!.id;
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the sign-in page, not the console, without a session; a wrong password says so', async () => {
    await page.goto(`${server.url}/cameras`);
    await page.getByTestId('sign-in').waitFor();
    expect(await page.getByTestId('side-menu').count()).toBe(0);
    await fillSignIn('admin', 'not-the-password');
    const error = page.getByTestId('sign-in-error');
    await error.waitFor();
    expect(await error.textContent()).toBe('登录名、密码或验证码错误');
    await page.screenshot({ path: join(shots, 'wrong-password.png') });
    // The failure is in the register, under the name given.
    const failures = await server.ctx.audit.search({ action: 'login', outcome: 'failed' });
    expect(failures.items.some((e) => e.actors.some((a) => a.name === 'admin'))).toBe(true);
  });

  it('has the first-run administrator replace the password from the file before anything else', async () => {
    await fillSignIn('admin', server.initialAdminPassword);
    await page.getByTestId('change-password').waitFor();
    expect(await page.getByTestId('side-menu').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'change-password.png') });
    await page.getByLabel('管理员给您的密码').fill(server.initialAdminPassword);
    await page.getByLabel('新密码', { exact: true }).fill(adminPassword);
    await page.getByLabel('再次输入新密码').fill(adminPassword);
    await page.getByTestId('change-password-submit').click();
    await page.getByTestId('enrol').waitFor();
    // The file's password opens nothing any more.
    const again = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'admin', password: server.initialAdminPassword }) });
    expect(again.status).toBe(401);
  });

  it('enrols the first-run administrator\'s second factor from the secret on the page', async () => {
    await page.getByTestId('enrol').waitFor();
    // The QR code and the otpauth:// URI carry the same secret the page shows in groups of four.
    await page.getByTestId('totp-qr').waitFor();
    const grouped = (await page.getByTestId('totp-secret').textContent())!;
    expect(grouped).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const secret = grouped.replace(/ /g, '');
    const uri = (await page.getByTestId('totp-uri').textContent())!;
    expect(uri).toMatch(/^otpauth:\/\/totp\/Vigil:admin\?/);
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    await page.screenshot({ path: join(shots, 'enrol.png') });

    await page.getByLabel('验证码').fill('000000' === totpCode(secret) ? '111111' : '000000');
    await page.getByTestId('enrol-submit').click();
    await page.getByTestId('enrol-error').waitFor();
    expect(await page.getByTestId('enrol-error').textContent()).toContain('验证码不匹配');

    await page.getByLabel('验证码').fill(totpCode(secret));
    await page.getByTestId('enrol-submit').click();
    await page.getByTestId('side-menu').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toContain('System administrator');
    expect(await totpSecretOf(server, adminId)).toBe(secret);
    await page.screenshot({ path: join(shots, 'signed-in.png') });
  });

  it('signs out, then takes the code with the password at the next sign-in and refuses a wrong one alike', async () => {
    await page.getByTestId('current-user').click();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in').waitFor();
    await page.getByText('您已退出登录').waitFor();
    // The cookie no longer opens anything.
    expect((await context.request.get(`${server.url}/api/v1/auth/me`)).status()).toBe(401);

    const secret = (await totpSecretOf(server, adminId))!;
    const wrong = ['000000', '111111'].find((c) => ![-1, 0, 1, 2].some((s) => totpCode(secret, s) === c))!;
    await fillSignIn('admin', adminPassword, wrong);
    await page.getByTestId('sign-in-error').waitFor();
    // The same words as a wrong password: nothing tells that the password was right.
    expect(await page.getByTestId('sign-in-error').textContent()).toBe('登录名、密码或验证码错误');
    await page.screenshot({ path: join(shots, 'wrong-code.png') });

    // The enrolment's code was used; the next step's code is fresh and within the allowed drift.
    await fillSignIn('admin', adminPassword, totpCode(secret, 1));
    await page.getByTestId('side-menu').waitFor();
  });

  it('goes back to the sign-in page, saying why, when the session is ended elsewhere', async () => {
    const revoked = await server.api<{ revoked: number }>('POST', `/users/${adminId}/sessions/revoke`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toBeGreaterThan(0);
    // The console's next request finds out; it may already have (a background request refused),
    // in which case the menu is gone before it can be clicked.
    const expired = page.getByTestId('session-expired');
    if (!(await expired.isVisible())) await page.locator('.ant-layout-sider').getByText('组织机构', { exact: true }).click({ timeout: 5_000 }).catch(() => undefined);
    await expired.waitFor();
    expect(await page.getByTestId('side-menu').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'expired.png') });
  });

  it('logged no script errors beyond the refused requests', () => {
    const unexpected = errors.filter((e) => !/Failed to load resource: the server responded with a status of (400|401)/.test(e));
    expect(unexpected).toEqual([]);
    console.info(`sign-in screenshots in ${shots}`);
  });
});
