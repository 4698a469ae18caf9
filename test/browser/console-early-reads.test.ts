// A page load of a browser signed in last time begins the reads of the page's first paint with the
// page's bundle (api/client.ts askEarly), not after the shell and the page have rendered: in real
// Chromium the camera page's read of its first 50 cameras, of the organisations and of the place
// categories each go out once, and before the page's table is in the document; the header's to-do
// read too, before the side menu is.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY } from '../../bench/console-ready.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue, watchPageErrors, type RunningServer } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;

/** When the side menu and a table first stood in the document (performance.now()), set before any script of the page runs. */
const WATCH_FIRST_PAINT = `(() => {
  window.__firstSeen = {};
  new MutationObserver(() => {
    const seen = window.__firstSeen;
    if (seen.menu === undefined && document.querySelector('[data-testid="side-menu"]')) seen.menu = performance.now();
    if (seen.table === undefined && document.querySelector('.ant-layout-content .ant-table')) seen.table = performance.now();
  }).observe(document, { childList: true, subtree: true });
})()`;

describe('early reads of a page load', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100' });
    expect(city.status, JSON.stringify(city.body)).toBe(201);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(context, server, await server.person('early-admin', [['system_administrator', null]]));
  }, 240_000);

  afterAll(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it("begins the camera page's reads before its table renders, each once", async () => {
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    // The first load: the browser learns it is signed in (the hint start.ts reads).
    await page.goto(`${server.url}/cameras`);
    await waitForTrue(page, READY, { timeout: 60_000 });
    await page.addInitScript(WATCH_FIRST_PAINT);
    const reads: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/v1/') && r.method() === 'GET') reads.push(`${u.pathname}${u.search}`);
    });
    await page.reload();
    await waitForTrue(page, READY, { timeout: 60_000 });
    const timing = (await page.evaluate(`(() => ({
      seen: window.__firstSeen,
      starts: performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.startsWith('/api/v1/')).map((e) => ({ url: new URL(e.name).pathname + new URL(e.name).search, start: e.startTime })),
    }))()`)) as { seen: { menu?: number; table?: number }; starts: { url: string; start: number }[] };
    const startOf = (url: string) => timing.starts.find((s) => s.url === url)?.start;
    for (const url of ['/api/v1/cameras?limit=50&offset=0', '/api/v1/organisations', '/api/v1/place-categories']) {
      expect(reads.filter((r) => r === url), `${url} in ${reads.join(' ')}`).toHaveLength(1);
      expect(startOf(url), url).toBeLessThan(timing.seen.table!);
    }
    expect(reads.filter((r) => r === '/api/v1/todo')).toHaveLength(1);
    expect(startOf('/api/v1/todo')).toBeLessThan(timing.seen.menu!);
    expect(errors).toEqual([]);
  }, 240_000);
});
