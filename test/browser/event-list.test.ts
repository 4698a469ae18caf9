// The event list (issue 20 item 10) in real Chromium against the real server, in Chinese and in
// English: a duty operator narrows the list to a time range and one kind (a recording gap) across
// two cameras whose footage is really recorded (a plain colour each, indexed as the recorder does),
// sees both cameras' gaps with a picture of each recording at that instant and nothing outside the
// range (and the district's subtree), then opens playback at one gap's instant and the player shows that camera's picture there.
// Before that, with the list open on its default range (up to now), alarms are raised: one routed to
// the operator's district with no camera and one on a camera appear without a reload, and a
// platform-wide one (storage: beyond a district operator's reach) never does; then the recorder
// indexes a camera's error and disconnection (its index writer, as a recording session does) and
// both appear without a reload, in their place by time although they began before the newest alarm.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION_TIMEOUT_MS, ensureWebBuilt, launchBrowser, signInContext, signedInEnglishPage, startTestServer, videoLuma, waitForTrue, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { recordFootage } from '../support/recorded-footage.js';
import { startRecorderService } from '../../src/services/recorder.service.js';

let server: RunningServer;
let recording: Awaited<ReturnType<typeof startRecorderService>>;
let browser: Browser;
const contexts: BrowserContext[] = [];
let operator: Person;
let camA: number;
let camB: number;
let districtId: number;
/** The instant the cameras (re)connected; gaps at T + 2 s (A) and T + 3 s (B), another gap of A half an hour before. */
let T: number;
const shots = mkdtempSync(join(tmpdir(), 'vigil-events-shots-'));

/** As the range picker shows times: UTC (the browser's time zone below). */
const typed = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

describe('the event list in the console', () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer();
    const city = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' });
    const district = await server.api<{ id: number }>('POST', '/organisations', { kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', parentId: city.body.id, regionCode: '340104' });
    const camera = async (i: number, name: string) => {
      const r = await server.api<{ id: number }>('POST', '/cameras', { gbId: `3401040000132000000${i}`, name, deviceType: 'fixed', address: '合肥市', placeCategory: 'schools', regionId: district.body.id, funding: 'self', signage: true });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id;
    };
    districtId = district.body.id;
    camA = await camera(1, '校门口');
    camB = await camera(2, '操场');
    T = Math.floor((Date.now() - 600_000) / 1000) * 1000;
    const repos = server.ctx.repos;
    await recordFootage(repos, server.dataDir, camA, T - 1_800_000, 4, 'yellow');
    await recordFootage(repos, server.dataDir, camA, T, 8, 'yellow');
    await recordFootage(repos, server.dataDir, camB, T, 8, 'cyan');
    const ev = (cameraId: number, kind: 'gap' | 'connected' | 'clock_jump', at: number) => ({ cameraId, kind, startMs: at, endMs: kind === 'gap' ? at + 1000 : null, detail: '' });
    await repos.recordings.commit({
      fragments: [], fileProgress: [],
      events: [ev(camA, 'gap', T - 1_798_000), ev(camA, 'connected', T), ev(camB, 'clock_jump', T + 1000), ev(camA, 'gap', T + 2000), ev(camB, 'gap', T + 3000)],
    });
    operator = await server.person('operator', [['duty_operator', district.body.id]], { displayName: '值班员' });
    // The recorder role beside the API, as `vigil serve` runs them: its cameras have no source, so
    // it records nothing; what its index writer is told goes to the index and the event stream.
    recording = await startRecorderService(server.ctx);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await recording?.close();
    await server?.close();
  });

  async function seesLive(page: Page, errors: string[], lang: 'zh' | 'en', labels: { district: string; noticeLate: string; finding: string; platformWide: string; disconnected: string; error: string }) {
    await page.goto(`${server.url}/events`);
    // The first page is shown and the event stream is open: what is raised now is news.
    await waitForTrue(page, `(() => { const l = document.querySelector('[data-testid="events-live"]'); return Number(document.querySelector('[data-testid="events-table"]')?.dataset.searches) >= 1 && l?.dataset.live === 'yes' && l?.dataset.stream === 'open'; })()`);
    const arrived = Number(await page.getByTestId('events-live').getAttribute('data-arrived'));
    const alarms = server.ctx.health.alarms;
    // Everything listed so far (the other language's run included) is older than this.
    const before = Date.now();
    while (Date.now() <= before) await new Promise((r) => setTimeout(r, 1));
    // The platform-wide one first: had it been let through, it would be fetched with the two after it.
    await alarms.raise({ kind: 'storage', severity: 'critical', camera_id: null, organisation_id: null, title: `Storage ${lang}` });
    const notice = await alarms.raise({ kind: 'notice_late', severity: 'warning', camera_id: null, organisation_id: districtId, title: `Notice ${lang}` });
    const finding = await alarms.raise({ kind: 'finding', severity: 'warning', camera_id: camA, organisation_id: districtId, title: `Finding ${lang}`, clip_from: T + 2000 });
    const rows = page.locator('[data-testid="events-table"] tbody tr[data-row-key]');
    await waitForTrue(page, `!!document.querySelector('[data-testid="events-table"] tbody tr[data-row-key="alarm-${notice.id}"]') && !!document.querySelector('[data-testid="events-table"] tbody tr[data-row-key="alarm-${finding.id}"]')`, { timeout: ACTION_TIMEOUT_MS });
    expect(Number(await page.getByTestId('events-live').getAttribute('data-arrived'))).toBe(arrived + 2);
    // Newest first: the two new ones on top, the camera's (raised last) above the district's.
    expect(await rows.nth(0).getAttribute('data-row-key')).toBe(`alarm-${finding.id}`);
    expect(await rows.nth(1).getAttribute('data-row-key')).toBe(`alarm-${notice.id}`);
    const noticeRow = page.locator(`[data-testid="events-table"] tbody tr[data-row-key="alarm-${notice.id}"]`);
    const noticeText = await noticeRow.innerText();
    for (const word of [labels.district, labels.noticeLate, `Notice ${lang}`]) expect(noticeText).toContain(word);
    expect(await noticeRow.locator('button').count()).toBe(0);
    const findingText = await rows.nth(0).innerText();
    for (const word of ['校门口', labels.finding, `Finding ${lang}`]) expect(findingText).toContain(word);
    expect(await page.getByTestId(`event-playback-alarm-${finding.id}`).count()).toBe(1);
    expect(await page.locator('[data-testid="events-table"]').innerText()).not.toContain(`Storage ${lang}`);
    expect(await page.locator('[data-testid="events-table"]').innerText()).not.toContain(labels.platformWide);
    // The recorder's events, begun just before the alarms above and after everything listed
    // before them: an error of B, and A losing its connection. They join the list without a
    // reload, below the newer alarms and above the older rows.
    const keysBefore = new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row-key'))));
    recording.recorder.index.event({ cameraId: camB, kind: 'error', startMs: before - 2, endMs: null, detail: `SOURCE_UNAVAILABLE: ${lang}` });
    recording.recorder.index.event({ cameraId: camA, kind: 'disconnected', startMs: before - 1, endMs: null, detail: '' });
    await recording.recorder.index.flush();
    const newKeys = `[...document.querySelectorAll('[data-testid="events-table"] tbody tr[data-row-key^="recording-"]')].map((tr) => tr.dataset.rowKey).filter((k) => !${JSON.stringify([...keysBefore])}.includes(k))`;
    await waitForTrue(page, `${newKeys}.length === 2`, { timeout: ACTION_TIMEOUT_MS });
    expect(Number(await page.getByTestId('events-live').getAttribute('data-arrived'))).toBe(arrived + 4);
    const order = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row-key')));
    const [disconnectKey, errorKey] = (await page.evaluate(newKeys)) as string[];
    // Newest first: the alarms, then A's disconnection, then B's error.
    expect(order.slice(0, 4)).toEqual([`alarm-${finding.id}`, `alarm-${notice.id}`, disconnectKey, errorKey]);
    const disconnectText = await page.locator(`[data-testid="events-table"] tbody tr[data-row-key="${disconnectKey}"]`).innerText();
    for (const word of ['校门口', labels.disconnected]) expect(disconnectText).toContain(word);
    const errorText = await page.locator(`[data-testid="events-table"] tbody tr[data-row-key="${errorKey}"]`).innerText();
    for (const word of ['操场', labels.error]) expect(errorText).toContain(word);
    await page.screenshot({ path: join(shots, `events-live-${lang}.png`), fullPage: true });
    expect(errors).toEqual([]);
  }

  async function findAndPlay(page: Page, errors: string[], lang: 'zh' | 'en', gapLabel: string, district: string) {
    await page.goto(`${server.url}/events`);
    const table = page.getByTestId('events-table');
    await waitForTrue(page, `Number(document.querySelector('[data-testid="events-table"]')?.dataset.searches) >= 1`);
    // The time range: a minute either side of the reconnection (the earlier gap lies outside it).
    const inputs = page.locator('[data-testid="events-filter"] .ant-picker-range input');
    await inputs.nth(0).click();
    await inputs.nth(0).fill(typed(T - 60_000));
    await inputs.nth(0).press('Enter');
    await inputs.nth(1).fill(typed(T + 60_000));
    await inputs.nth(1).press('Enter');
    // Enter on the end time confirms the range and closes the picker. Should it stay open, its OK
    // button confirms it; either way the picker is closed before going on (a click that waited for
    // an OK button that is not there used to spend its whole minute here).
    const picker = page.locator('.ant-picker-dropdown:visible');
    await expect.poll(async () => {
      const ok = picker.locator('.ant-picker-ok button');
      if (await ok.isVisible()) await ok.click({ timeout: 5_000 }).catch(() => undefined);
      return picker.count();
    }, { timeout: ACTION_TIMEOUT_MS }).toBe(0);
    // The kind: recording gaps.
    await page.getByTestId('events-kinds').click();
    await page.locator('.ant-select-dropdown .ant-select-item-option', { hasText: gapLabel }).click();
    await page.keyboard.press('Escape');
    // The district's subtree: both cameras stand in it.
    await page.getByTestId('events-organisation').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option', { hasText: district }).click();
    const before = Number(await table.getAttribute('data-searches'));
    await page.getByTestId('events-search').click();
    await waitForTrue(page, `Number(document.querySelector('[data-testid="events-table"]')?.dataset.searches) > ${before}`);
    const rows = table.locator('tbody tr[data-row-key]');
    await expect.poll(() => rows.count(), { timeout: ACTION_TIMEOUT_MS }).toBe(2);
    const texts = await rows.allInnerTexts();
    expect(texts[0]).toContain('操场');
    expect(texts[1]).toContain('校门口');
    for (const text of texts) expect(text).toContain(gapLabel);
    // Each row's picture is a frame of that camera's recording: decoded and shown.
    await waitForTrue(page, `[...document.querySelectorAll('[data-testid="events-table"] tbody img')].length === 2 && [...document.querySelectorAll('[data-testid="events-table"] tbody img')].every((i) => i.complete && i.naturalWidth > 0)`, { timeout: ACTION_TIMEOUT_MS });
    await page.screenshot({ path: join(shots, `events-${lang}.png`), fullPage: true });
    // Playback at the gap of camera A (校门口): its instant, its picture.
    const keyA = await rows.nth(1).getAttribute('data-row-key');
    await page.getByTestId(`event-playback-${keyA}`).click();
    await page.waitForURL(/\/playback\?camera=\d+&at=\d+/);
    expect(new URL(page.url()).searchParams.get('camera')).toBe(String(camA));
    await waitForTrue(page, `Number(document.querySelector('[data-testid="playback-clock"]')?.dataset.seeks) >= 1`, { timeout: ACTION_TIMEOUT_MS });
    const ms = Number(await page.getByTestId('playback-clock').getAttribute('data-ms'));
    expect(ms).toBeGreaterThanOrEqual(T + 2000);
    expect(ms).toBeLessThan(T + 4000);
    await expect.poll(() => videoLuma(page, `[data-testid="playback-tile-${camA}"] video`), { timeout: ACTION_TIMEOUT_MS }).toBeGreaterThan(195);
    await page.screenshot({ path: join(shots, `events-playback-${lang}.png`) });
    expect(errors).toEqual([]);
  }

  it('finds the gaps of two cameras by time and kind, with their pictures, and opens playback at one (中文)', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN', timezoneId: 'UTC' });
    contexts.push(context);
    await signInContext(context, server, operator);
    const page = await context.newPage();
    page.setDefaultTimeout(ACTION_TIMEOUT_MS);
    const errors = watchPageErrors(page);
    await seesLive(page, errors, 'zh', { district: '蜀山区', noticeLate: '报告逾期', finding: '诊断异常', platformWide: '全平台', disconnected: '连接断开', error: '错误' });
    await findAndPlay(page, errors, 'zh', '录像中断', '蜀山区');
  }, 300_000);

  it('does the same in English', async () => {
    const { page, errors } = await signedInEnglishPage(browser, server, operator, contexts);
    await seesLive(page, errors, 'en', { district: 'Shushan', noticeLate: 'Late notice', finding: 'Diagnostic finding', platformWide: 'Platform-wide', disconnected: 'Disconnected', error: 'Error' });
    await findAndPlay(page, errors, 'en', 'Recording gap', 'Shushan');
    console.info(`screenshots in ${shots}`);
  }, 300_000);
});
