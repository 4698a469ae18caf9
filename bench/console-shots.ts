// Screenshots of console pages, to compare the console's look before and after a change to how it
// is built or styled (issue 20: antd's styles made at build time must look as they did when made in
// the page). Pages are `BENCH_SHOTS_PAGES` (default "/,/cameras,/profiles,/audit"; "/" is the
// sign-in page, nobody signed in), each loaded by the demo's administrator until it is ready as
// bench:console counts it, then saved as <BENCH_SHOTS_DIR>/<page>.png.
// Run: BENCH_SHOTS_DIR=/some/dir npx tsx bench/console-shots.ts
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemo } from '../src/services/demo.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue } from '../test/support/browser.js';
import { READY } from './console-ready.js';

const pages = (process.env.BENCH_SHOTS_PAGES ?? '/,/cameras,/profiles,/audit').split(',');
const dir = process.env.BENCH_SHOTS_DIR;
if (!dir) throw new Error('BENCH_SHOTS_DIR must name the folder the screenshots go to');
mkdirSync(dir, { recursive: true });
ensureWebBuilt();
const server = await startTestServer();
try {
  await seedDemo(server.ctx, 8, '127.0.0.1', 8554);
  const admin = await server.person('shots-admin', [['system_administrator', null]]);
  const browser = await launchBrowser();
  try {
    for (const path of pages) {
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
      if (path !== '/') await signInContext(context, server, admin);
      const page = await context.newPage();
      await page.goto(`${server.url}${path}`);
      await waitForTrue(page, path === '/' ? `!!document.querySelector('form input[type=password]')` : READY, { timeout: 30_000 });
      // Fonts and images settle before the picture is taken; the caret does not blink into it.
      await page.evaluate('document.fonts.ready');
      await page.waitForLoadState('networkidle').catch(() => undefined);
      const file = join(dir, `${path === '/' ? 'sign-in' : path.slice(1).replace(/\//g, '_')}.png`);
      await page.screenshot({ path: file, caret: 'hide', animations: 'disabled' });
      console.log(`${path} → ${file}`);
      await context.close();
    }
  } finally {
    await browser.close();
  }
} finally {
  await server.close();
}
