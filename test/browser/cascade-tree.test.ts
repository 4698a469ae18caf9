// The city's console and a lower one's channels (issue 19): a simulated lower device (an NVR, SIP
// ID type 118, as a district's NVR or a lower platform's catalog) registers to the city with three
// channels whose region codes are a district the city knows, a district it does not know (its city
// is known) and a code from another province (nothing known). In real Chromium a city duty
// operator's tree by region shows each channel under its region, inside a node naming the lower
// device it came through, with the code shown where the region it sits under is not its own; and
// one of them plays live from the tree on a wall tile.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGb28181Service } from '../../src/services/gb28181.service.js';
import type { GbRuntime } from '../../src/gb28181/open.js';
import { SharedEncoder } from '../../src/sim/encoder.js';
import { SimGbDevice } from '../../src/sim/gb-device.js';
import { defaultFontFile } from '../../src/sim/picture.js';
import { ensureWebBuilt, launchBrowser, signInContext, startTestServer, watchPageErrors, type RunningServer, videoLuma } from '../support/browser.js';
import { sleep } from '../support/recorder-harness.js';

const LOWER = '34010000001180000009';
const KNOWN_DISTRICT = '34010200001310000011';
const UNKNOWN_DISTRICT = '34010300001310000012';
const OTHER_PROVINCE = '11010100001310000013';
const shots = mkdtempSync(join(tmpdir(), 'vigil-cascade-tree-shots-'));

let server: RunningServer;
let gb: GbRuntime;
let encoder: SharedEncoder;
let lower: SimGbDevice;
let browser: Browser;
let page: Page;
let errors: string[];
let cityId: number;
let districtId: number;
const ids = new Map<string, number>();

describe("a lower platform's channels in the city's tree by region", () => {
  beforeAll(async () => {
    ensureWebBuilt();
    server = await startTestServer({ VIGIL_GB_PASSWORD: 'cascade-domain-secret', VIGIL_GB_PORT: '0' });
    const city = await server.ctx.registry.organisations.create({ kind: 'platform', name: '示范市', nameEn: 'Demo City', level: 'city', regionCode: '340100' });
    const district = await server.ctx.registry.organisations.create({ kind: 'platform', name: '示范区', nameEn: 'Demo District', level: 'district', regionCode: '340102', parentId: city.id });
    cityId = city.id;
    districtId = district.id;
    gb = await startGb28181Service(server.ctx);
    encoder = new SharedEncoder({ kind: 'live', width: 640, height: 360, fps: 25, fontFile: defaultFontFile(), bitrateKbps: 800, gop: 25 });
    encoder.start();
    const catalogued = new Promise((r) => gb.platform.on('catalog', (id) => id === LOWER && r(id)));
    lower = new SimGbDevice({
      deviceId: LOWER,
      password: 'cascade-domain-secret',
      platform: { id: server.ctx.config.gb28181.sipId, host: '127.0.0.1', port: gb.port },
      channels: [
        { id: KNOWN_DISTRICT, name: '区内通道 甲', feed: encoder },
        { id: UNKNOWN_DISTRICT, name: '新区通道 乙', feed: encoder },
        { id: OTHER_PROVINCE, name: '跨界通道 丙', feed: encoder },
      ],
    });
    await lower.start();
    await catalogued;
    for (const gbId of [KNOWN_DISTRICT, UNKNOWN_DISTRICT, OTHER_PROVINCE]) {
      let camera = await server.ctx.repos.cameras.getByGbId(gbId);
      for (let i = 0; i < 100 && !camera; i++) {
        await sleep(100);
        camera = await server.ctx.repos.cameras.getByGbId(gbId);
      }
      ids.set(gbId, camera!.id);
    }
    // The city's registry keeper puts the catalogued point into service (as in test/cascade/two-vigils.test.ts).
    const first = (await server.ctx.repos.cameras.getByGbId(KNOWN_DISTRICT))!;
    await server.ctx.registry.cameras.update(first.id, { status: 'in_service', inServiceDate: '2025-06-01', signage: true, sourceUrl: first.sourceUrl! });
    browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await signInContext(context, server, await server.person('operator', [['duty_operator', city.id]]));
    page = await context.newPage();
    errors = watchPageErrors(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await lower?.close();
    encoder?.close();
    await gb?.close();
    await server?.close();
  });

  it('places each channel under its region and the lower platform, showing codes it could not place exactly', async () => {
    // Where the use case put them: the district by its code, the unknown district under its city,
    // the other province's code under the registry's one top region.
    expect((await server.ctx.repos.cameras.get(ids.get(KNOWN_DISTRICT)!))!.regionId).toBe(districtId);
    expect((await server.ctx.repos.cameras.get(ids.get(UNKNOWN_DISTRICT)!))!.regionId).toBe(cityId);
    expect((await server.ctx.repos.cameras.get(ids.get(OTHER_PROVINCE)!))!.regionId).toBe(cityId);

    await page.goto(`${server.url}/live`);
    const tree = page.getByTestId('camera-tree');
    await tree.getByTestId(`tree-camera-${ids.get(KNOWN_DISTRICT)}`).waitFor();
    // The district's node holds the lower platform's node, which holds the district's channel.
    const underDistrict = tree.getByTestId(`tree-device-${districtId}-${LOWER}`);
    expect(await underDistrict.textContent()).toBe(`下级平台/设备 ${LOWER}`);
    const underCity = tree.getByTestId(`tree-device-${cityId}-${LOWER}`);
    await underCity.waitFor();
    // Order of the rendered (expanded) tree: the city; its district with the lower platform's node
    // and the district's channel; then the city's own lower-platform node with the two channels it
    // could not place exactly.
    const order = await tree.locator('[data-testid^="tree-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    const [known, unknown, other] = [KNOWN_DISTRICT, UNKNOWN_DISTRICT, OTHER_PROVINCE].map((g) => `tree-camera-${ids.get(g)}`) as [string, string, string];
    const nodes = order.filter((id): id is string => !!id && !id.startsWith('tree-camera-code-') && id !== 'tree-search');
    expect(nodes.slice(0, 5)).toEqual([`tree-org-${cityId}`, `tree-org-${districtId}`, `tree-device-${districtId}-${LOWER}`, known, `tree-device-${cityId}-${LOWER}`]);
    expect(nodes.slice(5).sort()).toEqual([unknown, other].sort());
    // The codes the city could not place exactly are shown beside the channel; the exact one is not.
    expect(await tree.getByTestId(`tree-camera-code-${ids.get(UNKNOWN_DISTRICT)}`).textContent()).toContain('340103');
    expect(await tree.getByTestId(`tree-camera-code-${ids.get(OTHER_PROVINCE)}`).textContent()).toContain('110101');
    expect(await tree.getByTestId(`tree-camera-code-${ids.get(KNOWN_DISTRICT)}`).count()).toBe(0);
    await page.screenshot({ path: join(shots, 'city-tree-by-region.png') });
    expect(errors).toEqual([]);
  }, 120_000);

  it("plays the lower platform's channel live from the tree", async () => {
    const cameraId = ids.get(KNOWN_DISTRICT)!;
    await page.getByTestId('wall-layout').getByText('1 画面').click();
    await page.getByTestId(`tree-camera-${cameraId}`).dragTo(page.getByTestId('tile-0'));
    let luma = -1;
    for (let i = 0; i < 300 && luma <= 40; i++) {
      luma = await videoLuma(page, '[data-testid="tile-0"] video');
      if (luma <= 40) await sleep(100);
    }
    expect(luma, "mean luma of the lower platform's channel, live").toBeGreaterThan(40);
    await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor();
    await page.screenshot({ path: join(shots, 'city-tree-live.png') });
    console.log(`screenshots: ${shots}`);
    expect(errors).toEqual([]);
  }, 180_000);
});
