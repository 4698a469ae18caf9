// Issue 14 probed from outside, through the real API on both dialects: each finding (items 3–8
// and 11) with the attack that worked before and must not any more.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wasRecorded } from '../../src/access/security-log.js';
import type { AuditEntry } from '../../src/audit/entry.js';
import { testApp, type TestApp } from '../support/app.js';
import { adminActor, person, signIn, type Client } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { world, type World } from './fixtures.js';

const STRANGER = '203.0.113.9';
const OWNER = '198.51.100.7';

async function entries(t: TestApp, where: (e: AuditEntry) => boolean): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of t.audit.entries()) if (where(e)) out.push(e);
  return out;
}

for (const dialect of DIALECTS) {
  describe(`issue 14 attacks on ${dialect}`, () => {
    let t: TestApp;
    let w: World;
    let admin: Client;
    const login = (payload: object, remoteAddress = OWNER) => t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', payload, remoteAddress });

    beforeAll(async () => {
      t = await testApp(dialect, 'national', { access: { signInFailuresPerAddress: 12 }, complaints: { perAddressPerHour: 5, perRegionPerDay: 8, maxTextChars: 4000 } });
      w = await world(t);
      admin = await signIn(t, await person(t, 'root-admin', [['system_administrator', null]]));
    }, 60_000);
    afterAll(() => t?.close());

    it('(3) a stranger failing under a known name slows only themselves; the owner signs in from their own address', async () => {
      const owner = await person(t, 'known-name', [['unit_administrator', w.districtA]]);
      const codes: number[] = [];
      for (let i = 0; i < 10; i++) codes.push((await login({ login: 'known-name', password: `guess ${i} guess` }, STRANGER)).statusCode);
      expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(codes.slice(5)).toEqual([429, 429, 429, 429, 429]);
      const slowed = await login({ login: 'known-name', password: owner.password }, STRANGER);
      expect(slowed.statusCode).toBe(429);
      expect(Number(slowed.headers['retry-after'])).toBeGreaterThan(0);
      // Before: 423 ACCOUNT_LOCKED for everyone.
      expect((await login({ login: 'known-name', password: owner.password }, OWNER)).statusCode).toBe(200);
      // Many names from one address: the address stops, whatever name it tries next.
      t.clock.advance(16 * 60_000);
      for (let i = 0; i < 12; i++) await login({ login: `spray-${i}`, password: 'spray spray spray' }, STRANGER);
      expect((await login({ login: 'known-name', password: owner.password }, STRANGER)).statusCode).toBe(429);
      expect((await login({ login: 'known-name', password: owner.password }, OWNER)).statusCode).toBe(200);
    });

    it('(11) answers every sign-in failure alike, and a right password without the code counts as a failure', async () => {
      const p = await person(t, 'has-code', [['duty_operator', w.districtA]]);
      await signIn(t, p); // enrols the second factor
      const addr = '198.51.100.20';
      const bodies = [
        await login({ login: 'no-such-person', password: 'whatever whatever' }, addr),
        await login({ login: 'has-code', password: 'not the password' }, addr),
        await login({ login: 'has-code', password: p.password }, addr),
        await login({ login: 'has-code', password: p.password, totp: '000000' }, addr),
      ].map((r) => [r.statusCode, r.json()]);
      for (const b of bodies) expect(b).toEqual([401, { error: { code: 'UNAUTHENTICATED', message: 'wrong login name, password or code' } }]);
      const failed = await entries(t, (e) => e.action === 'login' && e.outcome === 'failed' && e.sourceAddress === addr && e.actors[0]?.name === 'has-code');
      expect(failed.map((e) => e.reason)).toEqual(['wrong login name or password', 'second-factor code missing', 'wrong or reused second-factor code']);
    });

    it('(4) refuses auditor with operator, self-grants, and holds a grant by the creating administrator until a second one confirms', async () => {
      const made = await admin.inject({ method: 'POST', url: '/api/v1/users', payload: { login: 'watcher', displayName: 'Watcher', organisationId: w.districtA, password: 'chosen-by-admin-1' } });
      expect(made.statusCode).toBe(201);
      const id = made.json().user.id as number;
      expect((await admin.inject({ method: 'POST', url: `/api/v1/users/${id}/grants`, payload: { role: 'duty_operator', organisationId: null } })).statusCode).toBe(201);
      const both = await admin.inject({ method: 'POST', url: `/api/v1/users/${id}/grants`, payload: { role: 'auditor', organisationId: null } });
      expect(both.statusCode).toBe(409);
      expect(both.json().error.code).toBe('DUTIES_INCOMPATIBLE');
      expect(both.json().error.message).toMatch(/duty_operator.*auditor/);
      const self = await admin.inject({ method: 'POST', url: `/api/v1/users/${admin.person.id}/grants`, payload: { role: 'auditor', organisationId: null } });
      expect(self.statusCode).toBe(403);
      expect(self.json().error.message).toMatch(/yourself/);
      const refused = await entries(t, (e) => e.outcome === 'refused' && (e.target === `user:${id}` || e.target === `user:${admin.person.id}`));
      expect(refused.map((e) => e.reason)).toEqual(['auditor with duty_operator refused (separation of duties)', 'self-grant of auditor refused']);

      // A powerful role on an account one created: no power until a second administrator confirms.
      const aud = (await admin.inject({ method: 'POST', url: '/api/v1/users', payload: { login: 'new-auditor', displayName: 'A', organisationId: w.districtA, password: 'chosen-by-admin-2' } })).json().user.id as number;
      const pending = await admin.inject({ method: 'POST', url: `/api/v1/users/${aud}/grants`, payload: { role: 'auditor', organisationId: null } });
      expect(pending.json().grants).toEqual([expect.objectContaining({ role: 'auditor', awaitingConfirmation: true })]);
      const grantId = pending.json().grants[0].id as number;
      expect((await admin.inject({ method: 'POST', url: `/api/v1/role-grants/${grantId}/confirm` })).statusCode).toBe(403);

      // The administrator's password must be replaced first, and nothing else is open until it is.
      const first = await login({ login: 'new-auditor', password: 'chosen-by-admin-2' });
      expect(first.json().stage).toBe('password');
      const headers = { cookie: `vigil_session=${first.cookies.find((c) => c.name === 'vigil_session')!.value}`, 'x-csrf-token': first.json().csrfToken };
      const blocked = await t.raw.inject({ url: '/api/v1/audit/entries', headers });
      expect(blocked.statusCode).toBe(403);
      expect(blocked.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
      expect((await t.raw.inject({ method: 'POST', url: '/api/v1/auth/password', headers, payload: { current: 'chosen-by-admin-2', next: 'my-own-password-2' } })).statusCode).toBe(204);
      // Still awaiting: the register stays closed.
      expect((await t.raw.inject({ url: '/api/v1/audit/entries', headers })).statusCode).toBe(403);

      const second = await signIn(t, await person(t, 'second-admin', [['system_administrator', null]]));
      expect((await second.inject({ method: 'POST', url: `/api/v1/role-grants/${grantId}/confirm` })).json().grants[0].awaitingConfirmation).toBe(false);
      // Now an auditor: the register needs a second factor first.
      const me = await t.raw.inject({ url: '/api/v1/auth/me', headers });
      expect(me.json().stage).toBe('enrol');
      expect((await t.raw.inject({ url: '/api/v1/audit/entries', headers })).json().error.code).toBe('TOTP_ENROLMENT_REQUIRED');
    });

    it('(5) registers 401s once per address and window with a count, and a garbage stream token once', async () => {
      const addr = '198.51.100.50';
      const is401 = (e: AuditEntry) => e.sourceAddress === addr && e.outcome === 'refused';
      for (let i = 0; i < 21; i++) expect((await t.raw.inject({ url: '/api/v1/cameras', remoteAddress: addr })).statusCode).toBe(401);
      expect((await t.raw.inject({ url: '/api/v1/cameras', remoteAddress: addr, headers: { cookie: 'vigil_session=forged' } })).statusCode).toBe(401);
      let seen = await entries(t, is401);
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ reason: 'sign in first', detail: { code: 'UNAUTHENTICATED' } });
      t.clock.advance(61_000);
      expect((await t.raw.inject({ url: '/api/v1/cameras', remoteAddress: addr })).statusCode).toBe(401);
      // The first alone, the 21 after it (the forged cookie among them) as one counted entry, then the next window's first.
      seen = await entries(t, is401);
      expect(seen).toHaveLength(3);
      expect(seen.map((e) => e.detail.count ?? null)).toEqual([null, 21, null]);

      const before = (await entries(t, (e) => e.outcome === 'refused' && e.cameraIds.includes(w.camA))).length;
      const err = await t.access.verifyStreamToken('garbage', { cameraId: w.camA, kind: 'live', sourceAddress: addr }).catch((e: unknown) => e);
      expect(wasRecorded(err)).toBe(true);
      expect((await entries(t, (e) => e.outcome === 'refused' && e.cameraIds.includes(w.camA))).length).toBe(before + 1);
    });

    it('(6) a password change ends every other session, the API tokens and their streams', async () => {
      const p = await person(t, 'victim', [['duty_operator', w.districtA]]);
      const mine = await signIn(t, p);
      const stolen = await signIn(t, p);
      const token = (await stolen.inject({ method: 'POST', url: '/api/v1/api-tokens', payload: { name: 'x', permissions: ['live:view'], organisationId: w.districtA, expiresInDays: 1 } })).json().token as string;
      const issued = await stolen.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.camA, kind: 'live' } });
      const claims = await t.access.verifyStreamToken(issued.json().token, { cameraId: w.camA, kind: 'live' });
      const closed = new Promise<string>((resolve) => t.access.footage.onRevoked(claims, (r) => resolve(r.reason)));
      const next = 'a-new-password-of-mine';
      expect((await mine.inject({ method: 'POST', url: '/api/v1/auth/password', payload: { current: p.password, next } })).statusCode).toBe(204);
      expect(await closed).toBe('password changed');
      expect((await stolen.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
      expect((await t.raw.inject({ url: '/api/v1/cameras', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(401);
      expect((await mine.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(200);
    });

    it('(7) limits anonymous complaints per address, per region a day and by size', async () => {
      const send = (remoteAddress: string, text = 'an officer asked for a brand') =>
        t.raw.inject({ method: 'POST', url: '/api/v1/complaints', remoteAddress, payload: { regionId: w.districtB, about: 'conduct', text } });
      const flood: number[] = [];
      for (let i = 0; i < 20; i++) flood.push((await send('198.51.100.60')).statusCode);
      expect(flood.filter((s) => s === 201)).toHaveLength(5);
      expect(flood.slice(5).every((s) => s === 429)).toBe(true);
      expect((await send('198.51.100.60')).headers['retry-after']).toBe('3600');
      expect((await send('198.51.100.61', 'x'.repeat(4001))).statusCode).toBe(400);
      const received = await entries(t, (e) => e.target?.endsWith('received') === true && e.sourceAddress === '198.51.100.60');
      expect(received).toHaveLength(5);
      expect(await entries(t, (e) => e.outcome === 'refused' && e.sourceAddress === '198.51.100.60')).toHaveLength(1);
      // The region's daily cap (8 here) holds whatever the addresses.
      expect((await send('198.51.100.62')).statusCode).toBe(201);
      expect((await send('198.51.100.63')).statusCode).toBe(201);
      expect((await send('198.51.100.64')).statusCode).toBe(201);
      const capped = await send('198.51.100.65');
      expect(capped.statusCode).toBe(429);
      expect(capped.json().error.message).toMatch(/for today/);
    });

    it('(8) refuses deleting an organisation still referenced by a user, with 409 naming it', async () => {
      const org = (await t.registry.organisations.create({ kind: 'platform', name: 'to delete', level: 'station', parentId: w.districtA })).id;
      await person(t, 'lives-there', [], { organisationId: org });
      const res = await admin.inject({ method: 'DELETE', url: `/api/v1/organisations/${org}` });
      expect(res.statusCode).toBe(409);
      expect(res.json().error.message).toMatch(/1 user accounts/);
    });

    it('(11) answers cameras, users and work orders outside one\'s scope as if they did not exist', async () => {
      const op = await signIn(t, await person(t, 'op-scope', [['duty_operator', w.districtA]]));
      const ua = await signIn(t, await person(t, 'ua-scope', [['unit_administrator', w.districtA]]));
      const outsider = await person(t, 'outsider', [], { organisationId: w.districtB });
      const order = await t.health.workOrders.openByHand(adminActor(t), await t.registry.cameras.get(w.camB), 'fault', 'no picture');
      const same = async (c: Client, hidden: string, missing: string) => {
        const a = await c.inject({ url: hidden });
        const b = await c.inject({ url: missing });
        expect(a.statusCode).toBe(404);
        expect(a.json().error.message.replace(/\d+/, 'N')).toBe(b.json().error.message.replace(/\d+/, 'N'));
      };
      await same(op, `/api/v1/cameras/${w.camB}`, '/api/v1/cameras/987654');
      await same(ua, `/api/v1/users/${outsider.id}`, '/api/v1/users/987654');
      await same(op, `/api/v1/work-orders/${order.id}`, '/api/v1/work-orders/987654');
      await same(op, `/api/v1/cameras/${w.camB}/diagnostics`, '/api/v1/cameras/987654/diagnostics');
      // Each hidden refusal is still in the register.
      const hidden = await entries(t, (e) => e.outcome === 'refused' && e.cameraIds.includes(w.camB) && e.actors[0]?.name === 'op-scope');
      expect(hidden.length).toBe(3);
    });

    it('(3) limits API requests per address with 429 and Retry-After', async () => {
      const limited = await testApp(dialect, 'national', { access: { apiRequestsPerMinute: 10 } });
      try {
        const codes: number[] = [];
        for (let i = 0; i < 12; i++) codes.push((await limited.raw.inject({ url: '/api/v1/profiles', remoteAddress: '198.51.100.70' })).statusCode);
        expect(codes.filter((c) => c === 429)).toHaveLength(2);
        const res = await limited.raw.inject({ url: '/api/v1/profiles', remoteAddress: '198.51.100.70' });
        expect(res.headers['retry-after']).toBe('6');
        expect((await limited.raw.inject({ url: '/api/v1/profiles', remoteAddress: '198.51.100.71' })).statusCode).toBe(401);
      } finally {
        await limited.close();
      }
    });
  });
}
