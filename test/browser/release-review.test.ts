// The release review page in real Chromium against the real API (issue 23): under a release
// request approved by the station's head (AH-21) and the school's (the custodian, CN799-22), the
// investigator starts the masking from the page; the school's head watches the masked clip, draws
// a missed region on the picture, masks again and approves; the released file, taken as the
// public channel would, has that region masked — checked in its pixels against the original.
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SegmentStore } from '../../src/recorder/segment-store/segment-store.js';
import type { ReleaseManifest } from '../../src/release/release-manifest.js';
import { ACTION_TIMEOUT_MS, csrfOf, ensureWebBuilt, launchBrowser, signInContext, startTestServer, waitForTrue, watchPageErrors, type Person, type RunningServer } from '../support/browser.js';
import { recordFootage, type WrittenFile } from '../evidence/footage.js';

const run = promisify(execFile);
const W = 320;
const H = 180;
const MASKING_MS = 240_000;

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
let requestId: number;
let files: WrittenFile[];
let inv: Person;
let schoolHead: Person;

async function contextOf(p: Person): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1100 }, locale: 'en-US' });
  contexts.push(context);
  await context.addInitScript("window.localStorage.setItem('vigil.language', 'en')");
  await signInContext(context, server, p);
  return context;
}

async function pageOf(context: BrowserContext): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return { page, errors: watchPageErrors(page) };
}

async function lumaFrames(path: string): Promise<Buffer[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 28 });
  return Array.from({ length: Math.floor(stdout.length / (W * H)) }, (_, i) => stdout.subarray(i * W * H, (i + 1) * W * H));
}

/** Mean absolute deviation of the picture inside `r` from its own mean: 0 for a flat fill. */
const spread = (f: Buffer, r: { x: number; y: number; w: number; h: number }) => {
  let sum = 0;
  for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) sum += f[y * W + x]!;
  const mean = sum / (r.w * r.h);
  let dev = 0;
  for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) dev += Math.abs(f[y * W + x]! - mean);
  return dev / (r.w * r.h);
};

describe('the release review page', () => {
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
    const station = await org({ kind: 'platform', name: '三里庵派出所', level: 'station', parentId: district });
    const school = await org({ kind: 'unit', name: '示范中学', nameEn: 'Model School', unitRoles: ['user'], parentId: district });
    const cam = await server.api<{ id: number }>('POST', '/cameras', {
      gbId: '34010400001320000001', name: '东门', deviceType: 'dome', address: '长江路1号', placeCategory: server.ctx.rules.mandatoryCategories('anhui')[0]!.id, keyPosition: false,
      regionId: district, ownerUnitId: school, userUnitId: school, funding: 'government', signage: true, status: 'planned',
    });
    expect(cam.status, JSON.stringify(cam.body)).toBe(201);
    const now = Date.now();
    const range = { from: now - 2 * 3_600_000, to: now - 3_600_000 };
    // Two recordings with a gap: 8 s, 200 frames of 320×180.
    files = await recordFootage(server.ctx.repos, server.dataDir, cam.body.id, { startMs: range.from + 60_000, files: 2, secondsPerFile: 4, gapMs: 1000 });
    inv = await server.person('inv', [['investigator', station]], { workId: 'P001', displayName: 'Investigator' });
    const stationHead = await server.person('stationhead', [['approver', station]], { workId: 'H001', displayName: 'Station head' });
    schoolHead = await server.person('schoolhead', [['approver', school]], { workId: 'S001', displayName: 'School head' });
    browser = await launchBrowser();
    const base = `${server.url}/api/v1`;
    const a = await contextOf(inv);
    const ha = { 'x-csrf-token': await csrfOf(a, server) };
    const draft = await a.request.post(`${base}/access-requests`, {
      headers: ha,
      data: {
        kind: 'release', requesterKind: 'public-security', requestingUnit: '三里庵派出所', purpose: '寻找目击证人', destination: '合肥警方微博',
        custodianId: school, cameraIds: [cam.body.id], ...range, validityHours: 24, officerWorkIds: [],
      },
    });
    expect(draft.status(), await draft.text()).toBe(201);
    requestId = ((await draft.json()) as { id: number }).id;
    expect((await a.request.post(`${base}/access-requests/${requestId}/submit`, { headers: ha })).status()).toBe(200);
    for (const head of [stationHead, schoolHead]) {
      const c = await contextOf(head);
      const r = await c.request.post(`${base}/access-requests/${requestId}/approve`, { headers: { 'x-csrf-token': await csrfOf(c, server) } });
      expect(r.status(), await r.text()).toBe(200);
    }
  }, 300_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  it('a region drawn by the reviewer is masked in the released file', async () => {
    // The requester starts the masking from the page.
    const { page: p1, errors: e1 } = await pageOf(contexts[0]!);
    await p1.goto(`${server.url}/releases?request=${requestId}`);
    await p1.getByTestId('release-start').click();
    await p1.getByTestId('release-state').filter({ hasText: 'In review' }).waitFor({ timeout: MASKING_MS });
    // The notice as the Anhui profile words it (profiles/anhui.json, releaseCaption).
    expect(await p1.getByTestId('release-caption').textContent()).toContain('本视频经示范中学脱敏处理后发布');
    expect(e1).toEqual([]);

    // The school's head reviews: watches the masked clip, draws a region over the top left.
    const { page, errors } = await pageOf(await contextOf(schoolHead));
    await page.goto(`${server.url}/releases?request=${requestId}`);
    await page.getByTestId('release-state').filter({ hasText: 'In review' }).waitFor();
    await waitForTrue(page, `(document.querySelector('[data-testid="release-video"]')?.videoWidth ?? 0) > 0`);
    await page.getByTestId('release-draw').click();
    const area = (await page.getByTestId('release-draw-area').boundingBox())!;
    await page.mouse.move(area.x + area.width * 0.1, area.y + area.height * 0.15);
    await page.mouse.down();
    await page.mouse.move(area.x + area.width * 0.3, area.y + area.height * 0.3, { steps: 4 });
    await page.mouse.move(area.x + area.width * 0.45, area.y + area.height * 0.55, { steps: 4 });
    await page.mouse.up();
    await page.getByTestId('release-from').fill('0');
    await page.getByTestId('release-to').fill('199');
    await page.getByTestId('release-add-region').click();
    await page.getByTestId('release-masks').getByText('Added by hand').waitFor();
    await page.getByTestId('release-remask').click();
    await page.getByTestId('release-state').filter({ hasText: 'Masking' }).waitFor();
    await page.getByTestId('release-state').filter({ hasText: 'In review' }).waitFor({ timeout: MASKING_MS });
    await page.getByTestId('release-approve').click();
    await page.getByTestId('release-state').filter({ hasText: 'Approved for release' }).waitFor();
    await page.getByTestId('release-file').waitFor();
    expect(errors).toEqual([]);

    // Taken as the public channel gets it, and compared with the original.
    const ctx = contexts.at(-1)!;
    const releaseId = ((await (await ctx.request.get(`${server.url}/api/v1/access-requests/${requestId}/releases`)).json()) as { id: number }[])[0]!.id;
    const manifest = (await (await ctx.request.get(`${server.url}/api/v1/releases/${releaseId}/manifest`)).json()) as ReleaseManifest;
    const box = manifest.masks.manual[0]!.box;
    // Where it was drawn: 10–45 % across, 15–55 % down the picture.
    expect(box.x).toBeGreaterThan(0.1 * W - 4);
    expect(box.x).toBeLessThan(0.1 * W + 4);
    expect(box.x + box.w).toBeGreaterThan(0.45 * W - 4);
    expect(box.y + box.h).toBeGreaterThan(0.55 * H - 4);
    const file = await ctx.request.get(`${server.url}/api/v1/releases/${releaseId}/file`);
    expect(file.status()).toBe(200);
    const path = join(mkdtempSync(join(tmpdir(), 'vigil-release-')), 'released.mp4');
    writeFileSync(path, await file.body());
    const released = await lumaFrames(path);
    const store = new SegmentStore(server.dataDir);
    const original = [...(await lumaFrames(store.absolute(files[0]!.path))), ...(await lumaFrames(store.absolute(files[1]!.path)))];
    expect(released).toHaveLength(200);
    const inside = { x: Math.ceil(box.x) + 3, y: Math.ceil(box.y) + 3, w: Math.floor(box.w) - 6, h: Math.floor(box.h) - 6 };
    for (const n of [0, 60, 120, 199]) {
      expect(spread(original[n]!, inside), `original frame ${n}`).toBeGreaterThan(20);
      expect(spread(released[n]!, inside), `released frame ${n}`).toBeLessThan(3);
    }
  }, 600_000);
});
