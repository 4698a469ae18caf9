// Live view in Debian's Chromium from the real simulator: WebRTC and LL-HLS both show a picture
// that is not black (how soon is bench:watch's figure, not a test's: a busy machine moves it), viewers share one ingest, and an operator without
// rights to a camera cannot open its stream by URL; revoking a token closes its open streams.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { launchBrowser } from '../support/browser.js';
import { startMediaServer, type ApiClient, type MediaServer } from './media-server.js';
import { call, preparePage, type Shown } from './page.js';

let sim: Simulator;
let server: MediaServer;
let browser: Browser;
let page: Page;
let operator: ApiClient;

beforeAll(async () => {
  sim = await startSimulator({ cameras: 2 });
  server = await startMediaServer(sim.urls);
  operator = await server.client('operator', 'duty_operator', 'cameras');
  browser = await launchBrowser();
  page = await browser.newPage();
  await preparePage(page, server.url);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await sim?.close();
});

const cam = (i: number) => server.harness.cameraIds[i]!;
type Opened = { status: number; body: { codec?: string; transcoded?: boolean; playlistUrl?: string }; shown: Shown };

describe('live view', () => {
  it('WebRTC shows a picture that is not black, H.264 as the camera sends it', async () => {
    const url = `${server.url}/api/v1/live/${cam(0)}/webrtc?token=${await operator.streamToken(cam(0), 'live')}`;
    const r = await call<Opened>(page, 'openWebRtc', url);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ codec: 'h264', transcoded: false });
    expect(r.shown.timeout).toBeUndefined();
    expect(r.shown.width).toBe(1280);
    expect(r.shown.luma).toBeGreaterThan(40);
    expect(server.live.register.list({ cameraId: cam(0) }).map((s) => s.transport)).toContain('webrtc');
  });

  it('LL-HLS through hls.js shows a picture that is not black', async () => {
    const r = await call<Opened>(page, 'openHls', `${server.url}/api/v1/live/${cam(0)}/hls?token=${await operator.streamToken(cam(0), 'live')}`);
    expect(r.status).toBe(200);
    expect(r.shown.timeout).toBeUndefined();
    expect(r.shown.luma).toBeGreaterThan(40);
  });

  it('many viewers of one camera share one ingest', async () => {
    const before = server.opened.filter((u) => u === sim.urls[1]).length;
    const urls = await Promise.all([0, 1, 2, 3, 4].map(async () => `${server.url}/api/v1/live/${cam(1)}/webrtc?token=${await operator.streamToken(cam(1), 'live')}`));
    const results = await Promise.all(urls.map((u) => call<Opened>(page, 'openWebRtc', u)));
    for (const r of results) {
      expect(r.status).toBe(201);
      expect(r.shown.luma).toBeGreaterThan(40);
    }
    expect(server.opened.filter((u) => u === sim.urls[1]).length - before).toBe(1);
    expect(sim.camera('cam2').viewers).toBe(1);
    expect(server.live.register.list({ cameraId: cam(1) }).length).toBeGreaterThanOrEqual(5);
  });

  it('an operator without rights to the camera cannot open its stream by URL; forged, reused and revoked tokens fail', async () => {
    const outsider = await server.client('outsider', 'duty_operator', 'elsewhere');
    await expect(outsider.streamToken(cam(0), 'live')).rejects.toMatchObject({ status: 403 });
    const offer = { sdp: 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 H264/90000\r\n' };
    const post = (q: string, camera = cam(0)) => fetch(`${server.url}/api/v1/live/${camera}/webrtc${q}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(offer) });
    expect((await post('')).status).toBe(401);
    expect((await post('?token=forged.token')).status).toBe(403);
    expect((await post(`?token=${await operator.streamToken(cam(1), 'live')}`)).status).toBe(403);
    const hlsToken = await operator.streamToken(cam(0), 'live');
    const first = await fetch(`${server.url}/api/v1/live/${cam(0)}/hls?token=${hlsToken}`);
    expect(first.status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/live/${cam(0)}/hls?token=${hlsToken}`)).status).toBe(403);
    const { playlistUrl } = (await first.json()) as { playlistUrl: string };
    expect((await fetch(`${server.url}${playlistUrl}`)).status).toBe(200);
    const open = server.live.register.list().length;
    await server.access.users.revokeToken(null, operator.tokenId);
    expect((await fetch(`${server.url}${playlistUrl}`)).status).toBe(404);
    expect(server.live.register.list().length).toBe(0);
    expect(open).toBeGreaterThan(1);
  });
});
