// The console's health actions in Chromium, in Chinese and in English, against the real server and
// a simulated camera: open a work order by hand (Harbin's "repair at once" shown with HRB-25(3)
// and the platform's labelled response hour) and respond to it; diagnose a camera now; approve a
// new reference view after an approved move; file a relocation notice and see it late with HRB-19; report a
// suspicious event from the live wall, which the server keeps with a snapshot and a clip range
// and routes to the police unit of the region.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitOrConsoleError, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';

const DAY = 86_400_000;
/** The health page's tabs, in order: rates, work orders, alarms, diagnostics, notices. */
const TAB = { orders: 1, diagnostics: 3, notices: 4 } as const;
let sim: Simulator;
let server: RunningServer;
let browser: Browser;
let person: Person;
let city: number;
const cameras: Record<string, number> = {};
const shots = mkdtempSync(join(tmpdir(), 'vigil-health-actions-'));

const LOCALES = [
  { locale: 'zh-CN', camera: '中央大街', gbId: '23010000001320000011', duty: '立即修复', late: '逾期', offline: '离线' },
  { locale: 'en-US', camera: 'Central Street', gbId: '23010000001320000012', duty: 'Repair at once', late: 'Late', offline: 'Offline' },
] as const;

/**
 * Opens an antd select by test id and picks the option showing `text`, until the select shows it:
 * a click lost to the dropdown's motion (or landing in a dropdown already closing) is tried again.
 */
async function pick(page: Page, testId: string, search: string, text: string) {
  const box = page.getByTestId(testId);
  const chosen = box.locator('.ant-select-selection-item').filter({ hasText: text });
  const option = page.locator('.ant-select-dropdown:not(.ant-select-dropdown-hidden)').locator('.ant-select-item-option').filter({ hasText: text }).first();
  for (let attempt = 1; ; attempt++) {
    try {
      if (!(await option.isVisible())) {
        await box.click();
        if (search) await page.keyboard.type(search);
      }
      await option.click({ timeout: 3_000 });
      await chosen.waitFor({ timeout: 3_000 });
      return;
    } catch (e) {
      if (await chosen.isVisible()) return;
      if (attempt === 3) throw e;
    }
  }
}

describe('health actions in Chromium', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    sim = await startSimulator({ cameras: 1, width: 640, height: 360, bitrateKbps: 800, lingerMs: 300 });
    server = await startTestServer();
    const org = async (body: Record<string, unknown>) => {
      const r = await server.api<{ id: number }>('POST', '/organisations', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id;
    };
    city = await org({ kind: 'platform', name: '哈尔滨市', nameEn: 'Harbin', level: 'city', regionCode: '230100', profileId: 'harbin' });
    const unit = await org({ kind: 'unit', name: '维护公司', nameEn: 'Upkeep Co', unitRoles: ['maintainer', 'user'], parentId: city });
    const managing = await org({ kind: 'unit', name: '道路管理处', nameEn: 'Roads Office', unitRoles: ['managing'], parentId: city });
    for (const l of LOCALES) {
      const cam = await server.api<{ id: number }>('POST', '/cameras', {
        gbId: l.gbId, name: l.camera, deviceType: 'dome', address: '中央大街1号', placeCategory: server.ctx.rules.mandatoryCategories('harbin')[0]!.id, keyPosition: false,
        regionId: city, ownerUnitId: unit, userUnitId: unit, managingUnitId: managing, maintainerUnitId: unit, funding: 'government', signage: true, status: 'in_service',
        inServiceDate: '2026-01-01', sourceUrl: sim.urls[0]!,
      });
      expect(cam.status, JSON.stringify(cam.body)).toBe(201);
      cameras[l.locale] = cam.body.id;
    }
    // Registers cameras and keeps them (work orders, diagnostics, reference views) and watches the wall (reports).
    person = await server.person('keeper', [['unit_administrator', city], ['duty_operator', city]], { displayName: 'Keeper' });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sim?.close();
  });

  for (const l of LOCALES) {
    it(`${l.locale}: opens a work order by hand, responds, diagnoses now, approves a reference, files a late notice, reports from the wall`, async () => {
      const cameraId = cameras[l.locale]!;
      const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: l.locale });
      await context.addInitScript(`window.localStorage.setItem('vigil.language', '${l.locale.slice(0, 2)}')`);
      await signInContext(context, server, person);
      const page = await context.newPage();
      page.setDefaultTimeout(ACTION_TIMEOUT_MS);
      const errors = watchPageErrors(page);

      // A work order opened by hand: Harbin's duty with its article, the response hour labelled a platform default.
      await page.goto(`${server.url}/health`);
      await page.locator('.ant-tabs-tab').nth(TAB.orders).click();
      await page.getByTestId('open-order').click();
      await pick(page, 'open-order-camera', '', l.camera);
      await page.getByTestId('open-order-note').fill('picture flickers');
      await page.getByTestId('open-order-submit').click();
      const escalation = page.getByTestId('order-escalation');
      await waitOrConsoleError(page, escalation);
      expect(await page.getByTestId('order-duty').innerText()).toBe(l.duty);
      expect(await escalation.innerText()).toContain('HRB-25(3)');
      expect(await escalation.getByTestId('platform-default').count()).toBeGreaterThan(0);
      await page.getByTestId('respond-order').click();
      await page.getByTestId('order-responded').waitFor();
      const orders = await server.api<{ items: { cause: string; respondedBy: number | null; respondBy: number; openedAt: number; note: string }[] }>('GET', `/work-orders?cameraId=${cameraId}`);
      expect(orders.body.items).toHaveLength(1);
      expect(orders.body.items[0]).toMatchObject({ cause: 'fault', respondedBy: person.id, note: 'picture flickers' });
      // "At once": Harbin's one hour to respond.
      expect(orders.body.items[0]!.respondBy - orders.body.items[0]!.openedAt).toBe(3_600_000);
      await page.screenshot({ path: join(shots, `${l.locale}-order.png`), fullPage: true });
      await page.locator('.ant-drawer-close').click();

      // Diagnose now, then approve the current view as the new reference.
      await page.locator('.ant-tabs-tab').nth(TAB.diagnostics).click();
      await pick(page, 'diagnostics-camera', l.gbId, l.camera);
      // The camera's day so far, minute by minute: never recorded here, so offline.
      await page.getByTestId('minute-strip').waitFor();
      expect(await page.getByTestId('camera-state').innerText()).toBe(l.offline);
      const before = (await server.api<{ items: unknown[] }>('GET', `/cameras/${cameraId}/diagnostics`)).body.items.length;
      await page.getByTestId('diagnose-now').click();
      await page.getByTestId('diagnose-result').waitFor();
      const after = (await server.api<{ items: { ok: boolean }[] }>('GET', `/cameras/${cameraId}/diagnostics`)).body.items;
      expect(after.length).toBe(before + 1);
      await page.getByTestId('diagnostic-snapshot').first().waitFor();
      await page.getByTestId('approve-reference').click();
      await page.getByTestId('reference-reason').fill(`approved move ${l.locale}`);
      await page.getByTestId('approve-reference-submit').click();
      await page.getByTestId('reference-approved').waitFor();
      expect(await server.ctx.health.repo.reference(cameraId)).toMatchObject({ reason: `approved move ${l.locale}`, set_by: person.id });

      // Ten days' notice of a relocation where Harbin asks thirty (HRB-19): filed, and shown late with the article.
      await page.locator('.ant-tabs-tab').nth(TAB.notices).click();
      await page.getByTestId('file-notice').click();
      await pick(page, 'file-notice-camera', '', l.camera);
      await page.getByTestId('file-notice-days').fill('10');
      await page.getByTestId('file-notice-submit').click();
      const notice = page.locator('[data-testid="notices-table"] tbody tr', { hasText: l.camera });
      await notice.waitFor();
      expect(await notice.getByTestId('notice-verdict').innerText()).toBe(l.late);
      expect(await notice.innerText()).toContain('HRB-19');
      const filed = await server.api<{ items: { cameraId: number; inTime: boolean; noticeDays: number; plannedAt: number; noticeAt: number }[] }>('GET', `/notices?cameraId=${cameraId}`);
      expect(filed.body.items).toHaveLength(1);
      expect(filed.body.items[0]).toMatchObject({ inTime: false, noticeDays: 30 });
      expect(Math.round((filed.body.items[0]!.plannedAt - filed.body.items[0]!.noticeAt) / DAY)).toBe(10);

      // A suspicious event reported from the live wall.
      await page.goto(`${server.url}/live`);
      await page.getByTestId('report-suspicious').click();
      await pick(page, 'report-camera', '', l.camera);
      await page.getByTestId('report-description').fill(`someone trying car doors ${l.locale}`);
      await page.getByTestId('report-submit').click();
      await page.getByTestId('report-sent').waitFor();
      const alarms = await server.api<{ items: { id: number; cameraId: number; organisationId: number; reportedBy: number; snapshot: string | null; clipFrom: number; clipTo: number; detail: { description: string } }[] }>('GET', '/alarms?kind=suspicious_event');
      const sent = alarms.body.items.find((a) => a.detail.description === `someone trying car doors ${l.locale}`);
      expect(sent).toMatchObject({ cameraId, organisationId: city, reportedBy: person.id });
      expect(sent!.snapshot).toMatch(/^snapshots\/\d+\/\d+\.jpg$/);
      expect(sent!.clipTo - sent!.clipFrom).toBe(60_000);
      expect(await page.getByTestId('report-sent').innerText()).toContain(`#${sent!.id}`);
      await page.screenshot({ path: join(shots, `${l.locale}-report.png`), fullPage: true });
      expect(errors).toEqual([]);
      await context.close();
    }, 180_000);
  }
});
