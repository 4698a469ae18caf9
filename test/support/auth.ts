// Signing in through the real API in tests: people with roles in organisations, their sessions
// (cookie + CSRF token) and TOTP codes computed from the enrolled secret.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { randomBytes } from 'node:crypto';
import { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/permissions.js';
import { base32Decode, totp } from '../../src/access/totp.js';
import type { TestApp } from './app.js';

export interface Person {
  id: number;
  login: string;
  /** Follows a forced change (signIn). */
  password: string;
  workId: string | null;
}

export async function person(t: TestApp, login: string, grants: [Role, number | null][], opts: { workId?: string | null; organisationId?: number | null } = {}): Promise<Person> {
  const password = `pw-${randomBytes(9).toString('hex')}`;
  const { user } = await t.access.users.create(null, { login, displayName: login, workId: opts.workId ?? null, organisationId: opts.organisationId ?? grants[0]?.[1] ?? null, password });
  for (const [role, org] of grants) await t.access.users.grant(null, user.id, role, org);
  return { id: user.id, login, password, workId: opts.workId ?? null };
}

export interface Client {
  person: Person;
  csrf: string;
  cookie: string;
  inject(o: InjectOptions): Promise<LightMyRequestResponse>;
}

/**
 * Signs in through POST /auth/login, with the code when the person has enrolled a second factor
 * (a failure never says a code was missing); enrols TOTP first when the role requires it, and
 * replaces an administrator-set password when the account must (`p.password` follows).
 */
export async function signIn(t: TestApp, p: Person, remoteAddress?: string): Promise<Client> {
  const enrolled = (await t.access.accounts.enrolledTotpSecret(p.id)) !== null;
  const res = await t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: p.login, password: p.password, ...(enrolled ? { totp: await currentCode(t, p.id) } : {}) }, ...(remoteAddress ? { remoteAddress } : {}) });
  if (res.statusCode !== 200) throw new Error(`sign-in of ${p.login} failed: ${res.statusCode} ${res.body}`);
  const cookie = `vigil_session=${res.cookies.find((c) => c.name === 'vigil_session')!.value}`;
  let csrf = res.json().csrfToken as string;
  const client: Client = {
    person: p,
    csrf,
    cookie,
    inject: (o) => t.raw.inject({ ...o, headers: { cookie, 'x-csrf-token': csrf, ...(o.headers ?? {}) } }),
  };
  if (res.json().stage === 'password') {
    const next = `pw-${randomBytes(9).toString('hex')}`;
    const changed = await client.inject({ method: 'POST', url: '/api/v1/auth/password', payload: { current: p.password, next } });
    if (changed.statusCode !== 204) throw new Error(`password change of ${p.login} failed: ${changed.body}`);
    p.password = next;
    return signIn(t, p, remoteAddress);
  }
  if (res.json().stage === 'enrol') {
    const { secret } = (await client.inject({ method: 'POST', url: '/api/v1/auth/totp/enrol' })).json();
    const code = totp(base32Decode(secret), t.clock.now());
    const done = await client.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', payload: { code } });
    if (done.statusCode !== 204) throw new Error(`TOTP enrolment of ${p.login} failed: ${done.body}`);
    csrf = client.csrf;
  }
  return client;
}

/**
 * A code an authenticator would accept now for an enrolled person: the earliest step within the
 * allowed drift not yet used, so sign-ins at the same moment (Promise.all) do not move the clock
 * under each other; the clock moves on only when every step within the drift is used.
 */
export async function currentCode(t: TestApp, userId: number): Promise<string> {
  const secret = await t.access.accounts.enrolledTotpSecret(userId);
  const last = (await t.repos.accounts.userById(userId))?.totp_last_step ?? null;
  let now = Math.floor(t.clock.now() / 30_000);
  let step = last === null ? now : Math.max(now - 1, last + 1);
  if (step > now + 1) {
    t.clock.advance((step - now - 1) * 30_000);
    now = Math.floor(t.clock.now() / 30_000);
    step = Math.max(now - 1, last! + 1);
  }
  return totp(base32Decode(secret!), step * 30_000);
}

/** The test app's administrator as a use case sees a person (for calls that bypass the API). */
export function adminActor(t: Pick<TestApp, 'adminId'>): Actor {
  return new Actor({ userId: t.adminId, login: 'test-admin', displayName: 'Test administrator', workId: null, organisationId: null, grants: [{ id: 0, role: 'system_administrator', organisationId: null, path: '' }] });
}
