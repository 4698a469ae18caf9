// An H.265 camera (GStreamer's x265 behind gst-rtsp-server, a peer we did not write) on the
// video wall in Debian's Chromium: a browser that decodes H.265 gets it as the camera sends it;
// one that does not gets H.264 from the one ffmpeg transcoder of that camera, and the tile says
// so. Either way the picture is not black.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, launchBrowser, signInContext, videoLuma } from '../support/browser.js';
import { startGstRtspServer, type GstRtspServer } from '../support/gst-rtsp.js';
import { sleep } from '../support/recorder-harness.js';
import { startWatchServer, type WatchServer } from '../browser/watch-server.js';

let gst: GstRtspServer;
let server: WatchServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let cameraId: number;

beforeAll(async () => {
  ensureWebBuilt();
  gst = await startGstRtspServer();
  server = await startWatchServer([gst.url('/h265')]);
  cameraId = server.harness.cameraIds[0]!;
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  await signInContext(context, server, await server.person('operator', 'duty_operator'));
  page = await context.newPage();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await gst?.stop();
});

describe('an H.265 camera on the wall', () => {
  it('plays over WebRTC: as sent where the browser decodes H.265, otherwise transcoded and labelled so', async () => {
    const decodesH265 = (await page.evaluate(`(RTCRtpReceiver.getCapabilities('video')?.codecs ?? []).some((c) => c.mimeType.toLowerCase() === 'video/h265')`)) as boolean;
    const answers: { codec?: string; transcoded?: boolean }[] = [];
    page.on('response', (r) => {
      if (/\/api\/v1\/live\/\d+\/webrtc/.test(r.url()) && r.request().method() === 'POST') void r.json().then((b: { codec?: string; transcoded?: boolean }) => answers.push(b)).catch(() => undefined);
    });
    await page.goto(`${server.url}/live`);
    await page.getByTestId('wall-layout').getByText('1 画面').click();
    await page.getByTestId(`tree-camera-${cameraId}`).dragTo(page.getByTestId('tile-0'));
    try {
      await page.locator('[data-testid="tile-0"][data-phase="playing"]').waitFor({ timeout: 30_000 });
    } catch (e) {
      console.info('tile', await page.getByTestId('tile-0').evaluate((el) => `${el.getAttribute('data-phase')}: ${el.textContent}`), JSON.stringify(answers));
      throw e;
    }
    expect(await page.getByTestId('tile-transport').textContent()).toBe('直播 · WebRTC');
    // The picture is judged once the browser has decoded a second of it: on a busy machine the
    // transcoder's start alone can take longer than any fixed number of polls.
    // (Polled with page.evaluate: the console's CSP refuses the string functions waitForFunction builds.)
    const decoded = () => page.evaluate(`document.querySelector('[data-testid="tile-0"] video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0`) as Promise<number>;
    for (let i = 0; i < 450 && (await decoded()) < 25; i++) await sleep(200);
    expect(await decoded(), 'frames the browser decoded').toBeGreaterThanOrEqual(25);
    let luma = -1;
    for (let i = 0; i < 100 && luma <= 40; i++, await sleep(100)) luma = await videoLuma(page, '[data-testid="tile-0"] video');
    expect(luma, 'mean luma of the picture').toBeGreaterThan(40);
    expect(answers).toHaveLength(1);
    const transcodedTag = page.getByTestId('tile-0').getByText('H.265 已转码为 H.264');
    if (decodesH265) {
      expect(answers[0]).toMatchObject({ codec: 'h265', transcoded: false });
      expect(await transcodedTag.count()).toBe(0);
    } else {
      expect(answers[0]).toMatchObject({ codec: 'h264', transcoded: true });
      await transcodedTag.waitFor();
    }
    console.info(`Chromium ${decodesH265 ? 'decodes' : 'does not decode'} H.265 over WebRTC; answered ${answers[0]!.codec}, transcoded ${answers[0]!.transcoded}`);
  }, 180_000);
});
