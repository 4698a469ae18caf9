// The shares page in real Chromium against the real API: the district's approver sees the share
// made to the city platform as active and revokes it through the form with a reason; the table
// then says revoked and so does the database. An approver of another city sees nothing of it.
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { ensureWebBuilt, launchBrowser, signedInEnglishPage, startTestServer, type Person, type RunningServer } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let head: Person;
let stranger: Person;
let shareId: number;

const signedInPage = (p: Person) => signedInEnglishPage(browser, server, p, contexts);

describe('the shares page', () => {
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
    const otherCity = await org({ kind: 'platform', name: '哈尔滨市', nameEn: 'Harbin', level: 'city', regionCode: '230100', profileId: 'harbin' });
    const cam = await server.api<{ id: number }>('POST', '/cameras', {
      gbId: '34010400001320000001', name: '东门', deviceType: 'dome', address: '长江路1号', placeCategory: server.ctx.rules.mandatoryCategories('anhui')[0]!.id, keyPosition: false,
      regionId: district, funding: 'government', signage: true, status: 'planned',
    });
    expect(cam.status, JSON.stringify(cam.body)).toBe(201);
    head = await server.person('head', [['approver', district]], { workId: 'H001', displayName: 'Head' });
    stranger = await server.person('other-head', [['approver', otherCity]], { workId: 'H002', displayName: 'Other head' });
    const actor = new Actor({ userId: head.id, login: 'head', displayName: 'Head', workId: 'H001', organisationId: district, grants: [{ id: 0, role: 'approver', organisationId: district, path: (await server.ctx.repos.organisations.get(district))!.path }] });
    const now = Date.now();
    shareId = (await server.ctx.shares.grant(actor, {
      organisationId: district, recipient: { kind: 'platform', ref: '34010000002000000001' }, recipientName: 'Hefei city platform', rights: ['catalog', 'live'],
      cameraIds: [cam.body.id], groupIds: [], validFrom: now - 60_000, validTo: now + 86_400_000, purpose: 'city network', approvalDocument: 'Shushan (2026) 17',
    })).id;
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('lists the share as active and revokes it through the form', async () => {
    const { page, errors } = await signedInPage(head);
    await page.goto(`${server.url}/shares`);
    const row = page.getByTestId('shares-table').locator('tbody tr.ant-table-row').filter({ hasText: 'Hefei city platform' });
    await row.waitFor();
    expect(await row.getByTestId('share-state').textContent()).toBe('Active');
    expect(await row.textContent()).toContain('Shushan (2026) 17');
    await row.getByTestId('revoke-share').click();
    const dialog = page.locator('.ant-modal-content');
    await dialog.getByLabel('Reason for revoking').fill('agreement ended');
    await dialog.getByRole('button', { name: /OK/ }).click();
    await row.getByTestId('share-state').filter({ hasText: 'Revoked' }).waitFor();
    const stored = await server.ctx.repos.shares.get(shareId);
    expect([stored!.revokedBy, stored!.revokeReason]).toEqual([head.id, 'agreement ended']);

    const other = await signedInPage(stranger);
    await other.page.goto(`${server.url}/shares`);
    await other.page.getByTestId('shares-table').locator('.ant-empty').waitFor();
    expect([...errors, ...other.errors]).toEqual([]);
  }, 120_000);
});
