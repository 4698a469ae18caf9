// /docs "Try it out" (issue 20, item 1), in real Chromium against the real server: signed in to the
// console, an unsafe request made from the docs page carries the session's CSRF token (the answer
// is the route's own 404, not the gate's 403).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, startTestServer, type Person, type RunningServer } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
let officer: Person;
let cityId: number;
const contexts: BrowserContext[] = [];

async function tryDeleteExport(page: Page): Promise<string> {
  await page.goto(`${server.url}/docs/`);
  const op = page.locator('.opblock-delete', { hasText: '/api/v1/exports/{id}' }).first();
  await op.scrollIntoViewIfNeeded();
  await op.locator('.opblock-summary-path').click();
  await op.getByRole('button', { name: 'Try it out' }).click();
  await op.locator('input[placeholder="id"]').fill('999');
  await op.getByRole('button', { name: 'Execute' }).click();
  const status = op.locator('.live-responses-table .response .response-col_status').first();
  await status.waitFor();
  return (await status.textContent())!.trim();
}

describe('trying the API from /docs', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100' });
    cityId = city.body.id;
    officer = await server.person('officer', [['investigator', cityId]], { workId: 'J1001' });
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('sends the session\'s CSRF token on an unsafe request: the route answers, not the gate', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    contexts.push(context);
    await signInContext(context, server, officer);
    const page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    expect(await tryDeleteExport(page)).toBe('404');
  }, 180_000);
});
