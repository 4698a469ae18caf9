// Two Vigils in real Chromium (issue 19 §4): a city Vigil (the API and its GB/T 28181 platform)
// has a district Vigil registered under it (its cascade role, its recorder, the RTSP simulator),
// which shares one camera with the city for the catalog, live view and playback. A city duty
// operator opens the console: the district's camera is in the city's tree under the district, it
// plays live on a wall tile with a moving picture (PS over RTP from the district's stream hub,
// through the city's platform to WebRTC), and on the playback page the district's recordings
// show as the device's band; a click on it plays the district's footage (INVITE s=Playback
// answered from the district's recording index) and the picture moves. Leaving each page ends the
// district's stream. Screenshots are kept in a temporary folder, named in the log.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock } from '../../src/domain/clock.js';
import type { GbRuntime } from '../../src/gb28181/open.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { Recorder } from '../../src/recorder/recorder.js';
import { startGb28181Service } from '../../src/services/gb28181.service.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { world } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { ensureWebBuilt, launchBrowser, pollUntil, signInContext, startTestServer, videoMoves, watchPageErrors, type RunningServer } from '../support/browser.js';
import { sleep } from '../support/recorder-harness.js';
import { testSources } from '../support/sources.js';

const DISTRICT_PLATFORM = '34010400002000000001';
const CHANNEL = '34010400001320000041';
const PASSWORD = 'city-domain-secret';
const NAME = '路口 41';
const shots = mkdtempSync(join(tmpdir(), 'vigil-cascade-city-console-'));

let city: RunningServer;
let gb: GbRuntime;
let district: TestApp;
let sim: Simulator;
let cascade: CascadeRuntime;
let browser: Browser;
let page: Page;
let errors: string[];
let cityCameraId: number;
let cityDistrictId: number;
const closers: (() => Promise<unknown> | unknown)[] = [];

describe("the city's console plays a district Vigil's shared camera, live and recorded", () => {
  beforeAll(async () => {
    ensureWebBuilt();
    // The city: API and GB/T 28181 platform, its regions the city and the district.
    city = await startTestServer({ VIGIL_GB_PASSWORD: PASSWORD, VIGIL_GB_PORT: '0' });
    closers.push(() => city.close());
    const cityOrg = await city.ctx.registry.organisations.create({ kind: 'platform', name: '合肥市', nameEn: 'Hefei', level: 'city', regionCode: '340100' });
    cityDistrictId = (await city.ctx.registry.organisations.create({ kind: 'platform', name: '蜀山区', nameEn: 'Shushan', level: 'district', regionCode: '340104', parentId: cityOrg.id })).id;
    gb = await startGb28181Service(city.ctx);
    closers.push(() => gb.close());

    // The district: its own database, a real camera it records, and its cascade role.
    sim = await startSimulator({ cameras: 1, width: 640, height: 360, bitrateKbps: 600, lingerMs: 300 });
    closers.push(() => sim.close());
    district = await testApp('sqlite');
    closers.push(() => district.close());
    const w = await world(district);
    const cam = (await district.repos.cameras.get(w.camA))!;
    const districtCameraId = (await district.repos.cameras.insert({ ...cam, gbId: CHANNEL, name: NAME, sourceUrl: sim.urls[0]! }, district.clock.now())).id;
    const head = new Actor({ userId: district.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
    await district.shares.grant(head, {
      organisationId: w.districtA, recipient: { kind: 'platform', ref: city.ctx.config.gb28181.sipId }, recipientName: '合肥市平台', rights: ['catalog', 'live', 'playback'], cameraIds: [districtCameraId], groupIds: [],
      validFrom: district.clock.now() - 1000, validTo: district.clock.now() + 86_400_000, purpose: '联网共享', approvalDocument: '〔2026〕19号',
    });
    const hub = new StreamHub({ sources: district.sources, sourceUrl: async (id) => (await district.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 200 });
    closers.push(() => hub.close());
    const recorder = new Recorder(
      { dataDir: district.dataDir, settings: { fileSeconds: 2, fragmentMaxMs: 500, reconnectMinMs: 200, reconnectMaxMs: 1000, staggerMs: 0 }, repo: district.repos.recordings, sources: testSources(district.dataDir), clock: systemClock, logger: pino({ level: 'silent' }) },
      { noDataTimeoutMs: 10_000, connectTimeoutMs: 10_000 },
    );
    await recorder.start();
    closers.push(() => recorder.close());
    const settings = configSchema.parse({
      cascade: { sipId: DISTRICT_PLATFORM, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '合肥市平台', sipId: city.ctx.config.gb28181.sipId, address: '127.0.0.1', port: gb.port, password: PASSWORD, keepaliveSeconds: 5 }] },
    }).cascade;
    const catalogued = new Promise<void>((resolve) => gb.platform.on('catalog', (id) => id === DISTRICT_PLATFORM && resolve()));
    cascade = await openCascade({ settings, defaultSipId: DISTRICT_PLATFORM, deviceName: '蜀山区平台', utcOffsetMinutes: 480, repos: district.repos, shares: district.shares, clock: district.clock, logger: pino({ level: 'silent' }), watch: (id, v) => hub.watch(id, v), dataDir: district.dataDir });
    closers.push(() => cascade.close());
    await catalogued;

    // The city's registry keeper puts the catalogued point into service.
    let cityCamera = await city.ctx.repos.cameras.getByGbId(CHANNEL);
    for (let i = 0; i < 100 && !cityCamera; i++) {
      await sleep(100);
      cityCamera = await city.ctx.repos.cameras.getByGbId(CHANNEL);
    }
    cityCameraId = cityCamera!.id;
    await city.ctx.registry.cameras.update(cityCameraId, { status: 'in_service', inServiceDate: '2025-06-01', signage: true, sourceUrl: cityCamera!.sourceUrl! });

    browser = await launchBrowser();
    closers.push(() => browser.close());
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await signInContext(context, city, await city.person('city-duty', [['duty_operator', cityOrg.id]]));
    page = await context.newPage();
    errors = watchPageErrors(page);
  }, 300_000);

  afterAll(async () => {
    console.log(`screenshots: ${shots}`);
    while (closers.length) await closers.pop()!();
  });

  it("plays the district's camera live from the city's tree, the picture moving", async () => {
    expect((await city.ctx.repos.cameras.get(cityCameraId))!.regionId).toBe(cityDistrictId);
    await page.goto(`${city.url}/live`);
    const tree = page.getByTestId('camera-tree');
    await tree.getByTestId(`tree-device-${cityDistrictId}-${DISTRICT_PLATFORM}`).waitFor();
    await page.getByTestId('wall-layout').getByText('1 画面').click();
    await tree.getByTestId(`tree-camera-${cityCameraId}`).dragTo(page.getByTestId('tile-0'));
    await videoMoves(page, '[data-testid="tile-0"] video', 'live');
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor();
    expect(cascade.streams.list()).toContainEqual(expect.objectContaining({ kind: 'Play', channelId: CHANNEL }));
    await page.screenshot({ path: join(shots, 'city-live-district-camera.png') });
    // Leaving the wall for the playback page ends the district's live stream (the city's BYE).
    await page.locator('a[href="/playback"]').first().click();
    await pollUntil("the district's live stream ended", () => !cascade.streams.list().some((s) => s.kind === 'Play'), 300);
    expect(errors).toEqual([]);
  }, 180_000);

  it("plays the district's recorded footage from the device band of the city's playback page", async () => {
    // Half a minute of the district's recording: at the timeline's closest zoom (ten minutes across) a band wide enough to click.
    const districtCamera = (await district.repos.cameras.getByGbId(CHANNEL))!.id;
    await pollUntil('the district recorded half a minute', async () => {
      const spans = await district.repos.recordingIndex.fileSpans(districtCamera, 0, Date.now() + 60_000);
      return spans.length > 0 && spans.at(-1)![1] - spans[0]![0] >= 30_000;
    }, 900);
    await page.goto(`${city.url}/playback`);
    await page.getByTestId('camera-tree').locator('.ant-tree-treenode', { hasText: NAME }).locator('.ant-tree-checkbox').click();
    const bands = page.locator('[data-testid="timeline-row-0"] [data-kind="device"]');
    await bands.first().waitFor({ timeout: 60_000 });
    // The district answers RecordInfo with a record per file (2 s here): in an hour's view they are
    // a few pixels together. The wheel zooms in around them, as far as the timeline goes.
    // Measured in the page in one go: the bands are drawn again as the view changes.
    const span = () =>
      page.evaluate(`(() => {
        const boxes = [...document.querySelectorAll('[data-testid="timeline-row-0"] [data-kind="device"]')].map((e) => e.getBoundingClientRect());
        if (!boxes.length) return { left: 0, right: 0, width: 0, y: 0 };
        const left = Math.min(...boxes.map((b) => b.x));
        const right = Math.max(...boxes.map((b) => b.x + b.width));
        return { left, right, width: right - left, y: boxes[0].y + boxes[0].height / 2 };
      })()`) as Promise<{ left: number; right: number; width: number; y: number }>;
    for (let i = 0, last = -1; i < 20; i++) {
      const b = await span();
      if (b.width >= 60 || (b.width > 0 && b.width === last)) break;
      last = b.width;
      if (!b.width) {
        await sleep(300);
        continue;
      }
      await page.mouse.move((b.left + b.right) / 2, b.y);
      await page.mouse.wheel(0, -100);
      await sleep(300);
    }
    const box = await span();
    await page.screenshot({ path: join(shots, 'city-playback-zoomed.png') });
    expect(box.width, 'the device band zoomed to a clickable width').toBeGreaterThanOrEqual(8);
    await page.mouse.click(box.left + box.width / 3, box.y);
    await page.getByTestId(`device-playback-open-${cityCameraId}`).click();
    await page.locator(`[data-testid="device-playback-${cityCameraId}"][data-phase="playing"]`).waitFor({ timeout: 60_000 });
    expect(cascade.streams.list()).toContainEqual(expect.objectContaining({ kind: 'Playback', channelId: CHANNEL }));
    await videoMoves(page, `[data-testid="device-playback-${cityCameraId}"] video`, 'playback');
    await page.screenshot({ path: join(shots, 'city-playback-district-footage.png') });
    // Leaving the page ends the district's playback stream.
    await page.locator('a[href="/live"]').first().click();
    await pollUntil("the district's playback stream ended", () => !cascade.streams.list().some((s) => s.kind === 'Playback'), 300);
    expect(errors).toEqual([]);
  }, 240_000);
});
