// The access register page in real Chromium against the real API: a platform-wide auditor sees
// the entries newest first, narrows them to one action, sees the chain verified intact and
// downloads the same selection as CSV; an auditor of one city sees only the entries about it (in
// the page and the CSV), and the whole chain's verification stays with platform-wide readers.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, signedInEnglishPage, startTestServer, type Person, type RunningServer } from '../support/browser.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let auditor: Person;
let cityAuditor: Person;
const shots = mkdtempSync(join(tmpdir(), 'vigil-register-shots-'));

const signedInPage = (p: Person) => signedInEnglishPage(browser, server, p, contexts, { viewport: { width: 1600, height: 1000 }, acceptDownloads: true });

/** The seq and action text of every row the table shows. */
async function rows(page: Page): Promise<{ seq: number; action: string }[]> {
  return page.getByTestId('audit-table').locator('tbody tr.ant-table-row').evaluateAll((trs) =>
    trs.map((tr) => {
      const cells = tr.querySelectorAll('td');
      return { seq: Number(cells[0]?.textContent), action: cells[2]?.textContent ?? '' };
    }),
  );
}

describe('the access register page', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    expect(city.status).toBe(201);
    auditor = await server.person('auditor', [['auditor', null]], { workId: 'S0001', displayName: '审计员' });
    cityAuditor = await server.person('city-auditor', [['auditor', city.body.id]], { workId: 'S0002', displayName: '市审计员' });
    // A failed sign-in, so there is more than one kind of entry to filter.
    const failed = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'auditor', password: 'wrong' }) });
    expect(failed.status).toBe(401);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('shows a platform-wide auditor the entries newest first, filtered by action, the chain intact and a CSV of the selection', async () => {
    const newestBefore = (await server.ctx.audit.search({ limit: 1 })).items[0]!.seq;
    const { page, errors } = await signedInPage(auditor);
    await page.goto(`${server.url}/audit`);
    await expect.poll(() => page.getByTestId('chain-status').textContent(), { timeout: 30_000 }).toMatch(/^Chain intact: \d+ entries and \d+ signed checkpoints verified/);

    await page.getByTestId('audit-table').locator('tbody tr.ant-table-row').first().waitFor();
    const all = await rows(page);
    expect(all.length).toBeGreaterThan(5);
    // Newest first, and nothing older than what the register held before the page was opened.
    for (let i = 1; i < all.length; i++) expect(all[i]!.seq).toBeLessThan(all[i - 1]!.seq);
    expect(all[0]!.seq).toBeGreaterThanOrEqual(newestBefore);
    expect(new Set(all.map((r) => r.action)).size).toBeGreaterThan(1);

    await page.getByTestId('audit-action').click();
    await page.locator('.ant-select-dropdown .ant-select-item-option', { hasText: /^Sign-in$/ }).click();
    await page.getByTestId('audit-search').click();
    await expect.poll(async () => [...new Set((await rows(page)).map((r) => r.action))]).toEqual(['Sign-in']);
    const logins = await rows(page);
    const expected = (await server.ctx.audit.search({ action: 'login', limit: 100 })).items.map((e) => e.seq);
    expect(logins.map((r) => r.seq)).toEqual(expected);
    await page.screenshot({ path: join(shots, 'register-filtered.png') });

    const href = await page.getByTestId('audit-export-csv').getAttribute('href');
    expect(href).toBe('/api/v1/audit/export.csv?action=login');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('audit-export-csv').click()]);
    expect(download.suggestedFilename()).toBe('access-register.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const lines = csv.slice(1).trim().split(/\r?\n/);
    expect(lines.length).toBe(expected.length + 1);
    for (const seq of expected) expect(lines.some((l) => l.startsWith(`${seq},`))).toBe(true);
    expect(errors).toEqual([]);
    // The page asks nothing an auditor may not read: no refusal of theirs is registered.
    const theirs = (await server.ctx.audit.search({ actorUserId: auditor.id, outcome: 'refused', limit: 10 })).items;
    expect(theirs).toEqual([]);
  });

  it('shows an auditor of one city the entries about it and nothing else, without asking for the whole chain', async () => {
    const { page, errors } = await signedInPage(cityAuditor);
    const search = page.waitForResponse((r) => r.url().includes('/api/v1/audit/entries'));
    await page.goto(`${server.url}/audit`);
    expect((await search).status()).toBe(200);
    await expect.poll(() => page.getByTestId('chain-status').textContent()).toContain('You see the entries about your organisations');
    // Their own sign-in is about their city; the platform auditor's readings and failed sign-in are not.
    const mine = (await server.ctx.audit.search({ actorUserId: cityAuditor.id, limit: 100 })).items.map((e) => e.seq);
    const platform = (await server.ctx.audit.search({ actorUserId: auditor.id, limit: 100 })).items.map((e) => e.seq);
    expect(mine.length).toBeGreaterThan(0);
    expect(platform.length).toBeGreaterThan(0);
    await expect.poll(async () => (await rows(page)).length).toBeGreaterThan(0);
    const shown = (await rows(page)).map((r) => r.seq);
    expect(shown.some((seq) => mine.includes(seq))).toBe(true);
    expect(shown.filter((seq) => platform.includes(seq))).toEqual([]);
    await page.screenshot({ path: join(shots, 'register-city.png') });
    // The CSV holds the same scope.
    const csv = await page.context().request.get(`${server.url}/api/v1/audit/export.csv`, { failOnStatusCode: false });
    expect(csv.status()).toBe(200);
    const seqs = (await csv.text()).slice(1).trim().split(/\r?\n/).slice(1).map((l) => Number(l.split(',')[0]));
    expect(seqs.some((seq) => mine.includes(seq))).toBe(true);
    expect(seqs.filter((seq) => platform.includes(seq))).toEqual([]);
    // The chain as a whole stays platform-wide: asked around the page, it is refused and registered.
    const verify = await page.context().request.get(`${server.url}/api/v1/audit/verify`, { failOnStatusCode: false });
    expect(verify.status()).toBe(403);
    const refused = (await server.ctx.audit.search({ actorUserId: cityAuditor.id, outcome: 'refused', limit: 10 })).items;
    expect(refused.length).toBe(1);
    expect(errors).toEqual([]);
  });

  afterAll(() => {
    process.stderr.write(`register page screenshots: ${shots}\n`);
  });
});
