// The package's own verify.html, opened from disk in Debian's Chromium: it accepts the package as
// exported (format 2: time fields rebased, put back before hashing) and rejects it after one byte
// of footage or of a rebased decode time is changed, using WebCrypto alone.
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/export/manifest.js';
import { launchBrowser } from '../support/browser.js';
import { exportWorld, type ExportWorld } from './export-world.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('verify.html in Chromium', () => {
  let x: ExportWorld;
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    x = await exportWorld();
    const started = await x.exports.start(await x.actor(x.inv1), { requestId: x.requestId, cameraId: x.w.camA, ...x.range });
    dir = join(x.t.dataDir, (await x.exports.settled(started.id)).path);
    browser = await launchBrowser();
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await x.t.close();
  });

  async function check(pkg: string): Promise<{ ok: string | null; text: string }> {
    const page = await browser.newPage();
    try {
      await page.goto(pathToFileURL(join(pkg, 'verify.html')).href);
      await page.setInputFiles('#files', allFiles(pkg));
      await page.waitForSelector('#result[data-state=done]', { timeout: 20_000 });
      return { ok: await page.getAttribute('#result', 'data-ok'), text: (await page.textContent('#result')) ?? '' };
    } finally {
      await page.close();
    }
  }

  it('accepts the package as exported', async () => {
    const r = await check(dir);
    expect(r.text).toContain('VERIFIED');
    expect(r.ok).toBe('true');
    expect(r.text).toContain('34010400001320000001');
    expect(r.text).toContain(x.t.audit.keys.keyId);
  }, 30_000);

  it('rejects the package with one changed byte of footage', async () => {
    const bad = join(tmpdir(), `vigil-pkg-html-${process.pid}`);
    cpSync(dir, bad, { recursive: true });
    const m = JSON.parse(readFileSync(join(bad, 'manifest.json'), 'utf8')) as Manifest;
    const f = m.files[2]!;
    const bytes = readFileSync(join(bad, f.name));
    bytes[f.fragments[1]!.offset + 500]! ^= 0x80;
    writeFileSync(join(bad, f.name), bytes);
    const r = await check(bad);
    expect(r.ok).toBe('false');
    expect(r.text).toContain(`${f.name}#${f.fragments[1]!.seq}`);
  }, 30_000);

  it("rejects a changed decode time (a rebased field) by the file's signed hash", async () => {
    const bad = join(tmpdir(), `vigil-pkg-html-tfdt-${process.pid}`);
    cpSync(dir, bad, { recursive: true });
    const m = JSON.parse(readFileSync(join(bad, 'manifest.json'), 'utf8')) as Manifest;
    const f = m.files[1]!;
    const g = f.fragments[2]!;
    const bytes = readFileSync(join(bad, f.name));
    bytes[g.offset + g.patches![0]!.offset + 7]! ^= 0x01;
    writeFileSync(join(bad, f.name), bytes);
    const r = await check(bad);
    expect(r.ok).toBe('false');
    expect(r.text).toContain(`${f.name}: the file does not match its hash`);
    expect(r.text).not.toContain(`${f.name}#${g.seq}`);
  }, 30_000);
});
