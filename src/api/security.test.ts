// Issue 14, items 9 and 10: security headers on every response, a Secure session cookie only
// when https is real (TLS or a configured trusted proxy), /metrics behind its bearer token, and the
// API docs behind sign-in unless the deployment opens them (the demo).
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { AuditEntry } from '../audit/entry.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../test/support/app.js';
import { person, signIn } from '../../test/support/auth.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp, type SecurityOptions } from './app.js';
import { consolePlugin, CSP_NONCE_PLACEHOLDER } from './plugins/console.js';

async function appWith(t: TestApp, security: SecurityOptions): Promise<FastifyInstance> {
  return buildApp({ db: t.db, registry: t.registry, profiles: t.view, access: t.access, version: 'test', logger: false, security });
}

describe('security headers, cookies, metrics and docs', () => {
  let t: TestApp;
  const metricsToken = randomBytes(24).toString('hex');
  let proxied: FastifyInstance;
  let demo: FastifyInstance;
  beforeAll(async () => {
    t = await testApp('sqlite');
    proxied = await appWith(t, { trustedProxies: ['10.0.0.0/8'], metricsToken });
    demo = await appWith(t, { publicDocs: true });
  });
  afterAll(async () => {
    await proxied.close();
    await demo.close();
    await t.close();
  });

  it('sends a strict CSP, no framing, nosniff and no referrer on API, docs and error answers', async () => {
    for (const url of ['/api/v1/cameras', '/api/v1/nothing', '/healthz', '/docs/']) {
      const res = await t.app.inject({ url });
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toMatch(/frame-ancestors 'none'/);
      expect(csp, url).toMatch(/script-src 'self'(;|$)/);
      expect(csp, url).toMatch(/object-src 'none'/);
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
    }
    const api = await t.app.inject({ url: '/api/v1/cameras' });
    expect(api.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(api.headers['strict-transport-security']).toBeUndefined();
  });

  it('marks the session cookie Secure behind a trusted proxy that says https, and only then', async () => {
    const p = await person(t, 'proxied-operator', [['duty_operator', null]]);
    const login = (remoteAddress: string, proto?: string) =>
      proxied.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, headers: proto ? { 'x-forwarded-proto': proto } : {}, payload: { login: p.login, password: p.password } });
    const cookieOf = (res: Awaited<ReturnType<typeof login>>) => res.cookies.find((c) => c.name === 'vigil_session')!;

    const trusted = await login('10.1.2.3', 'https');
    expect(trusted.statusCode, trusted.body).toBe(200);
    expect(cookieOf(trusted).secure).toBe(true);
    expect(trusted.headers['strict-transport-security']).toMatch(/max-age=/);

    const stranger = await login('192.0.2.7', 'https');
    expect(stranger.statusCode).toBe(200);
    expect(cookieOf(stranger).secure).toBeFalsy();

    const plain = await login('10.1.2.3');
    expect(cookieOf(plain).secure).toBeFalsy();
    // The default app trusts no proxy at all.
    const direct = await t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.1.2.3', headers: { 'x-forwarded-proto': 'https' }, payload: { login: p.login, password: p.password } });
    expect(cookieOf(direct).secure).toBeFalsy();
  });

  it('refuses /metrics without the configured bearer token, and to everyone when none is configured', async () => {
    expect((await proxied.inject({ url: '/metrics' })).statusCode).toBe(401);
    expect((await proxied.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong-token-of-enough-length' } })).statusCode).toBe(401);
    // A signed-in administrator's API token is not the scraper's token.
    expect((await t.app.inject({ url: '/metrics' })).statusCode).toBe(401);
    const ok = await proxied.inject({ url: '/metrics', headers: { authorization: `Bearer ${metricsToken}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toMatch(/vigil_http_requests_total/);
  });

  it('keeps /docs and /openapi.json behind sign-in outside the demo, open in it', async () => {
    for (const url of ['/openapi.json', '/docs/', '/docs/json', '/docs/static/swagger-initializer.js']) {
      expect((await t.raw.inject({ url })).statusCode, url).toBe(401);
      expect((await demo.inject({ url })).statusCode, url).toBe(200);
    }
    // A signed-in person (cookie) and an API token both read them.
    const reader = await signIn(t, await person(t, 'docs-reader', [['duty_operator', null]]));
    expect((await reader.inject({ url: '/openapi.json' })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/docs/' })).statusCode).toBe(200);
    // A session that has not finished its second factor does not.
    const admin = await person(t, 'docs-enrolling', [['system_administrator', null]]);
    const half = await t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: admin.login, password: admin.password } });
    expect(half.json().stage).toBe('enrol');
    const cookie = `vigil_session=${half.cookies.find((c) => c.name === 'vigil_session')!.value}`;
    // The route gate's own answer: the second factor first.
    const refused = await t.raw.inject({ url: '/openapi.json', headers: { cookie } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.code).toBe('TOTP_ENROLMENT_REQUIRED');
  });

  it('registers the docs gate\'s refusals as the route gate does: once, a flood counted', async () => {
    const refusedFrom = async (address: string) => {
      const out: AuditEntry[] = [];
      for await (const e of t.audit.entries()) if (e.sourceAddress === address && e.outcome !== 'success') out.push(e);
      return out;
    };
    const nobody = '198.51.100.81';
    for (let i = 0; i < 6; i++) expect((await t.raw.inject({ url: '/openapi.json', remoteAddress: nobody })).statusCode).toBe(401);
    let seen = await refusedFrom(nobody);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ outcome: 'refused', reason: 'sign in first', detail: { code: 'UNAUTHENTICATED' } });
    await t.access.anonymousRefusals.close();
    seen = await refusedFrom(nobody);
    expect(seen.map((e) => e.detail.count ?? null)).toEqual([null, 5]);

    const forger = '198.51.100.82';
    const forged = await t.raw.inject({ url: '/docs/', remoteAddress: forger, headers: { authorization: 'Bearer vigil_forged' } });
    expect(forged.statusCode).toBe(401);
    seen = await refusedFrom(forger);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ outcome: 'failed', reason: 'unknown, expired or revoked API token' });

    const enrolling = await person(t, 'docs-enrolling-2', [['system_administrator', null]]);
    const half = await t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: enrolling.login, password: enrolling.password } });
    const cookie = `vigil_session=${half.cookies.find((c) => c.name === 'vigil_session')!.value}`;
    const halfAddress = '198.51.100.83';
    expect((await t.raw.inject({ url: '/docs/json', remoteAddress: halfAddress, headers: { cookie } })).statusCode).toBe(403);
    seen = await refusedFrom(halfAddress);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ outcome: 'refused', detail: { code: 'TOTP_ENROLMENT_REQUIRED' } });
    expect(seen[0]!.actors[0]!.userId).not.toBeNull();
  });

  it('declares the cookie + CSRF and bearer schemes and the auth statuses of every gated operation', async () => {
    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['bearer', 'csrf', 'session']);
    const cameras = doc.paths['/api/v1/cameras'];
    expect(cameras.post.security).toEqual([{ session: [], csrf: [] }, { bearer: [] }]);
    expect(cameras.get.security).toEqual([{ session: [] }, { bearer: [] }]);
    expect(Object.keys(cameras.post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '409', '413', '415', '429']));
    const login = doc.paths['/api/v1/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '401', '423', '429']));
    expect(Object.keys(doc.paths['/api/v1/cameras/{id}'].get.responses)).toEqual(expect.arrayContaining(['404', '414']));
  });

  it('serves the console page with a fresh nonce in both the page and its policy, never the placeholder', async () => {
    const web = mkdtempSync(join(tmpdir(), 'vigil-web-'));
    writeFileSync(join(web, 'index.html'), `<html><head><meta property="csp-nonce" nonce="${CSP_NONCE_PLACEHOLDER}"><style nonce="${CSP_NONCE_PLACEHOLDER}">body{margin:0}</style></head></html>`);
    writeFileSync(join(web, 'app.js'), 'console.log(1)');
    const app = await buildApp({ db: t.db, registry: t.registry, profiles: t.view, access: t.access, version: 'test', logger: false, plugins: [consolePlugin(web)] });
    try {
      const nonces = new Set<string>();
      for (const url of ['/', '/index.html', '/cameras', '/cameras']) {
        const res = await app.inject({ url });
        expect(res.statusCode, url).toBe(200);
        expect(res.body, url).not.toContain(CSP_NONCE_PLACEHOLDER);
        const nonce = /nonce="([^"]+)"/.exec(res.body)![1]!;
        expect(res.headers['content-security-policy'], url).toContain(`style-src 'self' 'nonce-${nonce}'`);
        nonces.add(nonce);
      }
      expect(nonces.size).toBe(4);
      const script = await app.inject({ url: '/app.js' });
      expect(script.headers['content-security-policy']).toMatch(/style-src 'self';/);
      expect((await app.inject({ url: '/api/v1/nothing' })).statusCode).toBe(404);
    } finally {
      await app.close();
    }
  });
});
