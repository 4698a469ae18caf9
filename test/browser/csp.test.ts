// The console under its Content-Security-Policy in real Chromium (issue 14, item 9): the page is
// served with a strict policy and a fresh style nonce, Ant Design's run-time styles carry that
// nonce and apply, every page and pop-up of the console runs without a single CSP violation, and a
// style or script injected without the nonce is refused (so the policy is really in force).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, enrolThroughApi, launchBrowser, signInContext, startTestServer, watchPageErrors, type RunningServer, waitForTrue } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];

/** Violations as the page's securitypolicyviolation events report them (console messages are in `errors`). */
const violations = () => page.evaluate('window.__cspViolations ?? []') as Promise<string[]>;

/** The page's lazy chunk and its first data are in: no spinner left in the content. */
const settled = () => waitForTrue(page, `!document.querySelector('.ant-spin-spinning')`);

const PAGES = ['/cameras', '/organisations', '/coverage', '/profiles', '/access-requests', '/audit', '/holds', '/exports', '/systems', '/filings', '/inspections', '/compliance', '/complaints', '/health', '/live', '/playback', '/map'];

describe('the console under its Content-Security-Policy', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    await server.api('POST', '/organisations', { kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100', profileId: 'anhui' });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await context.addInitScript(`window.__cspViolations = []; document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sample || '')));`);
    const admin = await server.person('csp-admin', [['system_administrator', null]]);
    await enrolThroughApi(context, server, admin);
    await signInContext(context, server, admin);
    page = await context.newPage();
    errors = watchPageErrors(page);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('serves the page with a strict policy and a fresh nonce on each load', async () => {
    const first = await page.goto(`${server.url}/cameras`);
    const csp = (await first!.headerValue('content-security-policy'))!;
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]{24}'/);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(await first!.headerValue('x-frame-options')).toBe('DENY');
    const second = await page.goto(`${server.url}/cameras`);
    expect(await second!.headerValue('content-security-policy')).not.toBe(csp);
    expect(await second!.text()).not.toContain('VIGIL_CSP_NONCE');
  });

  it('applies Ant Design\'s run-time styles: the primary button is the theme colour', async () => {
    await page.goto(`${server.url}/cameras`);
    await page.locator('.ant-btn-primary').first().waitFor();
    expect(await page.evaluate(`getComputedStyle(document.querySelector('.ant-btn-primary')).backgroundColor`)).toBe('rgb(29, 78, 137)');
  });

  it('runs every page, a drawer and a dropdown with no CSP violation', { timeout: 300_000 }, async () => {
    for (const path of PAGES) {
      await page.goto(`${server.url}${path}`);
      await page.getByTestId('side-menu').waitFor();
      await settled();
      expect(await violations(), path).toEqual([]);
    }
    await page.goto(`${server.url}/cameras`);
    // The form drawer (motion, portals) and its selects' dropdowns.
    await page.locator('.ant-btn-primary').first().click();
    await page.locator('.ant-drawer-open, .ant-modal-wrap').first().waitFor();
    await page.locator('.ant-drawer-open .ant-select, .ant-modal-wrap .ant-select').first().click();
    await page.locator('.ant-select-dropdown').first().waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.getByTestId('language-switch').getByText('English').click();
    await page.getByTestId('language-switch').getByText('中文').click();
    await page.goto(`${server.url}/complaint`);
    await page.locator('form').first().waitFor();
    await settled();
    expect(await violations()).toEqual([]);
    expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  });

  it('refuses styles and a script injected as markup or without the nonce', async () => {
    await page.goto(`${server.url}/cameras`);
    await page.getByTestId('side-menu').waitFor();
    const before = (await violations()).length;
    await page.evaluate(`(() => {
      document.body.insertAdjacentHTML('beforeend', '<style>body { background: rgb(1, 2, 3) !important; }</style><div id="injected" style="color: rgb(4, 5, 6)">x</div>');
      const j = document.createElement('script'); j.textContent = 'window.__injected = true;'; document.head.appendChild(j);
    })()`);
    await waitForTrue(page, `window.__cspViolations.length >= ${before + 3}`);
    expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).not.toBe('rgb(1, 2, 3)');
    expect(await page.evaluate(`getComputedStyle(document.getElementById('injected')).color`)).not.toBe('rgb(4, 5, 6)');
    expect(await page.evaluate('window.__injected === true')).toBe(false);
    const seen = (await violations()).slice(before).join('\n');
    expect(seen).toMatch(/style-src-elem/);
    expect(seen).toMatch(/style-src-attr/);
    expect(seen).toMatch(/script-src/);
  });

  it('opens the API docs page under its own policy without violations', { timeout: 180_000 }, async () => {
    const res = await page.goto(`${server.url}/docs/`);
    expect(await res!.headerValue('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    // The title comes from the OpenAPI document, so the page fetched and rendered it.
    await page.getByText('Vigil API').first().waitFor({ timeout: 120_000 }).catch((e) => {
      throw new Error(`${(e as Error).message}\npage errors: ${errors.join('\n')}`);
    });
    expect(await violations()).toEqual([]);
  });
});
