// Console page loads (issue 20: < 1 s p95 on the demo data on a busy 2-core machine): the real
// API role with the demo registry (`vigil serve --demo`'s city), the built console, and Debian's
// Chromium. Each main page is loaded N times (BENCH_CONSOLE_N, default 10) by the person whose
// day it is, after signing in; a load runs from navigation until the page's content is on screen
// with nothing still spinning. Prints a table of p50/p95 per page with the load average and the
// JavaScript each page loaded (parsed kB, and kB on the wire when fetched), then the JSON line:
// `pageLoadP95Ms` (over every load) and each page's figures. The sign-in page is measured too:
// what a browser with nothing cached must fetch before anyone can sign in.
// No camera simulator runs here (`vigil serve --demo` starts one; seedDemo only registers cameras
// pointing at it): the wall of /live fills with the first cameras and asks for their streams, and
// the server answers and logs that the camera source could not be opened. That is expected; the
// load measured is the page's, not the video's (READY waits for no picture).
import { statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { projectRoot } from '../src/project-root.js';
import { seedDemo } from '../src/services/demo.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue, type Person } from '../test/support/browser.js';
import { loadAverage, runBench } from './bench-run.js';
import { READY } from './console-ready.js';

const N = Math.max(1, Number(process.env.BENCH_CONSOLE_N ?? 10) || 10);
const GOAL_MS = 1000;

/**
 * The JavaScript files this document loaded, and the bytes fetched over the network for them. A
 * file from Chromium's cache reports no sizes, so the bytes parsed are read from the build.
 */
const JS_LOADED = `(() => {
  const js = performance.getEntriesByType('resource').filter((e) => new URL(e.name).pathname.endsWith('.js'));
  return { paths: js.map((e) => new URL(e.name).pathname), wire: js.reduce((n, e) => n + e.transferSize, 0) };
})()`;

interface JsBytes { files: number; decoded: number; encoded: number }

async function jsBytesOf(page: Page): Promise<JsBytes> {
  const { paths, wire } = (await page.evaluate(JS_LOADED)) as { paths: string[]; wire: number };
  const unique = [...new Set(paths)];
  const decoded = unique.reduce((n, p) => n + statSync(join(projectRoot(), 'dist', 'web', p)).size, 0);
  return { files: unique.length, decoded, encoded: wire };
}

const kb = (n: number) => (n / 1024).toFixed(0);

const rank = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};

await runBench('console', async (run) => {
  const server = await run.phase('start', 180, async () => {
    ensureWebBuilt();
    return startTestServer();
  });
  run.onCleanup('stop the server', () => server.close());
  const people = await run.phase('seed', 120, async () => {
    await seedDemo(server.ctx, 8, '127.0.0.1', 8554);
    const orgs = await server.ctx.registry.organisations.list();
    const city = orgs.find((o) => o.level === 'city')!.id;
    return {
      admin: await server.person('bench-admin', [['system_administrator', null]]),
      operator: await server.person('bench-operator', [['duty_operator', city]]),
      supervisor: await server.person('bench-supervisor', [['supervisor', city]]),
    } satisfies Record<string, Person>;
  });
  const browser = await run.phase('browser', 60, () => launchBrowser());
  run.onCleanup('close Chromium', () => browser.close());

  const pages: [keyof typeof people, string][] = [
    ['admin', '/cameras'], ['admin', '/organisations'], ['admin', '/users'], ['admin', '/profiles'],
    ['operator', '/live'], ['operator', '/playback'], ['operator', '/health'], ['operator', '/access-requests'],
    ['supervisor', '/coverage'], ['supervisor', '/map'], ['supervisor', '/audit'], ['supervisor', '/filings'], ['supervisor', '/compliance'],
  ];
  const samples = new Map<string, number[]>();
  const jsBytes = new Map<string, JsBytes>();
  await run.phase('sign-in page', 60, async () => {
    // A first visit: nothing cached, nobody signed in; the page is ready when its form is.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(`${server.url}/`);
    await waitForTrue(page, `!!document.querySelector('form input[type=password]')`, { timeout: 30_000 });
    samples.set('/ (sign-in, cold)', [performance.now() - start]);
    jsBytes.set('/ (sign-in, cold)', await jsBytesOf(page));
    await context.close();
  });
  await run.phase('loads', 600, async () => {
    const tabs = new Map<string, Page>();
    for (const [who, p] of Object.entries(people)) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      await signInContext(context, server, p);
      const page = await context.newPage();
      page.setDefaultTimeout(30_000);
      // The first load warms Chromium's cache of the console's files, as a day's first page does.
      await page.goto(`${server.url}/`);
      await waitForTrue(page, READY);
      tabs.set(who, page);
    }
    for (let i = 0; i < N; i++) {
      for (const [who, path] of pages) {
        const page = tabs.get(who)!;
        const start = performance.now();
        await page.goto(`${server.url}${path}`);
        await waitForTrue(page, READY, { timeout: 30_000 });
        const ms = performance.now() - start;
        samples.set(path, [...(samples.get(path) ?? []), ms]);
        if (i === 0) jsBytes.set(path, await jsBytesOf(page));
      }
    }
  });

  console.log(`\nConsole page loads: ${N} a page after sign-in, demo registry, Chromium headless; load average ${loadAverage()}`);
  console.log(`${'page'.padEnd(20)}${'p50'.padStart(8)}${'p95'.padStart(8)}${'max'.padStart(8)}${'JS files'.padStart(10)}${'JS kB'.padStart(8)}${'wire kB'.padStart(9)}   (ms, goal p95 < ${GOAL_MS})`);
  const perPage: Record<string, { p50Ms: number; p95Ms: number; jsFiles: number; jsKB: number; jsWireKB: number }> = {};
  for (const [path, xs] of samples) {
    const js = jsBytes.get(path) ?? { files: 0, decoded: 0, encoded: 0 };
    perPage[path] = { p50Ms: Math.round(rank(xs, 0.5)), p95Ms: Math.round(rank(xs, 0.95)), jsFiles: js.files, jsKB: Math.round(js.decoded / 1024), jsWireKB: Math.round(js.encoded / 1024) };
    const miss = rank(xs, 0.95) >= GOAL_MS ? '  MISSES' : '';
    console.log(`${path.padEnd(20)}${rank(xs, 0.5).toFixed(0).padStart(8)}${rank(xs, 0.95).toFixed(0).padStart(8)}${Math.max(...xs).toFixed(0).padStart(8)}${String(js.files).padStart(10)}${kb(js.decoded).padStart(8)}${kb(js.encoded).padStart(9)}${miss}`);
  }
  const timed = [...samples].filter(([p]) => p.startsWith('/') && !p.includes('cold')).flatMap(([, xs]) => xs);
  console.log(`${'all pages'.padEnd(20)}${rank(timed, 0.5).toFixed(0).padStart(8)}${rank(timed, 0.95).toFixed(0).padStart(8)}${Math.max(...timed).toFixed(0).padStart(8)}`);
  run.result.pageLoadP95Ms = Math.round(rank(timed, 0.95));
  run.result.pageLoadP50Ms = Math.round(rank(timed, 0.5));
  run.result.signInColdMs = Math.round(samples.get('/ (sign-in, cold)')![0]!);
  run.result.loadsPerPage = N;
  run.result.pages = perPage;
  run.result.load = Number(loadavg()[0]!.toFixed(2));
});
