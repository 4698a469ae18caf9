// One page load of the console, taken apart (issue 20's page-load goal): what the browser's main
// thread spent (CPU time, and script, style, layout: Chromium's Performance.getMetrics over the load) and each
// request from navigation to the content on screen, in order, with its start and end. Pages are
// `BENCH_PROFILE_PAGES` (default "/live,/cameras,/profiles"), each loaded warm (after a first load)
// by the demo's operator or administrator, as bench:console does (BENCH_PROFILE_WARM loads before the one measured;
// BENCH_PROFILE_TRACE=1 adds the main thread's CPU by kind of work, bench/console-trace.ts). Run: npx tsx bench/console-profile.ts
import { loadavg } from 'node:os';
import { seedDemo } from '../src/services/demo.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue } from '../test/support/browser.js';
import { READY } from './console-ready.js';
import { mainThreadSelfTime, TRACE_CATEGORIES } from './console-trace.js';

const pages = (process.env.BENCH_PROFILE_PAGES ?? '/live,/cameras,/profiles').split(',');
// BENCH_PROFILE_REPEAT=n loads each page n times and ends with each page's median main-thread CPU.
const repeat = Math.max(1, Number(process.env.BENCH_PROFILE_REPEAT ?? 1) || 1);
const warm = Math.max(1, Number(process.env.BENCH_PROFILE_WARM ?? 1) || 1);
const cpu = new Map<string, number[]>();
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
    for (const path of Array.from({ length: repeat }, () => pages).flat()) {
      const who = ['/live', '/playback', '/health', '/access-requests'].includes(path) ? people.operator : people.admin;
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      await signInContext(context, server, who);
      const page = await context.newPage();
      // BENCH_PROFILE_WARM loads first (default 1): Chromium keeps a script's compiled code from its
      // second load and uses it from the third, as a day of page loads in one tab does (bench:console).
      for (let i = 0; i < warm; i++) {
        await page.goto(`${server.url}${path}`);
        await waitForTrue(page, READY, { timeout: 30_000 });
      }
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
      // With BENCH_PROFILE_CPU=1, a sampling profile of the load: the functions that took most CPU themselves.
      const sampling = process.env.BENCH_PROFILE_CPU === '1';
      if (sampling) {
        await cdp.send('Profiler.enable');
        await cdp.send('Profiler.setSamplingInterval', { interval: 500 });
        await cdp.send('Profiler.start');
      }
      // With BENCH_PROFILE_TRACE=1, a Chromium trace of the load: the main thread's CPU by kind of work.
      const tracing = process.env.BENCH_PROFILE_TRACE === '1';
      if (tracing) await browser.startTracing(page, { categories: TRACE_CATEGORIES });
      const before = await metrics();
      await page.goto(`${server.url}${path}`);
      await waitForTrue(page, READY, { timeout: 30_000 });
      const ready = performance.now() - t0;
      const after = await metrics();
      if (tracing) {
        const t = mainThreadSelfTime(await browser.stopTracing());
        console.log(`  trace, main thread CPU ${t.total.toFixed(0)} ms: ${t.byName.slice(0, 14).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
        console.log(`  trace, scripts evaluated or compiled (ms with what they called): ${t.byScript.slice(0, 8).map(([k, v]) => `${k.replace(server.url, '')} ${v.toFixed(0)}`).join(', ')}`);
      }
      const d = (k: string) => ((after[k]! - (k in before && after[k]! >= before[k]! ? before[k]! : 0)) * 1000).toFixed(0);
      cpu.set(path, [...(cpu.get(path) ?? []), Number(d('ThreadTime'))]);
      console.log(`\n${path}: content ready at ${ready.toFixed(0)} ms (load average ${loadavg()[0]!.toFixed(2)})`);
      // ThreadTime and ProcessTime are CPU time (the main thread's, the page's renderer's): what a
      // busy machine does not inflate, unlike the durations, which are wall time.
      console.log(`  CPU: main thread ${d('ThreadTime')} ms, renderer ${d('ProcessTime')} ms; wall: script ${d('ScriptDuration')} ms, compile ${d('V8CompileDuration')} ms, style ${d('RecalcStyleDuration')} ms, layout ${d('LayoutDuration')} ms, all tasks ${d('TaskDuration')} ms`);
      // antd styles made in the page at run time: those the build's CSS file (web/antd-styles.ts) did not hold.
      const runtimeStyles = (await page.evaluate(`[...document.querySelectorAll('style[data-css-hash]')].map((s) => [s.textContent.length, s.textContent.slice(0, 60)])`)) as [number, string][];
      console.log(`  antd styles made at run time: ${runtimeStyles.length} (${(runtimeStyles.reduce((a, [n]) => a + n, 0) / 1024).toFixed(0)} kB)${runtimeStyles.map(([, head]) => `\n    ${head}`).join('')}`);
      if (sampling) {
        const { profile } = await cdp.send('Profiler.stop');
        const dt = new Map<number, number>();
        profile.samples!.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas![i] ?? 0) / 1000));
        const self = new Map<string, number>();
        for (const n of profile.nodes) {
          const f = n.callFrame;
          const where = `${f.functionName || '(anonymous)'}${f.url && f.functionName === '' ? `@${f.lineNumber + 1}` : ''} ${f.url.replace(server.url, '').replace(/^\/assets\//, '')}`;
          self.set(where, (self.get(where) ?? 0) + (dt.get(n.id) ?? 0));
        }
        const byFile = new Map<string, number>();
        for (const [k, v] of self) byFile.set(k.split(' ').at(-1) || '(native)', (byFile.get(k.split(' ').at(-1) || '(native)') ?? 0) + v);
        console.log(`  CPU by file: ${[...byFile].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
        console.log(`  CPU by function: ${[...self].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('; ')}`);
        // With what each function called: a component's render, a hook, a layout read and what it made.
        const name = (id: number) => { const f = byId.get(id)!.callFrame; return `${f.functionName || '(anonymous)'}${f.url && f.functionName === '' ? `@${f.lineNumber + 1} ${f.url.replace(/.*\/assets\//, '')}` : ''}`; };
        const byId = new Map(profile.nodes.map((n) => [n.id, n]));
        const total = new Map<string, number>();
        const walk = (id: number, open: Set<string>): number => {
          const n = byId.get(id)!;
          let t = dt.get(id) ?? 0;
          const k = name(id);
          const inner = new Set(open).add(k);
          for (const c of n.children ?? []) t += walk(c, inner);
          if (!open.has(k)) total.set(k, (total.get(k) ?? 0) + t);
          return t;
        };
        walk(profile.nodes[0]!.id, new Set());
        const skip = /^\((root|program|idle|garbage collector)\)$/;
        console.log(`  CPU with callees: ${[...total].filter(([k]) => !skip.test(k)).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.BENCH_PROFILE_TOP ?? 30)).map(([k, v]) => `${k} ${v.toFixed(0)}`).join('; ')}`);
      }
      if (process.env.BENCH_PROFILE_REQUESTS !== '0') for (const r of requests.filter((x) => x.start <= ready)) console.log(`  ${r.start.toFixed(0).padStart(6)} → ${(r.end?.toFixed(0) ?? '…').padStart(6)}  ${r.url.slice(0, 110)}`);
      await context.close();
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
    console.log(`\nMain-thread CPU per load, median of ${repeat} (ms; load average ${loadavg()[0]!.toFixed(2)}): ${[...cpu].map(([p, xs]) => `${p} ${median(xs)}`).join(', ')}`);
  } finally {
    await browser.close();
  }
} finally {
  await server.close();
}
