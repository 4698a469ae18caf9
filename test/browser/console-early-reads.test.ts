// A page load of a browser signed in last time begins the reads of the page's first paint with the
// page's bundle (api/client.ts askEarly), not after the shell and the page have rendered, which
// they can only do once /auth/me has answered who is signed in. In real Chromium, with /auth/me
// held unanswered: the camera page's read of its first 50 cameras, of the organisations and of the
// place categories, and the header's to-do read, all go out while it is held, and each only once.
// And the page a signed-in browser is sent names the shell's and the page's scripts itself
// (src/api/plugins/console.ts, web/route-preloads.ts): even on a first visit, with nothing kept
// in the browser, they are fetched while /auth/me is held.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY } from '../../bench/console-ready.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue, watchPageErrors, type RunningServer } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;

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

  it("sends the camera page's first reads before /auth/me has answered, each once", async () => {
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    // The first load: the browser learns it is signed in (the hint session/start.ts reads).
    await page.goto(`${server.url}/cameras`);
    await waitForTrue(page, READY, { timeout: 60_000 });
    const early = ['/api/v1/cameras?limit=50&offset=0', '/api/v1/organisations', '/api/v1/place-categories', '/api/v1/todo'];
    const reads: string[] = [];
    const whileHeld = new Set<string>();
    let held = false;
    let release = () => undefined as void;
    const allSent = new Promise<void>((resolve) => (release = resolve));
    // /auth/me waits until the early reads have all gone out (a cap only so that a console
    // without them fails here instead of hanging).
    await page.route('**/api/v1/auth/me', async (route) => {
      held = true;
      await Promise.race([allSent, new Promise((r) => setTimeout(r, 20_000))]);
      held = false;
      await route.continue();
    });
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!u.pathname.startsWith('/api/v1/') || r.method() !== 'GET') return;
      const url = `${u.pathname}${u.search}`;
      reads.push(url);
      if (held) whileHeld.add(url);
      if (early.every((e) => whileHeld.has(e))) release();
    });
    await page.reload();
    await waitForTrue(page, READY, { timeout: 60_000 });
    expect([...whileHeld].sort()).toEqual(expect.arrayContaining(early));
    for (const url of early) expect(reads.filter((r) => r === url), `${url} in ${reads.join(' ')}`).toHaveLength(1);
    expect(errors).toEqual([]);
  }, 240_000);

  it("reads the profiles once for the header's banner and the profile page, and the default profile beside them", async () => {
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    await page.goto(`${server.url}/profiles`);
    await waitForTrue(page, READY, { timeout: 60_000 });
    const reads: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.pathname.startsWith('/api/v1/profiles') && r.method() === 'GET') reads.push(`${u.pathname}${u.search}`);
    });
    // Read only once /auth/me has answered: the default profile's read is asked by the page's early
    // reads as soon as the list answers, before the page could render.
    let meAnswered = false;
    const detailBeforeMe: string[] = [];
    page.on('requestfinished', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/auth/me') meAnswered = true;
    });
    page.on('request', (r) => {
      const path = new URL(r.url()).pathname;
      if (/^\/api\/v1\/profiles\/[^/]+$/.test(path) && !meAnswered) detailBeforeMe.push(path);
    });
    await page.route('**/api/v1/auth/me', async (route) => {
      // Held until the default profile is asked for (a cap only so that a console without the early
      // read fails on the expectation below instead of hanging).
      for (let i = 0; i < 200 && !detailBeforeMe.length; i++) await new Promise((r) => setTimeout(r, 100));
      await route.continue();
    });
    await page.reload();
    await waitForTrue(page, READY, { timeout: 60_000 });
    expect(reads.filter((r) => r === '/api/v1/profiles'), reads.join(' ')).toHaveLength(1);
    const details = reads.filter((r) => r !== '/api/v1/profiles');
    expect(details, reads.join(' ')).toHaveLength(1);
    expect(detailBeforeMe, reads.join(' ')).toEqual(details);
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it("has a signed-in browser fetch the shell's and the page's scripts before /auth/me has answered, on its first visit", async () => {
    // A context of its own: no hint in storage, nothing cached; only the session cookie.
    const fresh = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    try {
      await signInContext(fresh, server, await server.person('early-fresh', [['system_administrator', null]]));
      const page = await fresh.newPage();
      const errors = watchPageErrors(page);
      const scripts: string[] = [];
      // Scripts asked for before /auth/me was answered (the page's links are read before the entry
      // script even asks it).
      const beforeMe = new Set<string>();
      let answered = false;
      let release = () => undefined as void;
      const allSent = new Promise<void>((resolve) => (release = resolve));
      const wanted = (s: Set<string>) => [...s].some((p) => /^\/assets\/shell-[\w-]+\.js$/.test(p)) && [...s].some((p) => /^\/assets\/cameras-page-[\w-]+\.js$/.test(p));
      await page.route('**/api/v1/auth/me', async (route) => {
        await Promise.race([allSent, new Promise((r) => setTimeout(r, 20_000))]);
        answered = true;
        await route.continue();
      });
      page.on('request', (r) => {
        const path = new URL(r.url()).pathname;
        if (!path.startsWith('/assets/')) return;
        scripts.push(path);
        if (!answered) beforeMe.add(path);
        if (wanted(beforeMe)) release();
      });
      await page.goto(`${server.url}/cameras`);
      await waitForTrue(page, READY, { timeout: 60_000 });
      expect(wanted(beforeMe), `before /auth/me: ${[...beforeMe].join(' ')}`).toBe(true);
      // Preloaded, then imported: each script is fetched once.
      const js = scripts.filter((p) => p.endsWith('.js'));
      expect(js.length).toBe(new Set(js).size);
      expect(errors).toEqual([]);
    } finally {
      await fresh.close();
    }
  }, 240_000);
});
