// One page load of the console, taken apart (issue 20's page-load goal): what the browser's main
// thread spent (script, style, layout: Chromium's Performance.getMetrics over the load) and each
// request from navigation to the content on screen, in order, with its start and end. Pages are
// `BENCH_PROFILE_PAGES` (default "/live,/cameras,/profiles"), each loaded warm (after a first load)
// by the demo's operator or administrator, as bench:console does. Run: npx tsx bench/console-profile.ts
import { loadavg } from 'node:os';
import { seedDemo } from '../src/services/demo.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue } from '../test/support/browser.js';
import { READY } from './console-ready.js';

const pages = (process.env.BENCH_PROFILE_PAGES ?? '/live,/cameras,/profiles').split(',');
ensureWebBuilt();
const server = await startTestServer();
try {
  await seedDemo(server.ctx, 8, '127.0.0.1', 8554);
  const city = (await server.ctx.registry.organisations.list()).find((o) => o.level === 'city')!.id;
  const people = {
    admin: await server.person('profile-admin', [['system_administrator', null]]),
    operator: await server.person('profile-operator', [['duty_operator', city]]),
  };
  const browser = await launchBrowser();
  try {
    for (const path of pages) {
      const who = ['/live', '/playback', '/health', '/access-requests'].includes(path) ? people.operator : people.admin;
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      await signInContext(context, server, who);
      const page = await context.newPage();
      await page.goto(`${server.url}${path}`);
      await waitForTrue(page, READY, { timeout: 30_000 });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')).metrics).map((m) => [m.name, m.value]));
      const requests: { url: string; start: number; end?: number }[] = [];
      const t0 = performance.now();
      page.on('request', (r) => requests.push({ url: r.url().replace(server.url, ''), start: performance.now() - t0 }));
      page.on('requestfinished', (r) => {
        const e = requests.find((x) => x.url === r.url().replace(server.url, '') && x.end === undefined);
        if (e) e.end = performance.now() - t0;
      });
      const before = await metrics();
      await page.goto(`${server.url}${path}`);
      await waitForTrue(page, READY, { timeout: 30_000 });
      const ready = performance.now() - t0;
      const after = await metrics();
      const d = (k: string) => ((after[k]! - (k in before && after[k]! >= before[k]! ? before[k]! : 0)) * 1000).toFixed(0);
      console.log(`\n${path}: content ready at ${ready.toFixed(0)} ms (load average ${loadavg()[0]!.toFixed(2)})`);
      console.log(`  main thread: script ${d('ScriptDuration')} ms, style ${d('RecalcStyleDuration')} ms, layout ${d('LayoutDuration')} ms, all tasks ${d('TaskDuration')} ms`);
      for (const r of requests.filter((x) => x.start <= ready)) console.log(`  ${r.start.toFixed(0).padStart(6)} → ${(r.end?.toFixed(0) ?? '…').padStart(6)}  ${r.url.slice(0, 110)}`);
      await context.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await server.close();
}
