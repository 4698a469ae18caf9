// The emergency connections page (应急接入) in real Chromium against the real API and a real SIP
// upper platform: the police officer sees the connection request the head of their organ approved
// (AH-20), connects it from the page, watches the registration come up, and ends it early with a
// reason; the upper then hears the lower unregister, and the request reads closed.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { PDF } from '../access/fixtures.js';
import { TestUpper } from '../cascade/upper-platform.js';
import { ensureWebBuilt, launchBrowser, signedInEnglishPage, startTestServer, type Person, type RunningServer } from '../support/browser.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

let server: RunningServer;
let browser: Browser;
let upper: TestUpper;
const contexts: BrowserContext[] = [];
let police: Person;
let requestId: number;

describe('the emergency connections page', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    upper = await TestUpper.start(UPPER, 'secret');
    const dir = mkdtempSync(join(tmpdir(), 'vigil-emergency-'));
    const configFile = join(dir, 'vigil.config.json');
    writeFileSync(configFile, JSON.stringify({
      cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: 'Hefei police platform', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5, onDemand: true }] },
    }));
    server = await startTestServer({ VIGIL_CONFIG: configFile });
    const org = async (body: Record<string, unknown>) => {
      const r = await server.api<{ id: number }>('POST', '/organisations', body);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id;
    };
    const city = await org({ kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    const unit = await org({ kind: 'unit', name: '第一中学', nameEn: 'No. 1 School', unitRoles: ['builder', 'user'], parentId: city });
    police = await server.person('police', [['investigator', city]], { workId: 'P001', displayName: 'Officer' });
    const head = await server.person('police-head', [['approver', city]], { workId: 'H001', displayName: 'Head' });
    const path = (await server.ctx.repos.organisations.get(city))!.path;
    const as = (p: Person, role: 'investigator' | 'approver') => new Actor({ userId: p.id, login: p.login, displayName: p.login, workId: p.workId, organisationId: city, grants: [{ id: 0, role, organisationId: city, path }] });
    const requests = server.ctx.access.requests;
    const r = await requests.create(as(police, 'investigator'), {
      kind: 'connect', requesterKind: 'public-security', requestingUnit: 'Hefei public security bureau', purpose: 'security of the marathon', destination: UPPER, custodianId: unit,
      cameraIds: [], from: Date.now() - 1000, to: Date.now() + 3_600_000, validityHours: 2, officerWorkIds: [],
    });
    await requests.attachDocument(as(police, 'investigator'), r.id, PDF);
    await requests.submit(as(police, 'investigator'), r.id);
    expect((await requests.approve(as(head, 'approver'), r.id)).state).toBe('approved');
    requestId = r.id;
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await upper?.close();
  });

  it('connects an approved request, shows it registered, and ends it early with a reason', async () => {
    const { page, errors } = await signedInEnglishPage(browser, server, police, contexts);
    await page.goto(`${server.url}/emergency-connections`);
    const row = page.getByTestId('connect-requests-table').locator('tbody tr.ant-table-row').filter({ hasText: 'Hefei police platform' });
    await row.waitFor();
    expect(await row.getByTestId('request-state').textContent()).toBe('Approved');
    const registered = new Promise<void>((resolve) => upper.once('registered', () => resolve()));
    await row.getByTestId('open-connection').click();
    const open = page.getByTestId('connections-table').locator('tbody tr.ant-table-row').filter({ hasText: UPPER });
    await open.waitFor();
    await registered;
    // The page reads the link again on refresh: registered.
    await page.getByRole('button', { name: 'Refresh' }).click();
    await open.getByTestId('link-state').filter({ hasText: 'Registered' }).waitFor();
    expect(await row.getByTestId('request-state').textContent()).toBe('In use');

    await open.getByTestId('end-connection').click();
    const dialog = page.locator('.ant-modal-content');
    await dialog.getByLabel('Why it ends').fill('the marathon is over');
    await dialog.getByRole('button', { name: /OK/ }).click();
    await page.getByTestId('connections-table').locator('.ant-empty').waitFor();
    await row.getByTestId('request-state').filter({ hasText: 'Closed' }).waitFor();
    expect(upper.registrations.at(-1)).toMatchObject({ id: LOWER, expires: 0 });
    await server.ctx.audit.chainPending();
    const entries = (await server.ctx.audit.search({ action: 'connect', limit: 20 })).items.filter((e) => e.approvalId === requestId);
    expect(entries.map((e) => e.outcome)).toEqual(['success', 'success']);
    expect(entries.find((e) => e.target?.endsWith('ended'))?.reason).toBe('the marathon is over');
    expect(errors).toEqual([]);
  }, 180_000);
});
