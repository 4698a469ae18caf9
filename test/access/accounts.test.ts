// Accounts through the API: lockout, the second factor, CSRF, session lifetime, API token scope
// and revocation, revocation reaching open streams, and the first-run administrator.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInitialAdmin, INITIAL_ADMIN_FILE } from '../../src/access/first-run.js';
import { base32Decode, totp } from '../../src/access/totp.js';
import { testApp, type TestApp } from '../support/app.js';
import { currentCode, person, signIn } from '../support/auth.js';
import { world, type World } from './fixtures.js';

const login = (t: TestApp, payload: object) => t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', payload });

describe('accounts', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await testApp('sqlite');
    w = await world(t);
  }, 30_000);
  afterAll(() => t.close());

  const failedLogins = async (name: string) => {
    let n = 0;
    for await (const e of t.audit.entries({ action: 'login', outcome: 'failed' })) if (e.actors.some((a) => a.name === name)) n++;
    return n;
  };

  it('slows repeated failures of one name from one address, registers each, and lets it in after the wait', async () => {
    const p = await person(t, 'lockme', [['duty_operator', w.districtA]]);
    for (let i = 0; i < 5; i++) expect((await login(t, { login: 'lockme', password: 'wrong password!' })).statusCode).toBe(401);
    expect(await failedLogins('lockme')).toBe(5);
    // Issue 14: no hard lock any more, a delay that doubles, answered 429 with Retry-After.
    const slowed = await login(t, { login: 'lockme', password: p.password });
    expect(slowed.statusCode).toBe(429);
    expect(slowed.json().error.code).toBe('RATE_LIMITED');
    expect(Number(slowed.headers['retry-after'])).toBe(2);
    let refused = 0;
    for await (const e of t.audit.entries({ action: 'login', outcome: 'refused' })) if (e.actors[0]?.name === 'lockme') refused++;
    expect(refused).toBe(1);
    t.clock.advance(2_000);
    expect((await login(t, { login: 'lockme', password: p.password })).statusCode).toBe(200);
    // An unknown name fails the same way and is registered too.
    const unknown = await login(t, { login: 'nobody-here', password: 'whatever it is' });
    expect(unknown.json().error).toEqual({ code: 'UNAUTHENTICATED', message: 'wrong login name, password or code' });
    expect(await failedLogins('nobody-here')).toBe(1);
  });

  it('makes approvers enrol TOTP at first sign-in, then requires a fresh code every time', async () => {
    const p = await person(t, 'head-a', [['approver', w.unitA]]);
    const first = await login(t, { login: 'head-a', password: p.password });
    expect(first.json().stage).toBe('enrol');
    const cookie = `vigil_session=${first.cookies.find((c) => c.name === 'vigil_session')!.value}`;
    const headers = { cookie, 'x-csrf-token': first.json().csrfToken };
    const blocked = await t.raw.inject({ url: '/api/v1/access-requests', headers });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('TOTP_ENROLMENT_REQUIRED');
    // Every refusal is registered, also those no service wrote itself.
    const [last] = (await t.audit.search({ outcome: 'refused', limit: 1 })).items;
    expect(last).toMatchObject({ actors: [{ userId: p.id }], reason: expect.stringMatching(/enrol/) });
    const { uri, secret } = (await t.raw.inject({ method: 'POST', url: '/api/v1/auth/totp/enrol', headers })).json();
    expect(uri).toMatch(/^otpauth:\/\/totp\/Vigil:head-a\?secret=/);
    expect((await t.raw.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', headers, payload: { code: '000000' } })).statusCode).toBe(400);
    expect((await t.raw.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', headers, payload: { code: totp(base32Decode(secret), t.clock.now()) } })).statusCode).toBe(204);
    expect((await t.raw.inject({ url: '/api/v1/access-requests', headers })).statusCode).toBe(200);

    // Issue 14: a right password without the code is answered as any failure, and counts as one.
    const noCode = await login(t, { login: 'head-a', password: p.password });
    expect(noCode.statusCode).toBe(401);
    expect(noCode.json().error).toEqual({ code: 'UNAUTHENTICATED', message: 'wrong login name, password or code' });
    expect((await login(t, { login: 'head-a', password: p.password, totp: '123456' })).statusCode).toBe(401);
    const code = await currentCode(t, p.id);
    expect((await login(t, { login: 'head-a', password: p.password, totp: code })).json().stage).toBe('full');
    // The same code again is a replay.
    const replay = await login(t, { login: 'head-a', password: p.password, totp: code });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.message).toBe('wrong login name, password or code');
    expect(await failedLogins('head-a')).toBe(3);
  });

  it('sets an httpOnly SameSite=Strict cookie and refuses unsafe requests without the CSRF token', async () => {
    const p = await person(t, 'unit-admin', [['unit_administrator', w.districtA]]);
    const res = await login(t, { login: 'unit-admin', password: p.password });
    const c = res.cookies.find((x) => x.name === 'vigil_session')!;
    expect(c).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const cookie = `vigil_session=${c.value}`;
    const payload = { kind: 'platform', name: 'csrf test', level: 'station', parentId: w.districtA };
    const before = (await t.audit.search({ outcome: 'refused', limit: 1000 })).items.length;
    for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'wrong' }, { cookie, 'x-csrf-token': res.json().csrfToken.slice(1) }]) {
      const r = await t.raw.inject({ method: 'POST', url: '/api/v1/organisations', headers, payload });
      expect(r.statusCode).toBe(403);
      expect(r.json().error.code).toBe('CSRF_REJECTED');
    }
    expect((await t.audit.search({ outcome: 'refused', limit: 1000 })).items.length).toBe(before + 3);
    expect((await t.raw.inject({ url: '/api/v1/organisations', headers: { cookie } })).statusCode).toBe(200);
    const me = (await t.raw.inject({ url: '/api/v1/auth/me', headers: { cookie } })).json();
    const ok = await t.raw.inject({ method: 'POST', url: '/api/v1/organisations', headers: { cookie, 'x-csrf-token': me.csrfToken }, payload });
    expect(ok.statusCode).toBe(201);
  });

  it('ends sessions when idle, at their end, and at sign-out', async () => {
    const p = await person(t, 'idle-op', [['duty_operator', w.districtA]]);
    let c = await signIn(t, p);
    t.clock.advance(29 * 60_000);
    expect((await c.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(200);
    t.clock.advance(30 * 60_000 + 1);
    expect((await c.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    c = await signIn(t, p);
    for (let i = 0; i < 25; i++) {
      t.clock.advance(29 * 60_000);
      await c.inject({ url: '/api/v1/auth/me' });
    }
    expect((await c.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    c = await signIn(t, p);
    expect((await c.inject({ method: 'POST', url: '/api/v1/auth/logout' })).statusCode).toBe(204);
    expect((await c.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
  });

  it('scopes API tokens to some of the owner\'s permissions over one subtree, and revokes them', async () => {
    const p = await person(t, 'maint', [['maintainer', w.cityA]]);
    const c = await signIn(t, p);
    const wider = await c.inject({ method: 'POST', url: '/api/v1/api-tokens', payload: { name: 'x', permissions: ['basic-info:write'], organisationId: w.districtA, expiresInDays: 1 } });
    expect(wider.statusCode).toBe(403);
    const made = await c.inject({ method: 'POST', url: '/api/v1/api-tokens', payload: { name: 'nvr sync', permissions: ['basic-info:read'], organisationId: w.unitA, expiresInDays: 1 } });
    expect(made.statusCode).toBe(201);
    const bearer = { authorization: `Bearer ${made.json().token}` };
    const list = (await t.raw.inject({ url: '/api/v1/cameras', headers: bearer })).json();
    expect(list.items.map((x: { id: number }) => x.id)).toEqual([w.camA]);
    expect(list.items[0].gbId).toBe('34010400001320000001');
    // The token reaches only its permission: no live view even though the owner has it.
    expect((await t.raw.inject({ method: 'POST', url: '/api/v1/stream-tokens', headers: bearer, payload: { cameraId: w.camA, kind: 'live' } })).statusCode).toBe(403);
    // A token cannot mint tokens, needs no CSRF header, and never shows its secret again.
    expect((await t.raw.inject({ method: 'POST', url: '/api/v1/api-tokens', headers: bearer, payload: { name: 'y', permissions: ['basic-info:read'], organisationId: w.unitA, expiresInDays: 1 } })).statusCode).toBe(403);
    expect(JSON.stringify((await c.inject({ url: '/api/v1/api-tokens' })).json())).not.toContain(made.json().token);
    expect((await c.inject({ method: 'DELETE', url: `/api/v1/api-tokens/${made.json().id}` })).statusCode).toBe(204);
    expect((await t.raw.inject({ url: '/api/v1/cameras', headers: bearer })).statusCode).toBe(401);
    // Platform-wide reach is more than a city maintainer has.
    expect((await c.inject({ method: 'POST', url: '/api/v1/api-tokens', payload: { name: 'z', permissions: ['basic-info:read'], organisationId: null, expiresInDays: 1 } })).statusCode).toBe(403);
    const short = (await c.inject({ method: 'POST', url: '/api/v1/api-tokens', payload: { name: 'z', permissions: ['basic-info:read'], organisationId: w.cityA, expiresInDays: 1 } })).json();
    expect((await t.raw.inject({ url: '/api/v1/cameras', headers: { authorization: `Bearer ${short.token}` } })).json().total).toBe(1);
    t.clock.advance(86_400_000);
    expect((await t.raw.inject({ url: '/api/v1/cameras', headers: { authorization: `Bearer ${short.token}` } })).statusCode).toBe(401);
  });

  it('closes an open stream within seconds when its session, or the role behind it, is revoked', async () => {
    const op = await person(t, 'op-stream', [['duty_operator', w.districtA]]);
    const admin = await signIn(t, await person(t, 'admin-a', [['system_administrator', w.cityA]]));
    const open = async () => {
      const c = await signIn(t, op);
      const res = await c.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.camA, kind: 'live' } });
      expect(res.statusCode, res.body).toBe(201);
      const claims = await t.access.verifyStreamToken(res.json().token, { cameraId: w.camA, kind: 'live' });
      const started = Date.now();
      const closed = new Promise<{ reason: string; ms: number }>((resolve) => t.access.footage.onRevoked(claims, (r) => resolve({ reason: r.reason, ms: Date.now() - started })));
      return { c, closed, token: (await c.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.camA, kind: 'live' } })).json().token as string };
    };
    const s1 = await open();
    expect((await admin.inject({ method: 'POST', url: `/api/v1/users/${op.id}/sessions/revoke` })).json().revoked).toBeGreaterThan(0);
    const r1 = await s1.closed;
    expect(r1.reason).toBe('session revoked');
    expect(r1.ms).toBeLessThan(2000);
    // A token issued to the revoked session no longer opens anything, and the attempt is registered.
    await expect(t.access.verifyStreamToken(s1.token, { cameraId: w.camA, kind: 'live' })).rejects.toThrow(/has ended/);

    const s2 = await open();
    const grant = (await t.repos.accounts.grantsOf(op.id))[0]!;
    expect((await admin.inject({ method: 'DELETE', url: `/api/v1/role-grants/${grant.id}` })).statusCode).toBe(204);
    expect((await s2.closed).reason).toMatch(/role duty_operator revoked/);
    // Issue 14: taking a role away ends the person's sessions too.
    expect((await s2.c.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.camA, kind: 'live' } })).statusCode).toBe(401);
  });

  it('creates the first administrator once, with the password in a private file', async () => {
    const empty = await testApp('sqlite');
    try {
      await empty.repos.db.kysely.deleteFrom('role_grants').execute();
      await empty.repos.db.kysely.deleteFrom('api_tokens').execute();
      await empty.repos.db.kysely.deleteFrom('users').execute();
      const logs: string[] = [];
      const made = await ensureInitialAdmin(empty.repos, empty.access.users, empty.dataDir, (m) => logs.push(m));
      expect(made?.login).toBe('admin');
      const file = join(empty.dataDir, INITIAL_ADMIN_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(logs).toHaveLength(1);
      expect(logs[0]).not.toContain(readFileSync(file, 'utf8').trim());
      const initial = readFileSync(file, 'utf8').trim();
      const res = await login(empty, { login: 'admin', password: initial });
      // The password sat in a file: it is replaced first, and only then is the second factor enrolled.
      expect(res.json().stage).toBe('password');
      expect(res.json().roles).toEqual([{ role: 'system_administrator', organisationId: null }]);
      const cookie = `vigil_session=${res.cookies.find((c) => c.name === 'vigil_session')!.value}`;
      const headers = { cookie, 'x-csrf-token': res.json().csrfToken as string };
      expect((await empty.raw.inject({ method: 'GET', url: '/api/v1/cameras', headers })).statusCode).toBe(403);
      const next = 'a-password-of-my-own-choosing';
      expect((await empty.raw.inject({ method: 'POST', url: '/api/v1/auth/password', headers, payload: { current: initial, next } })).statusCode).toBe(204);
      expect((await login(empty, { login: 'admin', password: initial })).statusCode).toBe(401);
      expect((await login(empty, { login: 'admin', password: next })).json().stage).toBe('enrol');
      expect(await ensureInitialAdmin(empty.repos, empty.access.users, empty.dataDir, (m) => logs.push(m))).toBe(null);
    } finally {
      await empty.close();
    }
  });
});
