// Signing in through the real API in tests: people with roles in organisations, their sessions
// (cookie + CSRF token) and TOTP codes computed from the enrolled secret.
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/access/permissions.js';
import { base32Decode, totp } from '../../src/access/totp.js';
import type { TestApp } from './app.js';

export interface Person {
  id: number;
  login: string;
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

/** Signs in through POST /auth/login; enrols TOTP first when the role requires it. */
export async function signIn(t: TestApp, p: Person): Promise<Client> {
  let res = await t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: p.login, password: p.password } });
  if (res.statusCode === 401 && res.json().error.code === 'TOTP_REQUIRED') {
    res = await t.raw.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { login: p.login, password: p.password, totp: await currentCode(t, p.id) } });
  }
  if (res.statusCode !== 200) throw new Error(`sign-in of ${p.login} failed: ${res.statusCode} ${res.body}`);
  const cookie = `vigil_session=${res.cookies.find((c) => c.name === 'vigil_session')!.value}`;
  let csrf = res.json().csrfToken as string;
  const client: Client = {
    person: p,
    csrf,
    cookie,
    inject: (o) => t.raw.inject({ ...o, headers: { cookie, 'x-csrf-token': csrf, ...(o.headers ?? {}) } }),
  };
  if (res.json().stage === 'enrol') {
    const { secret } = (await client.inject({ method: 'POST', url: '/api/v1/auth/totp/enrol' })).json();
    const code = totp(base32Decode(secret), t.clock.now());
    const done = await client.inject({ method: 'POST', url: '/api/v1/auth/totp/confirm', payload: { code } });
    if (done.statusCode !== 204) throw new Error(`TOTP enrolment of ${p.login} failed: ${done.body}`);
    csrf = client.csrf;
  }
  return client;
}

/** The code an authenticator would show now, for an enrolled person; moves the clock one step on so it is fresh. */
export async function currentCode(t: TestApp, userId: number): Promise<string> {
  const secret = await t.access.accounts.enrolledTotpSecret(userId);
  t.clock.advance(30_000);
  return totp(base32Decode(secret!), t.clock.now());
}
