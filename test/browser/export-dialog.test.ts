// The export started from playback (issue 20, item 4), in real Chromium against the real server
// and real recordings: an officer of an approved copy request selects a range on the timeline
// with Shift-drag, opens the export dialog, finds the range and both cameras already filled in,
// presses Enter in the form — one export a camera is started, exactly once, the page is not
// reloaded — and follows them in "my exports" to their download.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dayjs from 'dayjs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordFootage } from '../evidence/footage.js';
import { ACTION_TIMEOUT_MS, csrfOf, ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { scanLanguage } from '../support/language-scan.js';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const HOUR = 3_600_000;

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
const errors: string[] = [];
let officer: Person;
let requestId: number;
let cams: number[];
const range = { from: 0, to: 0 };
const shots = mkdtempSync(join(tmpdir(), 'vigil-export-shots-'));

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

describe('exporting a range chosen on the playback timeline', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await created(server.api('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' }));
    const shushan = await created(server.api('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city, regionCode: '340104' }));
    const station = await created(server.api('POST', '/organisations', { kind: 'platform', name: '三里庵派出所', nameEn: 'Sanli\'an station', level: 'station', parentId: shushan }));
    cams = [
      await created(server.api('POST', '/cameras', { gbId: '34010400001320000001', name: '校门口', deviceType: 'fixed', address: '合肥市', placeCategory: 'schools', regionId: shushan, funding: 'self', signage: true })),
      await created(server.api('POST', '/cameras', { gbId: '34010400001320000002', name: '操场', deviceType: 'fixed', address: '合肥市', placeCategory: 'schools', regionId: shushan, funding: 'self', signage: true })),
    ];
    range.from = Math.floor((Date.now() - 2 * HOUR) / 1000) * 1000;
    range.to = range.from + HOUR;
    for (const cam of cams) await recordFootage(server.ctx.repos, server.dataDir, cam, { startMs: range.from + 120_000, files: 2, secondsPerFile: 4, gapMs: 1000 });
    // An event on the first camera's timeline, as the recorder writes them, to hover.
    await server.ctx.db.kysely.insertInto('camera_events').values({ camera_id: cams[0]!, kind: 'clock_jump', start_ms: range.from + 900_000, end_ms: null, detail: 'camera clock 2.5 s ahead' }).execute();
    officer = await server.person('officer-a', [['investigator', station]], { workId: 'J2001', displayName: '王警官' });
    const second = await server.person('officer-b', [['investigator', station]], { workId: 'J2002', displayName: '赵警官' });
    const head = await server.person('head', [['approver', shushan]], { workId: 'H3001', displayName: '蜀山区负责人' });
    browser = await launchBrowser();

    const [a, b, h] = [await contextOf(officer), await contextOf(second), await contextOf(head)];
    const base = `${server.url}/api/v1`;
    const ha = { 'x-csrf-token': await csrfOf(a, server) };
    const draft = await a.request.post(`${base}/access-requests`, {
      headers: ha,
      data: {
        kind: 'copy', requesterKind: 'public-security', requestingUnit: '三里庵派出所', purpose: '校园盗窃案取证', destination: '办案系统',
        custodianId: shushan, cameraIds: cams, ...range, validityHours: 24, officerWorkIds: ['J2001', 'J2002'],
      },
    });
    expect(draft.status(), await draft.text()).toBe(201);
    requestId = ((await draft.json()) as { id: number }).id;
    expect((await a.request.post(`${base}/access-requests/${requestId}/confirm`, { headers: ha })).status()).toBe(200);
    expect((await b.request.post(`${base}/access-requests/${requestId}/confirm`, { headers: { 'x-csrf-token': await csrfOf(b, server) } })).status()).toBe(200);
    expect((await a.request.put(`${base}/access-requests/${requestId}/document`, { headers: { ...ha, 'content-type': 'image/png' }, data: PNG })).status()).toBe(200);
    expect((await a.request.post(`${base}/access-requests/${requestId}/submit`, { headers: ha })).status()).toBe(200);
    const ok = await h.request.post(`${base}/access-requests/${requestId}/approve`, { headers: { 'x-csrf-token': await csrfOf(h, server) } });
    expect(ok.status(), await ok.text()).toBe(200);
    expect(((await ok.json()) as { state: string }).state).toBe('approved');
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    console.info(`export screenshots in ${shots}`);
  });

  it('prefills the dialog from the timeline selection, starts one export a camera on Enter, once, and lists them to download', async () => {
    const context = await contextOf(officer);
    const page: Page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    errors.push(...watchPageErrors(page));
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/exports') posts.push(r.postData() ?? '');
    });

    await page.goto(`${server.url}/playback`);
    await page.getByTestId('playback-request').click();
    await page.locator('.ant-select-item-option', { hasText: '校园盗窃案取证' }).click();
    await page.getByTestId('timeline-row-1').waitFor();
    // The legend says what the colours are; before the first recording nothing is painted as a gap; the event can be hovered and says what happened.
    expect(await page.getByTestId('timeline-legend').textContent()).toContain('开始录像之前');
    // The span before the first recording is painted once the camera's first recording is known (its own read): wait for it, then exactly one.
    await page.getByTestId('timeline-row-0').locator('[data-kind="before"]').first().waitFor();
    expect(await page.getByTestId('timeline-row-0').locator('[data-kind="before"]').count()).toBe(1);
    await page.getByTestId('timeline-row-0').getByTestId('timeline-event').hover();
    await page.locator('.ant-tooltip', { hasText: '摄像机时钟跳变: camera clock 2.5 s ahead' }).waitFor();
    await page.mouse.move(0, 0);
    // Clicking the event seeks there; a bookmark with a note marks that instant on both cameras.
    await page.getByTestId('timeline-row-0').getByTestId('timeline-event').click();
    await waitForTrue(page, `Number(document.querySelector('[data-testid="playback-clock"]').dataset.seeks) >= 1`);
    await page.getByTestId('playback-bookmark').click();
    await page.getByTestId('bookmark-note').fill('嫌疑人出现');
    await page.getByTestId('bookmark-note').press('Enter');
    await page.getByTestId('timeline-row-1').getByTestId('timeline-bookmark').waitFor();
    expect(await page.getByTestId('timeline').getByTestId('timeline-bookmark').count()).toBe(2);
    // Kept on the server, the officer's own: they follow the officer to any desk.
    const kept = await server.ctx.repos.bookmarks.listOf(officer.id);
    expect(kept.map((b) => [b.cameraId, b.note])).toEqual(expect.arrayContaining([[cams[0], '嫌疑人出现'], [cams[1], '嫌疑人出现']]));
    expect(new Set(kept.map((b) => b.at)).size).toBe(1);
    await page.getByTestId('playback-play').click();

    // Shift-drag on the first camera's row from 1 to 20 minutes into the request.
    const svg = page.getByTestId('timeline');
    const box = (await svg.boundingBox())!;
    const viewFrom = Number(await svg.getAttribute('data-view-from'));
    const viewTo = Number(await svg.getAttribute('data-view-to'));
    const plot = box.width - 140;
    const xAt = (ms: number) => box.x + 140 + ((ms - viewFrom) / (viewTo - viewFrom)) * plot;
    const rowBox = (await page.getByTestId('timeline-row-0').boundingBox())!;
    const y = rowBox.y + rowBox.height / 2;
    await page.keyboard.down('Shift');
    await page.mouse.move(xAt(range.from + 60_000), y);
    await page.mouse.down();
    await page.mouse.move(xAt(range.from + 600_000), y, { steps: 5 });
    await page.mouse.move(xAt(range.from + 1_200_000), y, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.up('Shift');
    const selection = page.getByTestId('timeline-selection');
    const sel = { from: Number(await selection.getAttribute('data-from')), to: Number(await selection.getAttribute('data-to')) };
    // Within a pixel's worth of time of where the pointer went down and up.
    const pixel = (viewTo - viewFrom) / plot;
    expect(Math.abs(sel.from - (range.from + 60_000))).toBeLessThanOrEqual(2 * pixel);
    expect(Math.abs(sel.to - (range.from + 1_200_000))).toBeLessThanOrEqual(2 * pixel);
    await page.getByTestId('playback-selection').waitFor();
    await page.screenshot({ path: join(shots, 'selection.png') });

    // The dialog opens with the request, both cameras and the selected range.
    await page.evaluate('window.__notReloaded = true');
    await page.getByTestId('playback-export').click();
    const dialog = page.getByTestId('export-dialog');
    await dialog.getByText('校园盗窃案取证').waitFor();
    const inputs = dialog.locator('.ant-picker-range input');
    const shown = (ms: number) => dayjs(ms).format('YYYY-MM-DD HH:mm:ss');
    await waitForTrue(page, `document.querySelector('[data-testid="export-dialog"] .ant-picker-range input').value === ${JSON.stringify(shown(sel.from))}`);
    expect(await inputs.nth(0).inputValue()).toBe(shown(sel.from));
    expect(await inputs.nth(1).inputValue()).toBe(shown(sel.to));
    const ticked = dialog.getByTestId('export-cameras').locator('.ant-checkbox-wrapper-checked');
    expect(await ticked.allTextContents()).toEqual(['校门口', '操场']);
    expect(await scanLanguage(page)).toEqual({ sentences: [], missingKeys: [] });
    await page.screenshot({ path: join(shots, 'dialog.png') });

    // Enter in the form: one export a camera, once, and on to "my exports" without a reload.
    await inputs.nth(1).click();
    await inputs.nth(1).press('Enter');
    await page.waitForURL(/\/exports$/);
    const rows = page.getByTestId('my-exports').locator('.ant-table-row');
    await rows.nth(1).waitFor();
    expect(await page.evaluate('window.__notReloaded === true')).toBe(true);
    await page.waitForLoadState('networkidle');
    expect(posts.map((p) => JSON.parse(p) as { cameraId: number; from: number; to: number })).toEqual(
      cams.map((cameraId) => ({ requestId, cameraId, from: Math.floor(sel.from / 1000) * 1000, to: Math.floor(sel.to / 1000) * 1000 })),
    );
    expect(await rows.count()).toBe(2);

    // Both finish; each row names its camera and offers the package.
    await page.getByTestId('my-exports').getByTestId('export-row-download').nth(1).waitFor({ timeout: 120_000 });
    expect(await rows.allTextContents()).toEqual([expect.stringContaining('操场'), expect.stringContaining('校门口')]);
    expect(await page.getByTestId('export-row-state').allTextContents()).toEqual(['已完成', '已完成']);
    const href = (await page.getByTestId('export-row-download').first().getAttribute('href'))!;
    const zip = await context.request.get(new URL(href, server.url).toString());
    expect(zip.status()).toBe(200);
    expect(zip.headers()['content-type']).toBe('application/zip');
    expect(await scanLanguage(page)).toEqual({ sentences: [], missingKeys: [] });
    await page.screenshot({ path: join(shots, 'my-exports.png') });
  }, 300_000);

  it('logged no script errors', () => {
    expect(errors).toEqual([]);
  });
});
