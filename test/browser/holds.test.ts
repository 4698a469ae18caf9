// The legal holds page in real Chromium against the real API: an investigator places a hold
// through the form and sees it listed with its case reference; the city's supervisor (police)
// sees the same hold.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, signedInEnglishPage, startTestServer, type Person, type RunningServer } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let cameraId: number;
let investigator: Person;
let supervisor: Person;

const signedInPage = (p: Person) => signedInEnglishPage(browser, server, p, contexts);

describe('the legal holds page', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const org = async (body: Record<string, unknown>) => {
      const r = await server.api<{ id: number }>('POST', '/organisations', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id;
    };
    const city = await org({ kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    const district = await org({ kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city, regionCode: '340104' });
    const school = await org({ kind: 'unit', name: '示范中学', nameEn: 'Model School', unitRoles: ['user'], parentId: district });
    const cam = await server.api<{ id: number }>('POST', '/cameras', {
      gbId: '34010400001320000001', name: '东门', deviceType: 'dome', address: '长江路1号', placeCategory: server.ctx.rules.mandatoryCategories('anhui')[0]!.id, keyPosition: false,
      regionId: district, ownerUnitId: school, userUnitId: school, funding: 'government', signage: true, status: 'planned',
    });
    expect(cam.status, JSON.stringify(cam.body)).toBe(201);
    cameraId = cam.body.id;
    investigator = await server.person('inv', [['investigator', district]], { workId: 'P001', displayName: 'Investigator' });
    supervisor = await server.person('police', [['supervisor', city]], { workId: 'S001', displayName: 'Police' });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('places a hold through the form and lists it, for the investigator and for the supervisor', async () => {
    const { page, errors } = await signedInPage(investigator);
    await page.goto(`${server.url}/holds`);
    await page.getByTestId('place-hold').click();
    const dialog = page.locator('.ant-modal-content');
    await dialog.getByLabel('Camera').fill(String(cameraId));
    await dialog.getByLabel('Case reference').fill('蜀公刑(2026)12号');
    await dialog.getByLabel('Reason').fill('robbery at the gate');
    await dialog.getByRole('button', { name: /OK/ }).click();
    const row = page.getByTestId('holds-table').locator('tbody tr.ant-table-row').filter({ hasText: '蜀公刑(2026)12号' });
    await row.waitFor();
    expect(await row.getByTestId('hold-state').textContent()).toBe('Active');
    const held = (await server.ctx.repos.legalHolds.holdsOfCamera(cameraId)).map((h) => [h.case_ref, Number(h.placed_by), h.state]);
    expect(held).toEqual([['蜀公刑(2026)12号', investigator.id, 'active']]);

    const head = await signedInPage(supervisor);
    await head.page.goto(`${server.url}/holds`);
    await head.page.getByTestId('holds-table').locator('tbody tr.ant-table-row').filter({ hasText: '蜀公刑(2026)12号' }).waitFor();
    expect([...errors, ...head.errors]).toEqual([]);
  }, 120_000);
});
