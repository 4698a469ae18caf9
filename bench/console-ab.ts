// Two builds of the console, A and B, measured in ONE run (issue 20), so that the load of a busy
// machine drifting between two runs does not decide which build is faster. Each build is served
// by its own API server (same demo registry, same people), both in this process and both opened
// by one Chromium; every page is loaded by the same person as in bench:console, A and B one after
// the other, the order swapped each round. A page load is timed as bench:console times it
// (navigation until READY) in a tab whose HTTP cache is warm, as a day's later pages are; the
// sign-in page cold (a new browser context each time), alternating too.
// A is a build kept from before a change (copy dist/web away, e.g. after `npm run build` on the
// old commit); B is this worktree's dist/web. Run:
//   BENCH_AB_A=<folder of build A> BENCH_AB_N=3 npx tsx bench/console-ab.ts
// BENCH_AB_PAGES narrows the pages (comma-separated). Prints a table and, last, one JSON line.
// Noise: a null run (the same build as A and B, N=2, load 15) differed by up to 2x on one page
// (/cameras p50 4,220 against 2,199 ms) and by 1 % over all pages: judge by the all-pages
// figures, or narrow the pages and raise N before reading one page's difference.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { projectRoot } from '../src/project-root.js';
import { seedDemo } from '../src/services/demo.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue, type Person, type RunningServer } from '../test/support/browser.js';
import { loadAverage, runBench } from './bench-run.js';
import { READY } from './console-ready.js';

const N = Math.max(1, Number(process.env.BENCH_AB_N ?? 3) || 3);
const A_ROOT = process.env.BENCH_AB_A ? resolve(process.env.BENCH_AB_A) : '';
const B_ROOT = join(projectRoot(), 'dist', 'web');
const ALL_PAGES: [Who, string][] = [
  ['admin', '/cameras'], ['admin', '/organisations'], ['admin', '/users'], ['admin', '/profiles'],
  ['operator', '/live'], ['operator', '/playback'], ['operator', '/health'], ['operator', '/access-requests'],
  ['supervisor', '/coverage'], ['supervisor', '/map'], ['supervisor', '/audit'], ['supervisor', '/filings'], ['supervisor', '/compliance'],
];
const only = process.env.BENCH_AB_PAGES?.split(',');
const PAGES = only ? ALL_PAGES.filter(([, p]) => only.includes(p)) : ALL_PAGES;
const SIGN_IN = '/ (sign-in, cold)';

type Who = 'admin' | 'operator' | 'supervisor';
type Variant = 'A' | 'B';

const rank = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
};

interface Side { server: RunningServer; tabs: Map<Who, Page> }

async function people(server: RunningServer): Promise<Record<Who, Person>> {
  await seedDemo(server.ctx, 8, '127.0.0.1', 8554);
  const city = (await server.ctx.registry.organisations.list()).find((o) => o.level === 'city')!.id;
  return {
    admin: await server.person('bench-admin', [['system_administrator', null]]),
    operator: await server.person('bench-operator', [['duty_operator', city]]),
    supervisor: await server.person('bench-supervisor', [['supervisor', city]]),
  };
}

async function signedInTabs(browser: Browser, server: RunningServer, who: Record<Who, Person>): Promise<Map<Who, Page>> {
  const tabs = new Map<Who, Page>();
  for (const [k, p] of Object.entries(who) as [Who, Person][]) {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(context, server, p);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    // Every page once: the HTTP cache holds the console's files, as after a day's first pages.
    for (const [w, path] of PAGES) {
      if (w !== k) continue;
      await page.goto(`${server.url}${path}`);
      await waitForTrue(page, READY, { timeout: 60_000 });
    }
    tabs.set(k, page);
  }
  return tabs;
}

async function coldSignIn(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  try {
    const page = await context.newPage();
    const start = performance.now();
    await page.goto(`${url}/`);
    await waitForTrue(page, `!!document.querySelector('form input[type=password]')`, { timeout: 30_000 });
    return performance.now() - start;
  } finally {
    await context.close();
  }
}

await runBench('console-ab', async (run) => {
  if (!A_ROOT || !existsSync(join(A_ROOT, 'index.html'))) throw new Error('BENCH_AB_A must name the folder of build A (a copy of an earlier dist/web, with its index.html)');
  const load0 = loadAverage();
  const sides = await run.phase('start', 240, async () => {
    ensureWebBuilt();
    const a = await startTestServer({}, { webRoot: A_ROOT });
    run.onCleanup('stop server A', () => a.close());
    const b = await startTestServer({}, { webRoot: B_ROOT });
    run.onCleanup('stop server B', () => b.close());
    return { A: a, B: b };
  });
  const who = await run.phase('seed', 240, async () => ({ A: await people(sides.A), B: await people(sides.B) }));
  const browser = await run.phase('browser', 60, () => launchBrowser());
  run.onCleanup('close Chromium', () => browser.close());
  const side: Record<Variant, Side> = await run.phase('warm', 600, async () => ({
    A: { server: sides.A, tabs: await signedInTabs(browser, sides.A, who.A) },
    B: { server: sides.B, tabs: await signedInTabs(browser, sides.B, who.B) },
  }));
  const samples: Record<Variant, Map<string, number[]>> = { A: new Map(), B: new Map() };
  const add = (v: Variant, k: string, ms: number) => samples[v].set(k, [...(samples[v].get(k) ?? []), ms]);
  await run.phase('loads', 1200, async () => {
    for (let i = 0; i < N; i++) {
      const order: Variant[] = i % 2 ? ['B', 'A'] : ['A', 'B'];
      for (const v of order) add(v, SIGN_IN, await coldSignIn(browser, side[v].server.url));
      for (const [w, path] of PAGES) {
        for (const v of order) {
          const page = side[v].tabs.get(w)!;
          const start = performance.now();
          await page.goto(`${side[v].server.url}${path}`);
          await waitForTrue(page, READY, { timeout: 30_000 });
          add(v, path, performance.now() - start);
        }
      }
    }
  });
  const load1 = loadAverage();
  console.log(`\nConsole A/B in one run, ${N} loads a page and build, alternating; A ${A_ROOT}, B dist/web; load average ${load0} → ${load1}`);
  console.log(`${'page'.padEnd(20)}${'A p50'.padStart(8)}${'B p50'.padStart(8)}${'A p95'.padStart(8)}${'B p95'.padStart(8)}   (ms)`);
  const perPage: Record<string, { aP50Ms: number; bP50Ms: number; aP95Ms: number; bP95Ms: number }> = {};
  for (const k of samples.A.keys()) {
    const a = samples.A.get(k)!;
    const b = samples.B.get(k)!;
    perPage[k] = { aP50Ms: Math.round(rank(a, 0.5)), bP50Ms: Math.round(rank(b, 0.5)), aP95Ms: Math.round(rank(a, 0.95)), bP95Ms: Math.round(rank(b, 0.95)) };
    const f = perPage[k]!;
    console.log(`${k.padEnd(20)}${String(f.aP50Ms).padStart(8)}${String(f.bP50Ms).padStart(8)}${String(f.aP95Ms).padStart(8)}${String(f.bP95Ms).padStart(8)}`);
  }
  const pagesOf = (v: Variant) => [...samples[v]].filter(([k]) => k !== SIGN_IN).flatMap(([, xs]) => xs);
  const [a, b] = [pagesOf('A'), pagesOf('B')];
  console.log(`${'all pages'.padEnd(20)}${rank(a, 0.5).toFixed(0).padStart(8)}${rank(b, 0.5).toFixed(0).padStart(8)}${rank(a, 0.95).toFixed(0).padStart(8)}${rank(b, 0.95).toFixed(0).padStart(8)}`);
  run.result.loadsPerPage = N;
  run.result.aPageLoadP50Ms = Math.round(rank(a, 0.5));
  run.result.bPageLoadP50Ms = Math.round(rank(b, 0.5));
  run.result.aPageLoadP95Ms = Math.round(rank(a, 0.95));
  run.result.bPageLoadP95Ms = Math.round(rank(b, 0.95));
  run.result.pages = perPage;
  run.result.load = [load0, load1];
});
