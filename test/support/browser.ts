// Real-browser support: Debian's Chromium driven by playwright-core (never a downloaded
// browser), the real API server over a fresh SQLite database, and the built console. The API
// needs a sign-in: tests call it with an administrator's API token, create people with roles,
// and sign a browser context in through POST /auth/login like the console does.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { INITIAL_ADMIN_FILE } from '../../src/access/first-run.js';
import { ROLE_PERMISSIONS, type Role } from '../../src/access/permissions.js';
import { base32Decode, totp, TOTP_STEP_SECONDS } from '../../src/access/totp.js';
import { loadConfig } from '../../src/config/config.js';
import { projectRoot } from '../../src/project-root.js';
import { startApiService, type ApiServiceOptions } from '../../src/services/api.service.js';
import { openContext, type Context } from '../../src/services/context.js';
import { TEST_CAMERA_NETWORKS, TEST_MEDIA_ROOTS } from './sources.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`Chromium is not installed at ${CHROMIUM_PATH} (Debian package "chromium")`);
  const browser = await chromium.launch({
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
  // Two cores shared with ffmpeg, PostgreSQL and the recorder: give each page action time to
  // complete under load (playwright's default is 30 s for navigation but tests set 10 s often).
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(ACTION_TIMEOUT_MS);
    return context;
  };
  return browser;
}

declare global {
  // One Chromium per test worker, kept from one test file to the next (vitest.config.ts: isolate off).
  var vigilChromium: Promise<Browser> | undefined;
}

/**
 * A Chromium for a test file or a benchmark. Under vitest, test files share one Chromium per
 * worker (a launch costs seconds on a busy machine) and each file gets a handle whose contexts
 * are its own: nothing of a file's pages, cookies or storage reaches the next file, and the
 * handle's close() closes the file's contexts, not the browser. A benchmark gets a browser of its
 * own, closed by close().
 */
export async function launchBrowser(): Promise<Browser> {
  if (!process.env.VITEST) return launchChromium();
  let shared = await (globalThis.vigilChromium ??= launchChromium());
  if (!shared.isConnected()) shared = await (globalThis.vigilChromium = launchChromium());
  const contexts = new Set<BrowserContext>();
  const track = (context: BrowserContext) => {
    contexts.add(context);
    context.once('close', () => contexts.delete(context));
    return context;
  };
  return new Proxy(shared, {
    get(target, key, receiver) {
      if (key === 'newContext') return async (options?: Parameters<Browser['newContext']>[0]) => track(await target.newContext(options));
      if (key === 'newPage') {
        return async (options?: Parameters<Browser['newPage']>[0]) => {
          const page = await target.newPage(options);
          track(page.context());
          return page;
        };
      }
      if (key === 'contexts') return () => [...contexts];
      if (key === 'close') return async () => void (await Promise.all([...contexts].map((c) => c.close().catch(() => undefined))));
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** How long a page action may wait before it fails. */
export const ACTION_TIMEOUT_MS = 60_000;

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
  const sources = [join(root, 'web', 'src'), join(root, 'web', 'index.html'), join(root, 'web', 'vite.config.ts'), join(root, 'web', 'precompress.ts'), join(root, 'web', 'antd-styles.ts'), join(root, 'web', 'route-preloads.ts')];
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

export interface Person {
  id: number;
  login: string;
  password: string;
  workId: string | null;
  displayName: string;
}

export interface RunningServer {
  url: string;
  ctx: Context;
  dataDir: string;
  /** The first-run administrator's password, as written to <dataDir>/initial-admin-password. */
  initialAdminPassword: string;
  /** Calls /api/v1 with a platform-wide administrator's API token (registry and accounts). */
  api<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: T }>;
  /** A person with a password and roles within organisations (null: the whole platform). */
  person(login: string, grants: [Role, number | null][], opts?: { workId?: string; displayName?: string; organisationId?: number | null }): Promise<Person>;
  close(): Promise<void>;
}

/** The real API role on a free loopback port, over a fresh SQLite database in a temp folder. */
export async function startTestServer(env: Record<string, string> = {}, options: ApiServiceOptions = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-web-'));
  // Under vitest the default database is a copy of the run's migrated template (the migration
  // finds nothing to do); a benchmark's server migrates its own.
  if (!env.VIGIL_DATABASE_URL && process.env.VITEST) (await import('./databases.js')).freshSqliteUrl(join(dataDir, 'vigil.db'));
  const config = loadConfig({
    // The tests' cameras (simulator, files in the temporary folder) are allowed explicitly, as a deployment names its own.
    env: { VIGIL_DATA_DIR: dataDir, VIGIL_HOST: '127.0.0.1', VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'warn', VIGIL_CAMERA_NETWORKS: TEST_CAMERA_NETWORKS.join(','), VIGIL_MEDIA_DIR: TEST_MEDIA_ROOTS.join(','), ...env },
    cwd: dataDir,
  });
  const ctx = await openContext(config);
  let server: { url: string; close(): Promise<void> };
  try {
    server = await startApiService(ctx, options);
  } catch (e) {
    await ctx.close();
    throw e;
  }
  const initialAdminPassword = readFileSync(join(dataDir, INITIAL_ADMIN_FILE), 'utf8').trim();
  // The tests' own administrator works through a token: an API token needs no second factor.
  const { user } = await ctx.access.users.create(null, { login: 'test-setup', displayName: 'Test setup', password: randomBytes(12).toString('hex') });
  await ctx.access.users.grant(null, user.id, 'system_administrator', null);
  const { token } = await ctx.access.users.createToken(null, user.id, {
    name: 'browser tests',
    permissions: [...ROLE_PERMISSIONS.system_administrator],
    organisationId: null,
    expiresInDays: 1,
  });
  const api = async <T,>(method: string, path: string, body?: unknown, contentType = 'application/json') => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = contentType;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const res = await fetch(`${server.url}/api/v1${path}`, { method, headers, body: payload });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  return {
    url: server.url,
    ctx,
    dataDir,
    initialAdminPassword,
    api,
    async person(login, grants, opts = {}) {
      const password = `pw-${randomBytes(9).toString('hex')}`;
      const displayName = opts.displayName ?? login;
      const { user: u } = await ctx.access.users.create(null, { login, displayName, workId: opts.workId ?? null, organisationId: opts.organisationId ?? grants[0]?.[1] ?? null, password });
      for (const [role, org] of grants) await ctx.access.users.grant(null, u.id, role, org);
      return { id: u.id, login, password, workId: opts.workId ?? null, displayName };
    },
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

/**
 * Waits for `expected` to show, or fails at once with the words of an error the console showed
 * instead (a notification, a form field's message, an error alert): a refused request then names itself rather
 * than running out the action's time with nothing to go on.
 */
export async function waitOrConsoleError(page: Page, expected: Locator): Promise<void> {
  const error = page.locator('.ant-notification-notice-error, .ant-form-item-explain-error, .ant-alert-error').first();
  const shown = await Promise.race([expected.waitFor().then(() => 'expected' as const), error.waitFor().then(() => 'error' as const)]);
  if (shown === 'error') throw new Error(`the console showed an error instead: ${(await error.innerText()).replace(/\s+/g, ' ')}`);
}

/**
 * A page of its own context signed in as `p`, the console switched to English as a person would
 * (its saved language), its script errors watched. The context joins `contexts` for closing.
 */
export async function signedInEnglishPage(
  browser: Browser,
  server: RunningServer,
  p: Person,
  contexts: BrowserContext[],
  o: { viewport?: { width: number; height: number }; acceptDownloads?: boolean } = {},
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: o.viewport ?? { width: 1440, height: 1000 }, locale: 'en-US', ...(o.acceptDownloads ? { acceptDownloads: true } : {}) });
  contexts.push(context);
  await context.addInitScript("window.localStorage.setItem('vigil.language', 'en')");
  await signInContext(context, server, p);
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return { page, errors: watchPageErrors(page) };
}

/** The code an authenticator app shows for a base32 secret, `stepsAhead` 30-second steps from now. */
export function totpCode(secret: string, stepsAhead = 0): string {
  return totp(base32Decode(secret), Date.now() + stepsAhead * TOTP_STEP_SECONDS * 1000);
}

/**
 * The newest 30-second step whose code each person has used (a code is good once, and never an
 * older one), by server and person: a worker runs many files, each with its own server whose
 * person 2 is someone else.
 */
const usedSteps = new Map<string, number>();

/**
 * A code the server has not yet seen for this person: the earliest step inside the accepted drift
 * (±1 step) after the last one used, waiting for the next step when all three are spent. The same
 * person signing in several times within one step (tests do) thus never replays a code.
 */
async function freshTotpCode(person: string, secret: string): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / (TOTP_STEP_SECONDS * 1000));
    const last = usedSteps.get(person) ?? -Infinity;
    const step = [now - 1, now, now + 1].find((s) => s > last);
    if (step !== undefined) {
      usedSteps.set(person, step);
      return totpCode(secret, step - now);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** The enrolled second-factor secret of a person, opened by the server (it is sealed at rest). */
export async function totpSecretOf(server: RunningServer, userId: number): Promise<string | null> {
  return server.ctx.access.accounts.enrolledTotpSecret(userId);
}

/**
 * Signs a browser context in as `p` through POST /auth/login, as the console would; the session
 * cookie lands in the context. An enrolled person's code goes with the password (a sign-in
 * failure never says a code was missing); one whose role needs a second factor and has none
 * enrols it here, as the enrolment page would.
 */
export async function signInContext(context: BrowserContext, server: Pick<RunningServer, 'url'> & Partial<Pick<RunningServer, 'ctx'>>, p: Person): Promise<void> {
  const base = `${server.url}/api/v1`;
  const login = (data: Record<string, string>) => context.request.post(`${base}/auth/login`, { data, failOnStatusCode: false });
  const secret = server.ctx ? await server.ctx.access.accounts.enrolledTotpSecret(p.id) : null;
  const person = `${server.url}#${p.id}`;
  if (server.ctx) {
    // Codes the test typed elsewhere (officers confirming, enrolment) count as used too.
    const last = (await server.ctx.repos.accounts.userById(p.id))?.totp_last_step ?? null;
    if (last !== null && last > (usedSteps.get(person) ?? -Infinity)) usedSteps.set(person, last);
  }
  const res = await login({ login: p.login, password: p.password, ...(secret ? { totp: await freshTotpCode(person, secret) } : {}) });
  if (res.status() !== 200) throw new Error(`sign-in of ${p.login} failed: ${res.status()} ${await res.text()}`);
  const me = (await res.json()) as { stage: string; csrfToken: string };
  if (me.stage === 'enrol') {
    const headers = { 'x-csrf-token': me.csrfToken };
    const { secret: fresh } = (await (await context.request.post(`${base}/auth/totp/enrol`, { headers })).json()) as { secret: string };
    const done = await context.request.post(`${base}/auth/totp/confirm`, { headers, data: { code: totpCode(fresh) } });
    if (done.status() !== 204) throw new Error(`enrolment of ${p.login} failed: ${done.status()} ${await done.text()}`);
    usedSteps.set(person, Math.floor(Date.now() / (TOTP_STEP_SECONDS * 1000)));
  } else if (me.stage !== 'full') {
    throw new Error(`${p.login} cannot finish signing in: stage ${me.stage}`);
  }
}

/**
 * Enrols a second factor for someone whose role requires one, through the API as the enrolment
 * page does (sign in → enrol → confirm the first code), then signs the context out.
 */
export async function enrolThroughApi(context: BrowserContext, server: RunningServer, p: Person): Promise<string> {
  const base = `${server.url}/api/v1`;
  const res = await context.request.post(`${base}/auth/login`, { data: { login: p.login, password: p.password } });
  const me = (await res.json()) as { stage: string; csrfToken: string };
  if (me.stage !== 'enrol') throw new Error(`${p.login} is not waiting to enrol (stage ${me.stage})`);
  const headers = { 'x-csrf-token': me.csrfToken };
  const { secret } = (await (await context.request.post(`${base}/auth/totp/enrol`, { headers })).json()) as { secret: string };
  const done = await context.request.post(`${base}/auth/totp/confirm`, { headers, data: { code: totpCode(secret) } });
  if (done.status() !== 204) throw new Error(`enrolment of ${p.login} failed: ${done.status()} ${await done.text()}`);
  await context.request.post(`${base}/auth/logout`, { headers });
  return secret;
}

/** The CSRF token of the context's session, for unsafe requests made outside the console. */
export async function csrfOf(context: BrowserContext, server: RunningServer): Promise<string> {
  const me = (await (await context.request.get(`${server.url}/api/v1/auth/me`)).json()) as { csrfToken: string };
  return me.csrfToken;
}

/**
 * Waits until a JavaScript expression is true in the page. Playwright runs a string predicate
 * through eval() inside the page, which the console's CSP (no 'unsafe-eval') refuses; a function
 * is sent as source through the DevTools protocol, which CSP does not govern. The expression
 * stays a string because Node's tsconfig has no DOM types.
 */
export function waitForTrue(page: Page, expression: string, options?: { timeout?: number }) {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- built in Node, sent as source
  return page.waitForFunction(new Function(`return (${expression});`) as () => boolean, undefined, options);
}

/** 64×36 luma (0–255) of the first video matching `selector` on `page`, or null before its first picture. */
export const videoLumaGrid = (page: Page, selector: string) =>
  page.evaluate(`(() => {
    const v = document.querySelector(${JSON.stringify(selector)});
    if (!v || v.readyState < 2 || !v.videoWidth) return null;
    const c = document.createElement('canvas'); c.width = 64; c.height = 36;
    const x = c.getContext('2d', { willReadFrequently: true }); x.drawImage(v, 0, 0, 64, 36);
    const d = x.getImageData(0, 0, 64, 36).data; const out = [];
    for (let i = 0; i < d.length; i += 4) out.push(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]);
    return out;
  })()`) as Promise<number[] | null>;

/**
 * A picture that is not black, then one that differs from it in over 20 of its 64×36 points:
 * the video at `selector` moves. Judged by the pictures, however long a busy machine takes.
 */
export async function videoMoves(page: Page, selector: string, what: string): Promise<void> {
  const mean = (p: number[]) => p.reduce((a, b) => a + b, 0) / p.length;
  let a: number[] | null = null;
  await pollUntil(`${what}: a picture`, async () => (a = await videoLumaGrid(page, selector)) !== null && mean(a) > 40);
  let b: number[] | null = null;
  await pollUntil(`${what}: the picture moving`, async () => (b = await videoLumaGrid(page, selector)) !== null && a!.filter((v, i) => Math.abs(v - b![i]!) > 12).length > 20, 300);
}

/** Asks `ok` every 100 ms, `tries` times at most (a guard against a hang, not a goal), naming `what` if it never holds. */
export async function pollUntil(what: string, ok: () => boolean | Promise<boolean>, tries = 600): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Mean luma (0–255) of the video at `selector` on `page`, scaled to 64×36; -1 before its first picture. */
export const videoLuma = (page: Page, selector: string) =>
  page.evaluate(`(() => {
    const v = document.querySelector(${JSON.stringify(selector)});
    if (!v || v.readyState < 2 || !v.videoWidth) return -1;
    const c = document.createElement('canvas'); c.width = 64; c.height = 36;
    const x = c.getContext('2d', { willReadFrequently: true }); x.drawImage(v, 0, 0, 64, 36);
    const d = x.getImageData(0, 0, 64, 36).data; let s = 0;
    for (let i = 0; i < d.length; i += 4) s += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
    return s / (64 * 36);
  })()`) as Promise<number>;
