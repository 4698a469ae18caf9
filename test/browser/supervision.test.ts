// Lifecycle and supervision in real Chromium against the real server: a unit builds a
// government system and meets the acceptance refusal with its articles; the police record the
// acceptance; the unit puts it into service and files it; the police inspect, find the missing
// maintenance contract (AH-16(2)), order rectification; the unit uploads the contract and
// reports; the police re-evaluate, verify and close. Then the compliance page, its exports, and
// the public complaint form reaching the police.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDF } from '../access/fixtures.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, watchPageErrors, type RunningServer } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
let unitCtx: BrowserContext;
let policeCtx: BrowserContext;
let unitPage: Page;
let policePage: Page;
const errors = new Map<Page, string[]>();
let district: number;
let school: number;
const shots = mkdtempSync(join(tmpdir(), 'vigil-supervision-shots-'));
const DAY = 86_400_000;

async function org(input: Record<string, unknown>): Promise<number> {
  const r = await server.api<{ id: number }>('POST', '/organisations', input);
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

/** Opens an antd select (by test id or form id) and picks the option showing `text`. */
async function pick(page: Page, target: string, search: string, text: string) {
  // The whole select box — found from a form field's id or by test id — takes the click: its
  // search input may lie under the chosen value's label. No force: clicks wait until a drawer
  // or modal has finished sliding in.
  const box = target.startsWith('#') ? page.locator('.ant-select').filter({ has: page.locator(target) }) : page.getByTestId(target);
  await box.click();
  if (search) await page.keyboard.type(search);
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').locator('.ant-select-item-option, .ant-select-tree-node-content-wrapper').filter({ hasText: text }).first();
  // The dropdown slides in; a click during its motion can miss, so a missed one is tried again.
  for (let attempt = 1; ; attempt++) {
    try {
      await option.click({ timeout: 3_000 });
      return;
    } catch (e) {
      if (attempt === 3) throw e;
      if (!(await option.isVisible())) await box.click();
    }
  }
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

const drawer = (page: Page) => page.locator('.ant-drawer-content').last();
const itemRow = (page: Page, label: string) => drawer(page).getByTestId('checklist').locator('tr').filter({ hasText: label });

describe('lifecycle and supervision in the console', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await org({ kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    district = await org({ kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city, regionCode: '340104' });
    school = await org({ kind: 'unit', name: '示范中学', nameEn: 'Model School', unitRoles: ['user', 'managing'], parentId: district });
    await org({ kind: 'unit', name: '维保公司', nameEn: 'Upkeep Co', unitRoles: ['maintainer'], parentId: district });
    const category = server.ctx.rules.mandatoryCategories('anhui')[0]!.id;
    const cam = await server.api('POST', '/cameras', {
      gbId: '34010400001320000001', name: '东门', deviceType: 'dome', address: '长江路1号', placeCategory: category, keyPosition: true,
      regionId: district, ownerUnitId: school, userUnitId: school, funding: 'government', signage: true, status: 'planned',
    });
    expect(cam.status, JSON.stringify(cam.body)).toBe(201);
    browser = await launchBrowser();
    unitCtx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    policeCtx = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' });
    await signInContext(unitCtx, server, await server.person('school-admin', [['unit_administrator', school]], { displayName: '学校管理员' }));
    await signInContext(policeCtx, server, await server.person('police', [['supervisor', city]], { displayName: '民警', workId: 'P001' }));
    unitPage = await unitCtx.newPage();
    policePage = await policeCtx.newPage();
    for (const p of [unitPage, policePage]) {
      p.setDefaultTimeout(30_000);
      errors.set(p, watchPageErrors(p));
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const pageErrors = () => [...errors.values()].flat()
    // Refusals the test provokes are answered 4xx; Chromium logs each failed fetch.
    .filter((e) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(e));

  it('build, meet the acceptance refusal, accept, put into service, file', async () => {
    const p = unitPage;
    await p.goto(`${server.url}/systems`);
    await p.getByTestId('new-system').click();
    await p.getByTestId('system-name').fill('校园监控系统');
    await pick(p, '#regionId', '蜀山', '蜀山区');
    await pick(p, '#funding', '', '政府建设');
    await pick(p, '#userUnitId', '示范', '示范中学');
    await pick(p, '#maintainerUnitId', '维保', '维保公司');
    await p.getByTestId('create-system').click();

    // Not accepted yet: the drawer says why the cameras may not be in service, citing AH-13 and CN-12.
    const block = drawer(p).getByTestId('service-block');
    await block.waitFor();
    expect(await block.textContent()).toMatch(/AH-13.*CN-12/);
    await pick(p, 'add-cameras', '东门', '东门');
    await p.getByTestId('add-cameras-button').click();
    await drawer(p).getByTestId('system-cameras').getByText('东门').waitFor();
    await p.getByTestId('put-in-service').click();
    const note = p.getByTestId('error-notification').last();
    await note.waitFor();
    expect(await note.textContent()).toMatch(/not passed acceptance/);
    expect(await note.textContent()).toContain('AH-13');
    await shot(p, '1-acceptance-refused');

    for (const [purpose, label] of [['design-plan', '设计方案'], ['test-report', '技术检测材料'], ['acceptance', '工程验收材料']] as const) {
      await pick(p, 'document-purpose', '', label);
      await p.getByTestId('document-file').setInputFiles({ name: `${purpose}.pdf`, mimeType: 'application/pdf', buffer: PDF });
      await drawer(p).getByTestId('system-documents').getByText(`${purpose}.pdf`).waitFor();
    }

    // The police, who took part in the acceptance, record it.
    const q = policePage;
    await q.goto(`${server.url}/systems`);
    await q.getByTestId('systems-table').getByText('校园监控系统').click();
    await drawer(q).getByTestId('organised-by').fill('蜀山区人民政府');
    await drawer(q).getByTestId('record-acceptance').click();
    await drawer(q).getByTestId('service-block').waitFor({ state: 'detached' });

    await p.reload();
    await p.getByTestId('systems-table').getByText('校园监控系统').click();
    await p.getByTestId('put-in-service').click();
    await drawer(p).getByTestId('system-state').filter({ hasText: '已投入使用' }).waitFor();
    await p.getByTestId('file-system').click();
    await drawer(p).getByTestId('filing-status').getByText('已备案').waitFor();
    expect(await drawer(p).getByTestId('filing-status').textContent()).toContain('AH-13');
    await shot(p, '2-in-service-filed');
    const sys = (await server.api<{ items: { state: string; cameras: { inService: boolean }[] }[] }>('GET', '/systems')).body.items[0]!;
    expect(sys).toMatchObject({ state: 'in_service', cameras: [{ inService: true }] });
  }, 120_000);

  it('inspect, find the missing maintenance contract, order rectification, correct, verify, close', async () => {
    const q = policePage;
    await q.goto(`${server.url}/inspections`);
    await pick(q, 'inspect-unit', '示范', '示范中学');
    await q.getByTestId('start-inspection').click();
    const contract = itemRow(q, '维护责任书面约定');
    await contract.getByText('不合格').waitFor();
    expect(await contract.textContent()).toContain('AH-16(2)');
    expect(await itemRow(q, '验收后投入使用').getByTestId('item-status').textContent()).toBe('合格');
    expect(await itemRow(q, '完好率').getByTestId('item-status').textContent()).toBe('未测量');
    await shot(q, '3-checklist');
    await drawer(q).getByTestId('finding-maintenanceContract').click();
    await drawer(q).getByTestId('findings').getByText('AH-16(2)', { exact: true }).waitFor();
    await drawer(q).getByTestId('findings').locator('.ant-checkbox-input').last().check();
    const due = new Date(Date.now() + 30 * DAY + 8 * 3_600_000).toISOString().slice(0, 10);
    await drawer(q).getByTestId('order-due').click();
    await q.keyboard.type(due);
    await q.keyboard.press('Enter');
    await drawer(q).getByTestId('order-rectification').click();
    await drawer(q).getByTestId('order-state').filter({ hasText: '待整改' }).waitFor();

    // The school uploads the contract and reports the correction.
    const p = unitPage;
    await p.goto(`${server.url}/systems`);
    await p.getByTestId('systems-table').getByText('校园监控系统').click();
    await pick(p, 'document-purpose', '', '维护协议');
    await p.getByTestId('document-file').setInputFiles({ name: 'contract.pdf', mimeType: 'application/pdf', buffer: PDF });
    await drawer(p).getByTestId('system-documents').getByText('contract.pdf').waitFor();
    await p.goto(`${server.url}/inspections`);
    await p.getByTestId('inspections-table').locator('tbody tr').first().click();
    await drawer(p).getByTestId('report-note').fill('已签订书面维护协议');
    await drawer(p).getByTestId('report-corrected').click();
    await drawer(p).getByTestId('order-state').filter({ hasText: '已报告' }).waitFor();

    // The police evaluate again, verify and close.
    await q.reload();
    await q.getByTestId('inspections-table').locator('tbody tr').first().click();
    await drawer(q).getByTestId('evaluate').click();
    await itemRow(q, '维护责任书面约定').getByTestId('item-status').filter({ hasText: '合格' }).waitFor();
    await drawer(q).getByTestId('verify-corrected').click();
    await drawer(q).getByTestId('order-state').filter({ hasText: '已结案' }).waitFor();
    await shot(q, '4-rectification-closed');
    await drawer(q).getByTestId('close-inspection').click();
    await drawer(q).getByTestId('evaluate').waitFor({ state: 'detached' });
    const ins = (await server.api<{ items: { state: string; rectifications: { state: string; correctedInTime: boolean }[] }[] }>('GET', '/inspections')).body.items[0]!;
    expect(ins).toMatchObject({ state: 'closed', rectifications: [{ state: 'closed', correctedInTime: true }] });
  }, 120_000);

  it('compliance per region with exports, and a public complaint that reaches the police', async () => {
    const q = policePage;
    await q.goto(`${server.url}/compliance`);
    await q.getByTestId('compliance-table').getByText('蜀山区').waitFor();
    const csv = await q.request.get(`${server.url}/api/v1/compliance/export.csv?lang=zh`);
    expect(await csv.text()).toContain('备案（已备/应备/逾期）');
    const pdf = await q.request.get(`${server.url}/api/v1/compliance/export.pdf?lang=en`);
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await shot(q, '5-compliance');

    const anyone = await browser.newContext({ locale: 'zh-CN' });
    const a = await anyone.newPage();
    await a.goto(`${server.url}/complaint?region=${district}`);
    await a.getByTestId('complaint-about').fill('指定品牌');
    await a.getByTestId('complaint-text').fill('检查时民警要求更换为指定品牌的摄像机');
    await a.getByTestId('complaint-submit').click();
    await a.getByTestId('complaint-received').waitFor();
    expect(await a.getByTestId('complaint-received').textContent()).toContain('CN-25');
    await shot(a, '6-complaint');
    await anyone.close();

    await q.goto(`${server.url}/complaints`);
    await q.getByTestId('complaints-table').getByText('指定品牌', { exact: true }).waitFor();
    expect(pageErrors()).toEqual([]);
  }, 60_000);
});
