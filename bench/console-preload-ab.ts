// The page's modulepreload links (src/api/plugins/console.ts, web/route-preloads.ts), A/B in one
// run: each page load of a signed-in person is made with the links the server wrote (B) or with
// them taken out of the page (A), alternating, so both see the same machine at the same moment
// (on a busy machine two runs minutes apart do not). Both pass through the same interception.
// Each load starts with nothing cached of the page's own modules in the renderer's memory (a new
// tab) but with the browser's HTTP cache warm, as a day's later page loads are.
// Run: BENCH_AB_N=4 npx tsx bench/console-preload-ab.ts (BENCH_AB_PAGES, default four heavy pages).
import { loadavg } from 'node:os';
import { seedDemo } from '../src/services/demo.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue } from '../test/support/browser.js';
import { READY } from './console-ready.js';

const N = Math.max(1, Number(process.env.BENCH_AB_N ?? 4) || 4);
const pages = (process.env.BENCH_AB_PAGES ?? '/cameras,/profiles,/coverage,/organisations').split(',');
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const rank = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]!;

ensureWebBuilt();
const server = await startTestServer();
const load0 = loadavg()[0]!;
const ms: Record<'A' | 'B', Map<string, number[]>> = { A: new Map(), B: new Map() };
try {
  await seedDemo(server.ctx, 8, '127.0.0.1', 8554);
  const admin = await server.person('ab-admin', [['system_administrator', null]]);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(context, server, admin);
    let variant: 'A' | 'B' = 'B';
    await context.route((url) => url.origin === server.url && !url.pathname.startsWith('/api/') && !url.pathname.startsWith('/assets/'), async (route) => {
      const res = await route.fetch();
      const html = await res.text();
      await route.fulfill({ response: res, body: variant === 'A' ? html.replace(/<link rel="modulepreload" crossorigin href="\/assets\/[^"]+" nonce="[^"]+">(?=(<link rel="modulepreload"[^>]*>)*<\/head>)/g, '') : html });
    });
    // Warm the HTTP cache with every page once.
    const warm = await context.newPage();
    for (const p of pages) {
      await warm.goto(`${server.url}${p}`);
      await waitForTrue(warm, READY, { timeout: 60_000 });
    }
    await warm.close();
    for (let i = 0; i < N; i++) {
      for (const p of pages) {
        for (const v of (i % 2 ? ['A', 'B'] : ['B', 'A']) as ('A' | 'B')[]) {
          variant = v;
          const page = await context.newPage();
          const start = performance.now();
          await page.goto(`${server.url}${p}`);
          await waitForTrue(page, READY, { timeout: 60_000 });
          const t = performance.now() - start;
          if (v === 'B' && i === 0) {
            const links = (await page.evaluate(`document.querySelectorAll('link[rel=modulepreload]').length`)) as number;
            if (links < 3) throw new Error(`${p}: the page has ${links} modulepreload links; is dist/web/route-preloads.json there?`);
          }
          ms[v].set(p, [...(ms[v].get(p) ?? []), t]);
          await page.close();
        }
      }
    }
  } finally {
    await browser.close();
  }
} finally {
  await server.close();
}
const load1 = loadavg()[0]!;
console.log(`\nmodulepreload links A (taken out) / B (as served), ${N} loads each a page, alternating; load average ${load0.toFixed(2)} → ${load1.toFixed(2)}`);
console.log(`${'page'.padEnd(16)}${'A p50'.padStart(8)}${'B p50'.padStart(8)}${'A max'.padStart(8)}${'B max'.padStart(8)}`);
const result: Record<string, unknown> = {};
for (const p of pages) {
  const a = ms.A.get(p)!;
  const b = ms.B.get(p)!;
  console.log(`${p.padEnd(16)}${median(a).toFixed(0).padStart(8)}${median(b).toFixed(0).padStart(8)}${Math.max(...a).toFixed(0).padStart(8)}${Math.max(...b).toFixed(0).padStart(8)}`);
  result[p] = { aP50Ms: Math.round(median(a)), bP50Ms: Math.round(median(b)) };
}
const all = (v: 'A' | 'B') => [...ms[v].values()].flat();
console.log(`${'all'.padEnd(16)}${median(all('A')).toFixed(0).padStart(8)}${median(all('B')).toFixed(0).padStart(8)}   p95 A ${rank(all('A'), 0.95).toFixed(0)} B ${rank(all('B'), 0.95).toFixed(0)}`);
console.log(JSON.stringify({ bench: 'console-preload-ab', loads: N, aP50Ms: Math.round(median(all('A'))), bP50Ms: Math.round(median(all('B'))), aP95Ms: Math.round(rank(all('A'), 0.95)), bP95Ms: Math.round(rank(all('B'), 0.95)), pages: result, load: [Number(load0.toFixed(2)), Number(load1.toFixed(2))] }));
