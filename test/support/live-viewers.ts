// Chromium as the live viewers of the watch benchmark: a viewer that displays the video and reads
// the simulator's clock strip off every frame it shows (src/sim/clock-strip.ts), and many more
// viewers opened a few at a time, each counted by the frames its own connection delivered.
import type { Page } from 'playwright-core';
import { clockAge, readClockBand, stripRect } from '../../src/sim/clock-strip.js';

const HELPERS = `
window.viewers = [];
// One viewer. 'display': decoded into a <video>, frames counted as displayed
// (requestVideoFrameCallback). 'count': the encoded frames counted as they leave the jitter
// buffer (encoded insertable streams) and not passed on to the decoder.
window.openViewer = async (url, mode) => {
  const t0 = performance.now();
  const pc = new RTCPeerConnection(mode === 'count' ? { encodedInsertableStreams: true } : {});
  const v = { pc, mode, openedMs: t0, connectedMs: null, status: 0, error: null, answeredMs: null, frames: 0, keyframes: 0, bytes: 0, video: null };
  window.viewers.push(v);
  const { receiver } = pc.addTransceiver('video', { direction: 'recvonly' });
  pc.addEventListener('connectionstatechange', () => { if (pc.connectionState === 'connected' && v.connectedMs === null) v.connectedMs = performance.now() - t0; });
  if (mode === 'count') {
    const reader = receiver.createEncodedStreams().readable.getReader();
    (async () => { for (;;) { const r = await reader.read(); if (r.done) return; v.frames++; v.bytes += r.value.data.byteLength; if (r.value.type === 'key') v.keyframes++; } })();
  } else {
    const el = document.createElement('video'); el.muted = true; el.autoplay = true; el.playsInline = true; document.body.append(el);
    el.srcObject = new MediaStream([receiver.track]); el.play().catch(() => {});
    v.video = el;
    const onFrame = () => { v.frames++; el.requestVideoFrameCallback(onFrame); };
    el.requestVideoFrameCallback(onFrame);
  }
  // No waiting for ICE gathering: Chromium's host candidates are mDNS names the server cannot
  // resolve anyway; the server learns the browser's address from its connectivity checks.
  await pc.setLocalDescription(await pc.createOffer());
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sdp: pc.localDescription.sdp }) });
  v.status = res.status;
  v.answeredMs = performance.now() - t0;
  if (!res.ok) { v.error = (await res.text()).slice(0, 200); pc.close(); return v; }
  await pc.setRemoteDescription({ type: 'answer', sdp: (await res.json()).sdp });
  return v;
};
// Opens viewers at most \`parallel\` at a time, each batch's signalling done before the next starts.
window.openViewers = async (urls, mode, parallel) => {
  for (let i = 0; i < urls.length; i += parallel) await Promise.all(urls.slice(i, i + parallel).map((u) => window.openViewer(u, mode)));
};
window.waitConnected = async (limitMs) => {
  const t0 = performance.now();
  while (performance.now() - t0 < limitMs && window.viewers.some((v) => v.status === 201 && !['connected', 'failed', 'closed'].includes(v.pc.connectionState))) await new Promise((r) => setTimeout(r, 100));
};
window.viewerCounters = () => window.viewers.map((v) => ({ mode: v.mode, state: v.pc.connectionState, status: v.status, error: v.error, answeredMs: v.answeredMs, connectedMs: v.connectedMs, atMs: performance.now(), frames: v.frames, keyframes: v.keyframes, bytes: v.bytes }));
window.packetsLost = async () => {
  let lost = 0, received = 0;
  for (const v of window.viewers) (await v.pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') { lost += r.packetsLost ?? 0; received += r.packetsReceived ?? 0; } });
  return { lost, received };
};
// For each frame the first displaying viewer shows, the browser's wall clock then and the grey
// levels of the clock strip's rectangle drawn from the video.
window.readClockFrames = async (rect, picture, count, limitMs) => {
  const el = window.viewers.find((v) => v.mode === 'display').video;
  const bw = rect.cells * 8, bh = 8;
  const c = document.createElement('canvas'); c.width = bw; c.height = bh;
  const x = c.getContext('2d', { willReadFrequently: true });
  const frames = [];
  await new Promise((resolve) => {
    const stop = setTimeout(resolve, limitMs);
    const onFrame = (_now, meta) => {
      const nowMs = Date.now();
      const sx = el.videoWidth / picture.width, sy = el.videoHeight / picture.height;
      x.drawImage(el, rect.x * sx, rect.y * sy, rect.cell * rect.cells * sx, rect.cell * sy, 0, 0, bw, bh);
      const d = x.getImageData(0, 0, bw, bh).data;
      const grey = new Array(bw * bh);
      for (let i = 0, j = 0; i < d.length; i += 4, j++) grey[j] = Math.round(0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]);
      frames.push({ nowMs, displayMs: performance.timeOrigin + meta.expectedDisplayTime, grey });
      if (frames.length >= count) { clearTimeout(stop); resolve(); } else el.requestVideoFrameCallback(onFrame);
    };
    el.requestVideoFrameCallback(onFrame);
  });
  return frames;
};
`;

export async function prepareViewerPage(page: Page, baseUrl: string): Promise<void> {
  await page.route(`${baseUrl}/viewers-page`, (route) => route.fulfill({ contentType: 'text/html', body: '<!doctype html><html><body></body></html>' }));
  await page.goto(`${baseUrl}/viewers-page`);
  await page.addScriptTag({ content: HELPERS });
}

export interface ClockDelays {
  /** Frames displayed while measuring. */
  frames: number;
  /** Of those, frames whose strip read (rejected ones are misreads or frames caught mid-change). */
  read: number;
  /** Per read frame: the browser's Date.now() at display minus the strip's wall-clock time. */
  delaysMs: number[];
  /** The same against the frame's expected display time (timeOrigin + expectedDisplayTime). */
  displayDelaysMs: number[];
}

/**
 * Glass-to-glass delay on `count` frames displayed by the page's first 'display' viewer, of a
 * picture the simulator drew at `width`×`height`.
 */
export async function measureClockDelay(page: Page, width: number, height: number, count: number, limitMs: number): Promise<ClockDelays> {
  const rect = stripRect(width, height);
  const frames = (await page.evaluate(`readClockFrames(${JSON.stringify(rect)}, ${JSON.stringify({ width, height })}, ${count}, ${limitMs})`)) as { nowMs: number; displayMs: number; grey: number[] }[];
  const delaysMs: number[] = [];
  const displayDelaysMs: number[] = [];
  for (const f of frames) {
    const reading = readClockBand({ width: rect.cells * 8, height: 8, data: f.grey });
    if (reading === undefined) continue;
    delaysMs.push(clockAge(f.nowMs, reading));
    displayDelaysMs.push(clockAge(Math.round(f.displayMs), reading));
  }
  return { frames: frames.length, read: delaysMs.length, delaysMs, displayDelaysMs };
}

export type ViewerMode = 'display' | 'count';

export interface ViewerCounters {
  mode: ViewerMode;
  state: string;
  status: number;
  /** The server's answer when it refused the offer. */
  error: string | null;
  /** From creating the connection to the server's answer (offer, POST, werift's answer and ICE gathering). */
  answeredMs: number | null;
  /** From creating the connection to "connected" (then ICE checks and the DTLS handshake). */
  connectedMs: number | null;
  /** Page time (ms) of the counters. */
  atMs: number;
  /** Frames displayed ('display') or encoded frames received whole ('count'). */
  frames: number;
  keyframes: number;
  bytes: number;
}

/**
 * Opens `count` viewers, `parallel` at a time; `url()` makes each one's WHEP-style endpoint (with
 * a fresh stream token) just before its batch starts, so a slow batch does not age later tokens.
 * Then waits up to `limitMs` for them all to connect.
 */
export async function openViewers(page: Page, url: () => Promise<string>, count: number, mode: ViewerMode, parallel: number, limitMs: number): Promise<void> {
  for (let i = 0; i < count; i += parallel) {
    const urls = await Promise.all(Array.from({ length: Math.min(parallel, count - i) }, url));
    await page.evaluate(`openViewers(${JSON.stringify(urls)}, ${JSON.stringify(mode)}, ${parallel})`);
  }
  await page.evaluate(`waitConnected(${limitMs})`);
}

/** Every viewer the page opened, in order, with its counters now. */
export function viewerCounters(page: Page): Promise<ViewerCounters[]> {
  return page.evaluate('viewerCounters()') as Promise<ViewerCounters[]>;
}

/** RTP packets lost and received by all the page's viewers, from their peer connections' stats. */
export function packetsLost(page: Page): Promise<{ lost: number; received: number }> {
  return page.evaluate('packetsLost()') as Promise<{ lost: number; received: number }>;
}
