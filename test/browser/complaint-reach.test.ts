// A public complaint reaches the supervisor (issue 20, item 7), in real Chromium against the real
// server: someone without an account opens the complaint form with no region in the link, reads it
// in English with the form's language switch, files the complaint in Chinese, and the city's
// police supervisor finds it in 检举控告 and records how it was handled.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, startTestServer, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { scanLanguage } from '../support/language-scan.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let supervisor: Person;
let complaintId: number;
const shots = mkdtempSync(join(tmpdir(), 'vigil-complaint-shots-'));

async function newPage(p?: Person): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN' });
  contexts.push(context);
  if (p) await signInContext(context, server, p);
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  errors.push(...watchPageErrors(page));
  return page;
}

describe('a public complaint reaches the supervisor', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    expect(city.status).toBe(201);
    supervisor = await server.person('city-police', [['supervisor', city.body.id]], { displayName: '市公安局监管', workId: 'P9001' });
    browser = await launchBrowser();
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    console.info(`complaint screenshots in ${shots}`);
  });

  it('lets anyone read the form in English and file it in Chinese, with no region in the link', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/complaint`);
    await page.getByTestId('complaint-about').waitFor();
    await page.getByTestId('language-switch').getByText('English').click();
    await page.getByText('Report or complain about the supervisors').waitFor();
    await page.getByText('No region given: the complaint goes to the supervisors of every region.').waitFor();
    await page.screenshot({ path: join(shots, 'form-english.png') });
    await page.getByTestId('language-switch').getByText('中文').click();
    await page.getByText('未指定地区：检举控告将送达所有地区的监管部门。').waitFor();
    expect(await scanLanguage(page)).toEqual({ sentences: [], missingKeys: [] });

    await page.getByTestId('complaint-about').fill('检查人员态度');
    await page.getByTestId('complaint-text').fill('监督检查时检查人员未出示证件且态度恶劣');
    await page.getByTestId('complaint-submit').click();
    const received = page.getByTestId('complaint-received');
    await received.waitFor();
    complaintId = Number(/(\d+)/.exec((await received.textContent()) ?? '')![1]);
    expect(complaintId).toBeGreaterThan(0);
    await page.screenshot({ path: join(shots, 'received.png') });
  }, 300_000);

  it('shows it to the city\'s police supervisor in 检举控告', async () => {
    const page = await newPage(supervisor);
    await page.goto(`${server.url}/complaints`);
    await page.getByTestId('complaints-table').getByText('检查人员态度', { exact: true }).waitFor();
    await page.screenshot({ path: join(shots, 'supervisor-list.png') });
    // Through the supervisor's own session: a complaint naming no region, the one filed above.
    const listed = ((await (await page.context().request.get(`${server.url}/api/v1/complaints`)).json()) as { items: { id: number; regionId: number | null }[] }).items;
    expect(listed.find((c) => c.id === complaintId)).toMatchObject({ regionId: null });
  }, 300_000);

  it('logged no script errors', () => {
    expect(errors).toEqual([]);
  });
});
