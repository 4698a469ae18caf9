// The console's files: hashed assets cached for a year and never revalidated, served in the
// compression the browser accepts from the files the build wrote; anything else revalidated.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consolePlugin, HASHED_ASSET_CACHE, ROUTE_PRELOADS_FILE } from './console.js';

const SCRIPT = `export const words = ${JSON.stringify('监控'.repeat(2000))};\n`;

describe('console files', () => {
  let web: string;
  let app: FastifyInstance;
  beforeAll(async () => {
    web = mkdtempSync(join(tmpdir(), 'vigil-web-'));
    mkdirSync(join(web, 'assets'));
    writeFileSync(join(web, 'index.html'), '<html><head></head><body>console</body></html>');
    writeFileSync(join(web, 'assets', 'page-Ab1_x-9Z.js'), SCRIPT);
    writeFileSync(join(web, 'assets', 'page-Ab1_x-9Z.js.br'), brotliCompressSync(SCRIPT));
    writeFileSync(join(web, 'assets', 'page-Ab1_x-9Z.js.gz'), gzipSync(SCRIPT));
    // A small file the build did not compress.
    writeFileSync(join(web, 'assets', 'tiny-QQ12ab34.js'), 'export {};\n');
    writeFileSync(join(web, 'robots.txt'), 'User-agent: *\n');
    // What the build writes (web/route-preloads.ts), with one name that is not an asset of it.
    writeFileSync(join(web, ROUTE_PRELOADS_FILE), JSON.stringify({ '/': ['assets/shell-AAAAAAAA.js'], '/cameras': ['assets/shell-AAAAAAAA.js', 'assets/cameras-BBBBBBBB.js'], '/live': ['https://elsewhere.example/x.js', 'assets/live-CCCCCCCC.js'], 'lang:zh': ['assets/zh-DDDDDDDD.js', 'assets/zh_CN-EEEEEEEE.js'], 'lang:en': ['assets/en-FFFFFFFF.js'] }));
    app = Fastify();
    // As the app does: the session cookie is read by @fastify/cookie.
    await app.register(fastifyCookie);
    await app.register(consolePlugin(web));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(web, { recursive: true, force: true });
  });

  it('sends a hashed asset brotli-compressed to a browser that accepts it, cached as immutable', async () => {
    const res = await app.inject({ url: '/assets/page-Ab1_x-9Z.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/javascript/);
    expect(res.headers['cache-control']).toBe(HASHED_ASSET_CACHE);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.rawPayload.length).toBeLessThan(Buffer.byteLength(SCRIPT) / 10);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(SCRIPT);
  });

  it('sends gzip where brotli is not accepted, and the file itself where nothing is', async () => {
    const gz = await app.inject({ url: '/assets/page-Ab1_x-9Z.js', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(SCRIPT);
    const plain = await app.inject({ url: '/assets/page-Ab1_x-9Z.js', headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(SCRIPT);
    expect(plain.headers['cache-control']).toBe(HASHED_ASSET_CACHE);
  });

  it('sends an asset without compressed copies as it is, still immutable', async () => {
    const res = await app.inject({ url: '/assets/tiny-QQ12ab34.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body).toBe('export {};\n');
    expect(res.headers['cache-control']).toBe(HASHED_ASSET_CACHE);
  });

  it('has every other file and the page itself revalidated', async () => {
    const robots = await app.inject({ url: '/robots.txt' });
    expect(robots.statusCode).toBe(200);
    expect(robots.headers['cache-control']).toBe('no-cache');
    const page = await app.inject({ url: '/cameras' });
    expect(page.body).toContain('console');
    expect(page.headers['cache-control']).toBe('no-store');
  });

  const preloaded = (html: string) => [...html.matchAll(/<link rel="modulepreload" crossorigin href="([^"]+)" nonce="([^"]+)">/g)].map((m) => [m[1], m[2]]);

  it('names the shell\'s and the page\'s scripts to a browser with a session, with the page\'s nonce', async () => {
    const res = await app.inject({ url: '/cameras/12?tab=x', headers: { cookie: 'lang=zh; vigil_session=abc' } });
    const links = preloaded(res.body);
    expect(links.map(([href]) => href)).toEqual(['/assets/shell-AAAAAAAA.js', '/assets/cameras-BBBBBBBB.js', '/assets/zh-DDDDDDDD.js', '/assets/zh_CN-EEEEEEEE.js']);
    expect(links.every(([, nonce]) => nonce !== 'VIGIL_CSP_NONCE' && nonce!.length > 8)).toBe(true);
    expect(res.body.indexOf('modulepreload')).toBeLessThan(res.body.indexOf('</head>'));
  });

  it('names only the shell for a path that is no menu page, and only the build\'s own assets', async () => {
    const other = await app.inject({ url: '/camerasX', headers: { cookie: 'vigil_session=abc' } });
    expect(preloaded(other.body).map(([href]) => href)).toEqual(['/assets/shell-AAAAAAAA.js', '/assets/zh-DDDDDDDD.js', '/assets/zh_CN-EEEEEEEE.js']);
    const live = await app.inject({ url: '/live', headers: { cookie: 'vigil_session=abc' } });
    expect(preloaded(live.body).map(([href]) => href)).toEqual(['/assets/live-CCCCCCCC.js', '/assets/zh-DDDDDDDD.js', '/assets/zh_CN-EEEEEEEE.js']);
  });

  it('names the bundle of the language the browser chose, and the default language\'s for an unknown one', async () => {
    const en = await app.inject({ url: '/cameras', headers: { cookie: 'vigil_language=en; vigil_session=abc' } });
    expect(preloaded(en.body).map(([href]) => href)).toEqual(['/assets/shell-AAAAAAAA.js', '/assets/cameras-BBBBBBBB.js', '/assets/en-FFFFFFFF.js']);
    const odd = await app.inject({ url: '/cameras', headers: { cookie: 'vigil_language=lang%3Aen; vigil_session=abc' } });
    expect(preloaded(odd.body).map(([href]) => href)).toEqual(['/assets/shell-AAAAAAAA.js', '/assets/cameras-BBBBBBBB.js', '/assets/zh-DDDDDDDD.js', '/assets/zh_CN-EEEEEEEE.js']);
  });

  it('never takes a language key of the list for a page path', async () => {
    const res = await app.inject({ url: '/lang:en', headers: { cookie: 'vigil_session=abc' } });
    expect(preloaded(res.body).map(([href]) => href)).toEqual(['/assets/shell-AAAAAAAA.js', '/assets/zh-DDDDDDDD.js', '/assets/zh_CN-EEEEEEEE.js']);
  });

  it('names nothing to a visitor without a session, and does not serve the list itself', async () => {
    for (const cookie of [undefined, 'not_vigil_session=1']) {
      const res = await app.inject({ url: '/cameras', headers: cookie ? { cookie } : {} });
      expect(res.body).toBe('<html><head></head><body>console</body></html>');
    }
    const list = await app.inject({ url: `/${ROUTE_PRELOADS_FILE}` });
    expect(list.body).not.toContain('assets/');
  });
});
