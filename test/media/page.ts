// What the media tests run inside Chromium: open a stream the way the console will (WebRTC with
// WHEP-style signalling, or hls.js), and measure the picture by drawing the <video> to a canvas.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { projectRoot } from '../../src/project-root.js';

export const HLS_JS = readFileSync(join(projectRoot(), 'node_modules', 'hls.js', 'dist', 'hls.min.js'), 'utf8');

const HELPERS = `
window.lumaOf = (v, w = 64, h = 36) => {
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const x = c.getContext('2d', { willReadFrequently: true }); x.drawImage(v, 0, 0, w, h);
  const d = x.getImageData(0, 0, w, h).data; let s = 0;
  for (let i = 0; i < d.length; i += 4) s += 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
  return s / (w * h);
};
window.greyOf = (v, w, h) => {
  const c = document.createElement('canvas'); c.width = w; c.height = h;
  const x = c.getContext('2d', { willReadFrequently: true }); x.drawImage(v, 0, 0, w, h);
  const d = x.getImageData(0, 0, w, h).data; const out = new Array(w * h);
  for (let i = 0, j = 0; i < d.length; i += 4, j++) out[j] = Math.round(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]);
  return out;
};
// How long a page waits for its first bright picture before it says the stream hung: a bound for a
// hang, under the test's own timeout, not a speed goal (bench:watch measures how fast pictures come).
const HANG_MS = 45000;
window.firstBright = (v, t0, limitMs) => new Promise((resolve) => {
  const tick = () => {
    const el = performance.now() - t0;
    if (v.readyState >= 2 && v.videoWidth > 0) {
      const l = window.lumaOf(v);
      if (l > 40) return resolve({ ms: el, luma: l, width: v.videoWidth, height: v.videoHeight });
    }
    if (el > limitMs) return resolve({ ms: el, luma: v.readyState >= 2 ? window.lumaOf(v) : -1, width: v.videoWidth, height: v.videoHeight, timeout: true });
    requestAnimationFrame(tick);
  };
  tick();
});
window.openWebRtc = async (url) => {
  const t0 = performance.now();
  const pc = new RTCPeerConnection();
  pc.addTransceiver('video', { direction: 'recvonly' });
  const v = document.createElement('video'); v.muted = true; v.autoplay = true; v.playsInline = true; document.body.append(v);
  pc.ontrack = (e) => { v.srcObject = e.streams[0] ?? new MediaStream([e.track]); v.play().catch(() => {}); };
  await pc.setLocalDescription(await pc.createOffer());
  // Host candidates make the server's side simpler to reach; do not wait long for them.
  await new Promise((r) => { if (pc.iceGatheringState === 'complete') r(); pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && r(); setTimeout(r, 500); });
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sdp: pc.localDescription.sdp }) });
  const body = await res.json();
  if (!res.ok) return { status: res.status, body };
  await pc.setRemoteDescription({ type: 'answer', sdp: body.sdp });
  window.pcs = (window.pcs ?? []).concat(pc);
  const shown = await window.firstBright(v, t0, HANG_MS);
  let inbound = null;
  (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp') inbound = { packets: r.packetsReceived, frames: r.framesDecoded, lost: r.packetsLost, keyframes: r.keyFramesDecoded }; });
  return { status: res.status, body: { ...body, sdp: undefined }, shown, state: pc.connectionState, ice: pc.iceConnectionState, inbound, answer: body.sdp, offer: pc.localDescription.sdp.split(String.fromCharCode(10)).filter((l) => l.startsWith('a=candidate')) };
};
window.openMany = async (urls) => {
  const pcs = await Promise.all(urls.map(async (url) => {
    const pc = new RTCPeerConnection();
    pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sdp: pc.localDescription.sdp }) });
    if (!res.ok) return null;
    await pc.setRemoteDescription({ type: 'answer', sdp: (await res.json()).sdp });
    return pc;
  }));
  window.many = pcs;
  await new Promise((r) => setTimeout(r, 3000));
  return pcs.filter((pc) => pc && pc.connectionState === 'connected').length;
};
window.openHls = async (url) => {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) return { status: res.status, body };
  const v = document.createElement('video'); v.muted = true; document.body.append(v);
  const hls = new Hls({ lowLatencyMode: true });
  hls.loadSource(body.playlistUrl); hls.attachMedia(v); v.play().catch(() => {});
  const shown = await window.firstBright(v, t0, HANG_MS);
  return { status: res.status, body, shown };
};
`;

/** Runs a helper defined in the page (openWebRtc, openHls, …) with JSON arguments. */
export function call<T>(page: Page, fn: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(`${fn}(${args.map((a) => JSON.stringify(a)).join(',')})`) as Promise<T>;
}

export async function preparePage(page: Page, baseUrl: string): Promise<void> {
  await page.route(`${baseUrl}/test-page`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><html><body></body></html>' }));
  await page.goto(`${baseUrl}/test-page`);
  await page.addScriptTag({ content: HLS_JS });
  await page.addScriptTag({ content: HELPERS });
}

export interface Shown {
  ms: number;
  luma: number;
  width: number;
  height: number;
  timeout?: boolean;
}
