// The approver's day (issue 20, items 2 and 3), in real Chromium against the real server: a
// request two officers have confirmed waits for the custodian's head; the head lands on the
// requests after signing in, the header's to-do counts it and leads there, and the request shows
// its camera by name and the officers by name and unit, not "#1" and bare work IDs; before deciding
// the head plays the requested footage back in the request itself (the preview).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, csrfOf, ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { scanLanguage } from '../support/language-scan.js';
import { PageTimings } from '../support/page-timing.js';
import { recordFootage } from '../evidence/footage.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let approver: Person;
let requestId: number;
const timings = new PageTimings();
const shots = mkdtempSync(join(tmpdir(), 'vigil-approver-shots-'));
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function created(r: Promise<{ status: number; body: unknown }>): Promise<number> {
  const res = await r;
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: number }).id;
}

async function contextOf(p: Person): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  contexts.push(context);
  await signInContext(context, server, p);
  return context;
}

async function pageOf(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  errors.push(...watchPageErrors(page));
  return page;
}

describe('the approver decides with names, not numbers', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await created(server.api('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' }));
    const shushan = await created(server.api('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city, regionCode: '340104' }));
    const station = await created(server.api('POST', '/organisations', { kind: 'platform', name: '三里庵派出所', nameEn: 'Sanli\'an station', level: 'station', parentId: shushan }));
    const cam = await created(server.api('POST', '/cameras', { gbId: '34010400001320000001', name: '蜀山示范中学东门', deviceType: 'fixed', address: '合肥市', placeCategory: 'schools', regionId: shushan, funding: 'self', signage: true }));
    const officers = [
      await server.person('officer-a', [['investigator', station]], { workId: 'J2001', displayName: '王警官' }),
      await server.person('officer-b', [['investigator', station]], { workId: 'J2002', displayName: '赵警官' }),
    ];
    approver = await server.person('head', [['approver', shushan]], { workId: 'H3001', displayName: '蜀山区负责人' });
    browser = await launchBrowser();

    // The first officer drafts the request; both confirm with their own sign-in; it is submitted.
    const [a, b] = [await contextOf(officers[0]!), await contextOf(officers[1]!)];
    const base = `${server.url}/api/v1`;
    const ha = { 'x-csrf-token': await csrfOf(a, server) };
    const range = { from: Date.now() - 7_200_000, to: Date.now() - 3_600_000 };
    await recordFootage(server.ctx.repos, server.dataDir, cam, { startMs: range.from + 60_000, files: 2, secondsPerFile: 4, gapMs: 1000 });
    const draft = await a.request.post(`${base}/access-requests`, {
      headers: ha,
      data: {
        kind: 'copy', requesterKind: 'public-security', requestingUnit: '三里庵派出所', purpose: '盗窃案现场周边查看', destination: '办案系统',
        custodianId: shushan, cameraIds: [cam], ...range, validityHours: 24, officerWorkIds: ['J2001', 'J2002'],
      },
    });
    expect(draft.status(), await draft.text()).toBe(201);
    requestId = ((await draft.json()) as { id: number }).id;
    expect((await a.request.post(`${base}/access-requests/${requestId}/confirm`, { headers: ha })).status()).toBe(200);
    expect((await b.request.post(`${base}/access-requests/${requestId}/confirm`, { headers: { 'x-csrf-token': await csrfOf(b, server) } })).status()).toBe(200);
    expect((await a.request.put(`${base}/access-requests/${requestId}/document`, { headers: { ...ha, 'content-type': 'image/png' }, data: PNG })).status()).toBe(200);
    const submitted = await a.request.post(`${base}/access-requests/${requestId}/submit`, { headers: ha });
    expect(submitted.status(), await submitted.text()).toBe(200);
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    console.info(`approver screenshots in ${shots}\n${timings.report()}`);
  });

  it('lands the approver on the requests, with the to-do counting the one waiting', async () => {
    const page = await pageOf(await contextOf(approver));
    await timings.load(page, '/', `${server.url}/`, () => page.waitForURL(/\/access-requests$/));
    await page.getByTestId('todo-count').locator('.ant-badge-count', { hasText: '1' }).waitFor();
    await page.getByTestId('todo').click();
    expect(await page.getByTestId('todo-approve').textContent()).toBe('待您审批的申请：1 件');
    await page.screenshot({ path: join(shots, 'todo.png') });
    await page.getByTestId('todo-approve').click();

    await page.getByTestId('request-table').locator('.ant-table-row', { hasText: '盗窃案现场周边查看' }).click();
    const detail = page.getByTestId('request-detail');
    await detail.getByTestId('request-cameras').getByText('蜀山示范中学东门').waitFor();
    const officers = detail.getByTestId('request-officers');
    expect(await officers.textContent()).toContain('王警官');
    expect(await officers.textContent()).toContain('赵警官');
    expect(await officers.textContent()).toContain('三里庵派出所');
    expect(await scanLanguage(page)).toEqual({ sentences: [], missingKeys: [] });
    await page.screenshot({ path: join(shots, 'request-detail.png') });

    // Before deciding, the head watches the requested footage: the first recording in the range plays.
    await detail.getByTestId('request-preview-play').click();
    await detail.locator('[data-testid="request-preview-video"][data-state="playing"]').waitFor();
    await waitForTrue(page, `(() => { const v = document.querySelector('[data-testid="request-preview-video"]'); return v.readyState >= 2 && v.videoWidth === 320 && v.currentTime > 0; })()`);
    await page.screenshot({ path: join(shots, 'preview.png') });

    // Approving takes it off the to-do.
    await detail.getByTestId('request-approve').click();
    await detail.getByTestId('request-state').filter({ hasText: '已批准' }).waitFor();
    await page.goto(`${server.url}/access-requests`);
    await page.getByTestId('side-menu').waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.getByTestId('todo-count').locator('.ant-badge-count').count()).toBe(0);
  }, 300_000);

  it('logged no script errors', () => {
    expect(errors).toEqual([]);
  });
});
