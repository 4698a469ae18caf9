// Access in the console, in real Chromium against the real server: an operator sees only the
// cameras of their own district (and cannot get a stream token for another's), and an access
// request goes from draft to refusal — a submission a rule refuses shows its article, each
// officer confirms with their own sign-in, and the approver refuses with a reason.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  csrfOf,
  enrolThroughApi,
  ensureWebBuilt,
  launchBrowser,
  signInContext,
  startTestServer,
  watchPageErrors,
  type Person,
  type RunningServer,
} from '../support/browser.js';
import { ACTION_TIMEOUT_MS } from '../support/browser.js';
import { Actor } from '../../src/access/actor.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let shushan: number;
let city: number;
let camOwn: number;
let camOther: number;
let investigator: Person;
let officers: Person[];
let approver: Person;
const shots = mkdtempSync(join(tmpdir(), 'vigil-access-shots-'));
// A 1×1 PNG: the server judges the document by its bytes.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function created(r: Promise<{ status: number; body: unknown }>): Promise<number> {
  const res = await r;
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return (res.body as { id: number }).id;
}

async function signedInPage(p: Person): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  contexts.push(context);
  await signInContext(context, server, p);
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  errors.push(...watchPageErrors(page));
  return { context, page };
}

async function openRequest(page: Page, purpose: string) {
  await page.goto(`${server.url}/access-requests`);
  await page.getByTestId('request-table').locator('.ant-table-row', { hasText: purpose }).click();
  await page.getByTestId('request-detail').waitFor();
}

describe('access in the console', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    city = await created(server.api('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' }));
    shushan = await created(server.api('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city, regionCode: '340104' }));
    const baohe = await created(server.api('POST', '/organisations', { kind: 'platform', name: '包河区', nameEn: 'Baohe', level: 'district', parentId: city, regionCode: '340111' }));
    const camera = (gbId: string, name: string, regionId: number) =>
      created(server.api('POST', '/cameras', { gbId, name, deviceType: 'fixed', address: '合肥市', placeCategory: 'schools', regionId, funding: 'self', signage: true }));
    camOwn = await camera('34010400001320000001', '蜀山示范中学东门', shushan);
    camOther = await camera('34011100001320000001', '包河实验小学南门', baohe);
    investigator = await server.person('investigator', [['investigator', city]], { workId: 'J1001', displayName: '李侦查' });
    officers = [
      await server.person('officer-a', [['investigator', shushan]], { workId: 'J2001', displayName: '王警官' }),
      await server.person('officer-b', [['investigator', shushan]], { workId: 'J2002', displayName: '赵警官' }),
    ];
    approver = await server.person('head', [['approver', shushan]], { workId: 'H3001', displayName: '蜀山区负责人' });
    browser = await launchBrowser();
    await enrolThroughApi(await browser.newContext(), server, approver);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('shows a district operator only that district\'s cameras, and refuses a stream of another', async () => {
    const operator = await server.person('operator', [['duty_operator', shushan]], { displayName: '值班员' });
    const { context, page } = await signedInPage(operator);
    await page.goto(`${server.url}/`);
    await page.waitForURL(/\/live$/);
    const tree = page.getByTestId('camera-tree');
    await tree.getByText('蜀山示范中学东门').waitFor();
    expect(await tree.getByText('包河实验小学南门').count()).toBe(0);
    // Searching does not find it either, and the registry pages are not in the menu.
    await page.getByPlaceholder('搜索摄像机名称或编码').fill('包河');
    await tree.getByText('没有可见的摄像机').waitFor();
    const menu = page.getByTestId('side-menu');
    expect(await menu.getByText('摄像机', { exact: true }).count()).toBe(0);
    expect(await menu.getByText('访问登记', { exact: true }).count()).toBe(0);
    await page.screenshot({ path: join(shots, 'operator-wall.png') });

    // Nor does its URL open: no stream token for the other district's camera.
    const headers = { 'x-csrf-token': await csrfOf(context, server) };
    const other = await context.request.post(`${server.url}/api/v1/stream-tokens`, { headers, data: { cameraId: camOther, kind: 'live' } });
    expect(other.status()).toBe(403);
    const own = await context.request.post(`${server.url}/api/v1/stream-tokens`, { headers, data: { cameraId: camOwn, kind: 'live' } });
    expect(own.status()).toBe(201);
  });

  it('drafts a request with cameras from the tree, officers and a document; a rule refuses the early submission with its article', async () => {
    const { context, page } = await signedInPage(investigator);
    await page.goto(`${server.url}/access-requests`);
    await page.getByTestId('new-request').click();
    const form = page.getByTestId('request-form');
    await form.getByLabel('申请单位').fill('合肥市公安局蜀山分局刑警大队');
    await form.getByLabel('用途').fill('盗窃案现场周边查看');
    await form.getByLabel('案件编号').fill('A3401042026110001');
    await form.getByLabel('去向').fill('办案系统');
    await page.locator('#custodianId').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-tree-node-content-wrapper', { hasText: '蜀山区' }).click();
    const range = page.locator('.ant-picker-range');
    await range.locator('input').first().click();
    await range.locator('input').first().fill('2026-11-20 08:00:00');
    await range.locator('input').first().press('Enter');
    await range.locator('input').nth(1).fill('2026-11-20 10:00:00');
    await range.locator('input').nth(1).press('Enter');
    const workIds = page.locator('#officerWorkIds');
    for (const o of officers) {
      await workIds.fill(o.workId!);
      await workIds.press('Enter');
    }
    await page.locator('.ant-drawer input[type=file]').setInputFiles({ name: 'approval.png', mimeType: 'image/png', buffer: PNG });
    const drawerTree = page.locator('.ant-drawer').getByTestId('camera-tree');
    await drawerTree.locator('.ant-tree-treenode', { hasText: '蜀山示范中学东门' }).locator('.ant-tree-checkbox').click();
    expect(await drawerTree.getByText('包河实验小学南门').count()).toBe(1); // the investigator's scope is the whole city
    await page.screenshot({ path: join(shots, 'request-form.png') });
    await page.getByTestId('request-form-submit').click();

    const detail = page.getByTestId('request-detail');
    await detail.waitFor();
    expect(await detail.getByTestId('request-state').textContent()).toBe('草稿');
    await detail.getByTestId('request-document').waitFor();
    // What the server stored is what the form said (the browser and this process share a time zone).
    const stored = (await (await context.request.get(`${server.url}/api/v1/access-requests`)).json()) as { items: Record<string, unknown>[] };
    expect(stored.items).toMatchObject([
      {
        kind: 'view',
        state: 'draft',
        custodianId: shushan,
        cameraIds: [camOwn],
        from: new Date('2026-11-20T08:00:00').getTime(),
        to: new Date('2026-11-20T10:00:00').getTime(),
        caseNumber: 'A3401042026110001',
        officers: officers.map((o) => ({ workId: o.workId, confirmedAt: null })),
        document: { type: 'image/png' },
      },
    ]);

    await detail.getByTestId('request-submit').click();
    const refusal = detail.getByTestId('request-refusal');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('AH-22(1)');
    expect(await detail.getByTestId('request-state').textContent()).toBe('草稿');
    await page.screenshot({ path: join(shots, 'request-refused-rule.png') });
  });

  it('each officer confirms with their own sign-in; then the submission goes through', async () => {
    for (const o of officers) {
      const { page } = await signedInPage(o);
      await openRequest(page, '盗窃案现场周边查看');
      await page.getByTestId('request-confirm').click();
      await page.getByTestId('request-officers').locator('.ant-list-item', { hasText: o.workId! }).getByText(/已确认/).waitFor();
      expect(await page.getByTestId('request-submit').count()).toBe(0); // only the requester submits
    }
    const { page } = await signedInPage(investigator);
    await openRequest(page, '盗窃案现场周边查看');
    await page.getByTestId('request-submit').click();
    await page.getByTestId('request-detail').getByTestId('request-state').filter({ hasText: '待审批' }).waitFor();
    await page.screenshot({ path: join(shots, 'request-submitted.png') });
  });

  it('the approver refuses with a reason, which the requester then sees', async () => {
    const { page } = await signedInPage(approver);
    await page.goto(`${server.url}/access-requests`);
    await page.getByTestId('request-filter').getByText('待我审批').click();
    await page.getByTestId('request-table').locator('.ant-table-row', { hasText: '盗窃案现场周边查看' }).click();
    const detail = page.getByTestId('request-detail');
    await detail.getByTestId('request-requirements').getByText('AH-21').first().waitFor();
    await detail.getByTestId('request-refuse').click();
    await page.getByTestId('refuse-reason').fill('时间范围超出案情需要');
    await page.locator('.ant-modal').getByRole('button', { name: /拒\s*绝/ }).click();
    await detail.getByTestId('request-state').filter({ hasText: '已拒绝' }).waitFor();
    await page.screenshot({ path: join(shots, 'request-refused.png') });

    const requester = await signedInPage(investigator);
    await openRequest(requester.page, '盗窃案现场周边查看');
    expect(await requester.page.getByTestId('decision-reason').textContent()).toContain('时间范围超出案情需要');
    const decisions = await server.ctx.audit.search({ action: 'approval_decision' });
    expect(decisions.items.some((e) => e.outcome === 'success' && e.actors.some((a) => a.workId === 'H3001'))).toBe(true);
  });

  it('an investigator plays back only through an approved request: its cameras, its range (issue 17)', async () => {
    // Made through the use cases, as the flows above made theirs: the city's investigator asks,
    // two district officers confirm, and the head of the requesting agency approves (AH-21).
    const ctx = server.ctx;
    const path = async (id: number) => (await ctx.repos.organisations.get(id))!.path;
    const as = async (p: Person, role: 'investigator' | 'approver', org: number) =>
      new Actor({ userId: p.id, login: p.login, displayName: p.login, workId: p.workId ?? null, organisationId: org, grants: [{ id: 0, role, organisationId: org, path: await path(org) }], sessionId: `test-${p.login}` });
    const now = Date.now();
    const from = now - 3 * 3_600_000;
    const to = now - 3_600_000;
    const requester = await as(investigator, 'investigator', city);
    const r = await ctx.access.requests.create(requester, {
      kind: 'view', requesterKind: 'public-security', requestingUnit: '合肥市公安局', purpose: '寻找走失儿童', destination: '市局指挥中心', custodianId: shushan,
      cameraIds: [camOwn], from, to, validityHours: 24, officerWorkIds: officers.map((o) => o.workId!),
    });
    for (const o of officers) await ctx.access.requests.confirm(await as(o, 'investigator', shushan), r.id);
    await ctx.access.requests.attachDocument(requester, r.id, PNG);
    expect((await ctx.access.requests.submit(requester, r.id)).state).toBe('submitted');
    const head = await server.person('city-head', [['approver', city]], { workId: 'H0001', displayName: '市局负责人' });
    expect((await ctx.access.requests.approve(await as(head, 'approver', city), r.id)).state).toBe('approved');

    const { context, page } = await signedInPage(investigator);
    await page.goto(`${server.url}/playback`);
    await page.getByTestId('playback-request').click();
    await page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option', { hasText: '寻找走失儿童' }).click();
    await page.getByTestId(`playback-tile-${camOwn}`).waitFor();
    expect(await page.getByTestId('playback-request-range').textContent()).toContain('批准时段');
    await page.screenshot({ path: join(shots, 'investigator-playback.png') });
    // The server holds the same line: under the request inside its range, nothing by role.
    const headers = { 'x-csrf-token': await csrfOf(context, server) };
    const inside = await context.request.post(`${server.url}/api/v1/stream-tokens`, { headers, data: { cameraId: camOwn, kind: 'playback', from, to: from + 60_000, requestId: r.id } });
    expect(inside.status()).toBe(201);
    const byRole = await context.request.post(`${server.url}/api/v1/stream-tokens`, { headers, data: { cameraId: camOther, kind: 'playback', from, to: from + 60_000 } });
    expect(byRole.status()).toBe(403);
  });

  it('logged no script errors beyond the refused requests', () => {
    const unexpected = errors.filter((e) => !/Failed to load resource: the server responded with a status of (403|422)/.test(e));
    expect(unexpected).toEqual([]);
    console.info(`access screenshots in ${shots}`);
  });
});
