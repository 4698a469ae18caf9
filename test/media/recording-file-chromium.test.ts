// A recording file as it lies on disk — written with direct I/O, so with `free` boxes padding
// each piece to a block boundary — plays in Debian's Chromium (a peer we did not write) given as
// a plain file: while the recorder is still writing it (it then ends with padding) and after it
// is closed. ffprobe is checked on the same bytes by the recorder's own tests.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBoxHeader } from '../../src/media/fmp4/box-reader.js';
import { isFreePadding } from '../../src/media/fmp4/free-box.js';
import type { Recorder } from '../../src/recorder/recorder.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { launchBrowser } from '../support/browser.js';
import { recorderHarness, sleep, type RecorderHarness } from '../support/recorder-harness.js';

let sim: Simulator;
let h: RecorderHarness;
let recorder: Recorder | undefined;
let browser: Browser;
let page: Page;
let http: Server;
/** What the little file server hands out, by name. */
const served = new Map<string, Buffer>();

beforeAll(async () => {
  sim = await startSimulator({ cameras: 1 });
  h = await recorderHarness(sim.urls);
  http = createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>file</title>');
      return;
    }
    const body = served.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    // Byte ranges, as a web server would give them: Chromium asks for them to seek.
    const m = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (m) {
      const from = Number(m[1]);
      const to = m[2] ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
      res.writeHead(206, { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-range': `bytes ${from}-${to}/${body.length}`, 'content-length': to - from + 1 });
      res.end(body.subarray(from, to + 1));
      return;
    }
    res.writeHead(200, { 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': body.length }).end(body);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(http.address() as AddressInfo).port}/`);
}, 60_000);

afterAll(async () => {
  await recorder?.close();
  await browser?.close();
  await new Promise((r) => http?.close(r));
  await sim?.close();
  await h?.close();
});

/** The boxes lying end to end in `bytes`; fails the test on anything that is not a whole box. */
function topLevelBoxes(bytes: Buffer): { type: string; size: number }[] {
  const boxes: { type: string; size: number }[] = [];
  for (let at = 0; at < bytes.length; ) {
    const h = readBoxHeader(bytes, at);
    if (h === undefined || h === 'invalid' || at + h.size > bytes.length) throw new Error(`no whole box at ${at} of ${bytes.length} bytes`);
    boxes.push({ type: h.type, size: h.size });
    at += h.size;
  }
  return boxes;
}

/** Runs in the page (as text: the tests are type-checked without the DOM's types). */
const PLAY = `async (src) => {
  document.body.innerHTML = '';
  const v = document.createElement('video');
  v.muted = true;
  document.body.append(v);
  const failed = new Promise((_, reject) => v.addEventListener('error', () => reject(new Error('media error ' + v.error?.code + ': ' + v.error?.message))));
  const once = (ev) => Promise.race([failed, new Promise((r) => v.addEventListener(ev, () => r(), { once: true })),
    new Promise((_, reject) => setTimeout(() => reject(new Error('no ' + ev + ' within 10 s: readyState ' + v.readyState + ', duration ' + v.duration)), 10000))]);
  v.src = src;
  await once('loadeddata');
  const duration = v.duration;
  v.currentTime = Math.max(0, duration - 0.5);
  await once('seeked');
  return { width: v.videoWidth, duration, seekedTo: v.currentTime, error: v.error ? v.error.code : null };
}`;

/** Loads `name` into a <video>, seeks near its end, and reports what Chromium made of it. */
async function play(name: string): Promise<{ width: number; duration: number; seekedTo: number; error: number | null }> {
  return page.evaluate(`(${PLAY})(${JSON.stringify(name)})`);
}

describe('a recording file as written to disk, in Chromium', () => {
  it('plays while it is being written, padding and all, and again once closed', async () => {
    // Direct I/O by name: the recorder's default writes through the page cache, without padding.
    recorder = h.recorder({ fileSeconds: 600, directIo: true });
    await recorder.start();
    await sleep(5000);
    const cameraId = h.cameraIds[0]!;
    const [file] = await h.repos.recordings.files(cameraId);
    expect(file).toBeDefined();
    const fragments = await h.repos.recordings.fragments(file!.id);
    expect(fragments.length).toBeGreaterThanOrEqual(3);
    const open = readFileSync(join(h.dataDir, file!.path));
    // The bytes on disk hold the padding this test is about: between the pieces, and at the end.
    const last = fragments.at(-1)!;
    expect(isFreePadding(open.subarray(file!.initSize, fragments[0]!.byteOffset))).toBe(true);
    expect(fragments[0]!.byteOffset).toBeGreaterThan(file!.initSize);
    expect(open.length).toBeGreaterThan(last.byteOffset + last.size);
    // The index lags the disk by up to one batch, so newer pieces may follow the last indexed one;
    // whatever follows is whole pieces and padding, and the file ends with padding.
    const tail = topLevelBoxes(open.subarray(last.byteOffset + last.size));
    expect(tail.filter((b) => !['moof', 'mdat', 'free'].includes(b.type))).toEqual([]);
    const end = tail.at(-1)!;
    expect(end.type).toBe('free');
    expect(isFreePadding(open.subarray(open.length - end.size))).toBe(true);

    served.set('/open.mp4', open);
    const whileOpen = await play('/open.mp4');
    expect(whileOpen).toMatchObject({ width: 1280, error: null });
    expect(whileOpen.duration).toBeGreaterThan(2);
    expect(whileOpen.seekedTo).toBeGreaterThan(whileOpen.duration - 1.5);

    await recorder.close();
    recorder = undefined;
    const closed = readFileSync(join(h.dataDir, file!.path));
    const ended = (await h.repos.recordings.files(cameraId)).find((f) => f.id === file!.id)!;
    expect(closed.length).toBe(ended.bytes);
    served.set('/closed.mp4', closed);
    const afterClose = await play('/closed.mp4');
    expect(afterClose).toMatchObject({ width: 1280, error: null });
    expect(afterClose.duration).toBeGreaterThanOrEqual(whileOpen.duration);
  }, 60_000);
});
