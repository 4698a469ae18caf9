// The health page in Chromium against the real server: today's rates per region against the
// Harbin good-rate target with its article, the weekly trend chart (all, then one region), a work order with its
// deadline article, and an alarm arriving on the live event stream then acknowledged.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, startTestServer, watchPageErrors, type RunningServer, waitForTrue } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let errors: string[];
let cameraId: number;
const shots = mkdtempSync(join(tmpdir(), 'vigil-health-shots-'));

describe('health page in Chromium', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const org = async (body: Record<string, unknown>) => {
      const r = await server.api<{ id: number }>('POST', '/organisations', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id;
    };
    const city = await org({ kind: 'platform', name: '哈尔滨市', nameEn: 'Harbin', level: 'city', regionCode: '230100', profileId: 'harbin' });
    const unit = await org({ kind: 'unit', name: '维护公司', nameEn: 'Upkeep Co', unitRoles: ['maintainer', 'user'], parentId: city });
    const cam = await server.api<{ id: number }>('POST', '/cameras', {
      gbId: '23010000001320000001', name: '中央大街', deviceType: 'dome', address: '中央大街1号', placeCategory: server.ctx.rules.mandatoryCategories('harbin')[0]!.id, keyPosition: false,
      regionId: city, ownerUnitId: unit, userUnitId: unit, maintainerUnitId: unit, funding: 'government', signage: true, status: 'in_service', inServiceDate: '2026-01-01',
    });
    expect(cam.status, JSON.stringify(cam.body)).toBe(201);
    cameraId = cam.body.id;
    const order = await server.api('POST', '/work-orders', { cameraId, cause: 'municipal_damage', note: 'road works cut the cable' });
    expect(order.status, JSON.stringify(order.body)).toBe(201);
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    await signInContext(context, server, await server.person('operator', [['unit_administrator', null]], { displayName: 'Operator' }));
    page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    errors = watchPageErrors(page);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('shows the region against the 95 % good-rate target with its article, and the trend chart', async () => {
    await page.goto(`${server.url}/health`);
    const row = page.locator('[data-testid="health-rates-table"] tr', { hasText: '哈尔滨市' });
    await row.waitFor();
    // The camera has never streamed: online 0 %, good 0 %, so the target is missed.
    expect(await row.locator('[data-testid="target-verdict"]').innerText()).toMatch(/95\.0 %/);
    expect(await row.locator('[data-testid="articles"]').innerText()).toContain('HRB-25(3)');
    await page.locator('[data-testid="trend-chart"]').waitFor();
    expect(await page.locator('[data-testid="trend-target"]').count()).toBe(1);
    // The trend of one region: asked of the server by region, Harbin's target line kept.
    const scoped = page.waitForResponse((r) => r.url().includes('/health/trends') && r.url().includes('regionId='));
    await page.getByTestId('trend-scope').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '哈尔滨市' }).click();
    expect((await scoped).status()).toBe(200);
    await page.locator('[data-testid="trend-chart"]').waitFor();
    expect(await page.locator('[data-testid="trend-target"]').count()).toBe(1);
    await page.screenshot({ path: join(shots, 'rates.png'), fullPage: true });
  });

  it('lists the work order with its 72 h deadline article, opens it and shows the refusal to close without a passing sample', async () => {
    await page.locator('.ant-tabs-tab').nth(1).click();
    const row = page.locator('[data-testid="work-orders-table"] tbody tr', { hasText: '中央大街' });
    await row.waitFor();
    expect(await row.innerText()).toContain('HRB-30');
    await row.click();
    const detail = page.locator('[data-testid="work-order-detail"]');
    await detail.waitFor();
    expect(await detail.innerText()).toContain('road works cut the cable');
    // The camera has no source: the fresh sample is a signal loss, so the server refuses to close.
    await page.locator('[data-testid="close-order"]').click();
    const refusal = page.locator('[data-testid="close-refusal"]');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('signal_loss');
    const order = await server.api<{ items: { state: string }[] }>('GET', `/work-orders?cameraId=${cameraId}`);
    expect(order.body.items.map((o) => o.state)).toEqual(['open']);
    await page.screenshot({ path: join(shots, 'refusal.png'), fullPage: true });
    await page.locator('.ant-drawer-close').click();
  });

  it('shows an alarm raised while the page is open and acknowledges it', async () => {
    await page.locator('.ant-tabs-tab').nth(2).click();
    await waitForTrue(page, `document.querySelector('[data-testid="event-stream-state"] .ant-badge-status-success') !== null`);
    const raised = await server.ctx.health.alarms.raise({ kind: 'finding', severity: 'warning', camera_id: cameraId, organisation_id: null, title: 'Live test alarm', detail: {} });
    const row = page.locator('[data-testid="alarms-table"] tbody tr', { hasText: 'Live test alarm' });
    await row.waitFor();
    await row.locator(`[data-testid="ack-${raised.id}"]`).click();
    await row.locator(`[data-testid="ack-${raised.id}"]`).waitFor({ state: 'detached' });
    const stored = await server.api<{ items: { id: number; acknowledgedAt: number | null }[] }>('GET', '/alarms');
    expect(stored.body.items.find((a) => a.id === raised.id)?.acknowledgedAt).not.toBeNull();
    await page.screenshot({ path: join(shots, 'alarms.png'), fullPage: true });
    // The one failed request is the refused close (422), which the drawer shows.
    expect(errors.filter((e) => !e.includes('422'))).toEqual([]);
  });

  it('lists a force-majeure mark proposed by someone else and lets a second person confirm it (HRB-25(3))', async () => {
    const cam = await server.api<{ createdAt: number }>('GET', `/cameras/${cameraId}`);
    const to = Date.now() - 1000;
    const proposed = await server.api<{ id: number }>('POST', `/cameras/${cameraId}/force-majeure`, { from: cam.body.createdAt, to: Math.max(cam.body.createdAt + 1, to), reason: '暴雪压断线路' });
    expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
    await page.locator('.ant-tabs-tab', { hasText: '不可抗力' }).click();
    const row = page.locator('[data-testid="fm-table"] tbody tr', { hasText: '暴雪压断线路' });
    await row.waitFor();
    expect(await row.innerText()).toContain('HRB-25(3)');
    expect(await row.locator('[data-testid="fm-state"]').innerText()).toBe('待确认');
    await row.locator('[data-testid="fm-confirm"]').click();
    await row.locator('[data-testid="fm-confirm"]').waitFor({ state: 'detached' });
    expect(await row.locator('[data-testid="fm-state"]').innerText()).toBe('已确认');
    const stored = await server.api<{ items: { id: number; confirmedBy: number | null }[] }>('GET', '/force-majeure');
    expect(stored.body.items.find((m) => m.id === proposed.body.id)?.confirmedBy).not.toBeNull();
    await page.screenshot({ path: join(shots, 'force-majeure.png'), fullPage: true });
    expect(errors.filter((e) => !e.includes('422'))).toEqual([]);
  });
});
