// Real-browser support: Debian's Chromium driven by playwright-core (never a downloaded
// browser), the real API server over a fresh SQLite database, and the built console.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { loadConfig } from '../../src/config/config.js';
import { projectRoot } from '../../src/project-root.js';
import { startApiService } from '../../src/services/api.service.js';
import { openContext, type Context } from '../../src/services/context.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH} (Debian package "chromium")`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** Builds dist/web when it is missing or older than the console's sources. */
export function ensureWebBuilt(): void {
  const root = projectRoot();
  const index = join(root, 'dist', 'web', 'index.html');
  const sources = [join(root, 'web', 'src'), join(root, 'web', 'index.html'), join(root, 'web', 'vite.config.ts')];
  const newestSource = Math.max(...sources.filter(existsSync).map(newestMtime));
  if (existsSync(index) && statSync(index).mtimeMs >= newestSource) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'], {
    cwd: root,
    // Vitest sets NODE_ENV=test, which vite would honour and build a development bundle.
    env: { ...process.env, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (r.status !== 0) throw new Error(`vite build failed (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

export interface RunningServer {
  url: string;
  ctx: Context;
  dataDir: string;
  close(): Promise<void>;
}

/** The real API role on a free loopback port, over a fresh SQLite database in a temp folder. */
export async function startTestServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-web-'));
  const config = loadConfig({
    env: { VIGIL_DATA_DIR: dataDir, VIGIL_HOST: '127.0.0.1', VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'warn', ...env },
    cwd: dataDir,
  });
  const ctx = await openContext(config);
  let server: { url: string; close(): Promise<void> };
  try {
    server = await startApiService(ctx);
  } catch (e) {
    await ctx.close();
    throw e;
  }
  return {
    url: server.url,
    ctx,
    dataDir,
    async close() {
      await server.close();
      await ctx.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Collects what the page logs as errors, so a test can fail on a broken console. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
