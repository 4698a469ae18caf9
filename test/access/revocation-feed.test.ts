// Revoking in one process closes streams open in another within seconds: each process's hub
// replays the revocations the others wrote (sessions, API tokens, the register's permission
// changes) while it has streams listening, and stops looking when none is left.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccess, type Access } from '../../src/access/index.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { configSchema } from '../../src/config/config.schema.js';
import { loadProfileRules } from '../../src/registry/profile-rules.adapter.js';
import { testApp, type TestApp } from '../support/app.js';
import { person } from '../support/auth.js';
import { world, type World } from './fixtures.js';

describe('revocations reach streams served by another process', () => {
  let t: TestApp;
  let w: World;
  let other: Access;
  beforeAll(async () => {
    t = await testApp('sqlite');
    w = await world(t);
    // A second process over the same database: its own register handle, hub and keys.
    const { catalogue } = loadProfileRules(undefined, 'national');
    other = createAccess({
      repos: t.repos,
      audit: new AuditLog(t.db, { keys: PlatformKeys.ephemeral(), clock: t.clock }),
      clock: t.clock,
      dataDir: t.dataDir,
      settings: configSchema.parse({}).access,
      keys: { csrf: randomBytes(32), stream: randomBytes(32) },
      revocationPollMs: 50,
      accessProfile: (id) => catalogue.require(id).access,
      effectiveProfileId: (orgId) => t.registry.organisations.effectiveProfileId(orgId),
    });
  }, 30_000);
  afterAll(async () => {
    await other?.revocations.close();
    await t.close();
  });

  /** A stream open in the other process, held by `holder`; resolves with the reason it was closed. */
  const openStream = (holder: string, userId: number) => {
    let off = () => undefined as void;
    const closed = new Promise<string>((resolve) => {
      off = other.hub.onRevoked({ holder, userId }, (r) => resolve(r.reason));
    });
    return { closed, off };
  };
  const within = <T>(p: Promise<T>, ms: number) =>
    Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`not closed within ${ms} ms`)), ms))]);
  const signIn = async (login: string, password: string) => (await t.access.accounts.login({ login, password, sourceAddress: null }));

  it('closes a stream when its session signs out, or its user loses a role, elsewhere', async () => {
    const p = await person(t, 'viewer', [], { organisationId: w.districtA });
    const grant = (await t.access.users.grant(null, p.id, 'duty_operator', w.districtA)).grants[0]!;
    const s = await signIn('viewer', p.password);
    const sessionId = s.actor.sessionId!;
    const stream = openStream(`s:${sessionId}`, p.id);
    expect(other.revocations.started).toBe(true);
    // A stream of somebody else stays open.
    const bystander = await person(t, 'bystander', [['duty_operator', w.districtA]]);
    const untouched = openStream('s:someone-else', bystander.id);
    await t.access.accounts.logout(s.actor);
    expect(await within(stream.closed, 3000)).toBe('session ended');

    const again = openStream(`s:${(await signIn('viewer', p.password)).actor.sessionId}`, p.id);
    await t.access.users.revokeGrant(null, grant.id);
    // Issue 14: losing a role also ends the person's sessions; whichever the feed sees first closes it.
    expect(await within(again.closed, 3000)).toMatch(/^(role revoked|session ended)$/);

    let closedEarly = false;
    void untouched.closed.then(() => (closedEarly = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(closedEarly).toBe(false);
    untouched.off();
    expect(other.revocations.started).toBe(false);
  });

  it('closes a machine client\'s stream when its API token is revoked elsewhere', async () => {
    const p = await person(t, 'machine-owner', [['duty_operator', w.districtA]]);
    const token = await t.access.users.createToken(null, p.id, { name: 'wall', permissions: ['live:view'], organisationId: w.districtA, expiresInDays: 1 });
    const stream = openStream(`t:${token.id}`, p.id);
    await t.access.users.revokeToken(null, token.id);
    expect(await within(stream.closed, 3000)).toBe('API token revoked');
  });
});
