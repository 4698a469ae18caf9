// Issue 22: on PostgreSQL a revocation wakes every other process's feed through LISTEN/NOTIFY, so
// a stream open on another node closes without waiting for that node's next poll. The other
// process here polls once in ten minutes: only the wake-up can deliver within the test. The
// wake-up carries nothing: the woken feed reads the tables, as its periodic poll does.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccess, type Access } from '../../src/access/index.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { configSchema } from '../../src/config/config.schema.js';
import { Wakeups } from '../../src/db/wakeups.js';
import { loadProfileRules } from '../../src/registry/profile-rules.adapter.js';
import { testApp, type TestApp } from '../support/app.js';
import { person } from '../support/auth.js';
import { world, type World } from './fixtures.js';

describe('revocations wake the other nodes (PostgreSQL LISTEN/NOTIFY)', () => {
  let t: TestApp;
  let w: World;
  const wakeups: Wakeups[] = [];
  let here: Access;
  let other: Access;
  beforeAll(async () => {
    t = await testApp('postgres');
    w = await world(t);
    const { catalogue } = loadProfileRules(undefined, 'national');
    const node = (pollMs: number) => {
      const wk = new Wakeups(t.db);
      wakeups.push(wk);
      return createAccess({
        repos: t.repos,
        audit: new AuditLog(t.db, { keys: PlatformKeys.ephemeral(), clock: t.clock }),
        clock: t.clock,
        dataDir: t.dataDir,
        settings: configSchema.parse({}).access,
        keys: { csrf: randomBytes(32), stream: randomBytes(32) },
        revocationPollMs: pollMs,
        wakeups: wk,
        accessProfile: (id) => catalogue.require(id).access,
        effectiveProfileId: (orgId) => t.registry.organisations.effectiveProfileId(orgId),
      });
    };
    here = node(600_000);
    other = node(600_000);
  }, 60_000);
  afterAll(async () => {
    await other?.revocations.close();
    await here?.revocations.close();
    for (const wk of wakeups) await wk.close();
    await t?.close();
  });

  it('closes a stream on another node when its session signs out here, long before that node would poll', async () => {
    const p = await person(t, 'viewer', [['duty_operator', w.districtA]]);
    const s = await here.accounts.login({ login: 'viewer', password: p.password, sourceAddress: null });
    const closed = new Promise<string>((resolve) => other.hub.onRevoked({ holder: `s:${s.actor.sessionId!}`, userId: p.id }, (r) => resolve(r.reason)));
    // Whether the NOTIFY comes before or after the other node's LISTEN is in place, it reads the
    // tables: on the notification, or on the wake-up every listener gets once it is connected.
    await here.accounts.logout(s.actor);
    expect(await closed).toBe('session ended');
  });
});
