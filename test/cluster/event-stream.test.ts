// The event stream across the processes of a cluster (issue 22), on a real PostgreSQL:
// - the table is the truth: with no NOTIFY at all, an event reaches the other process by its poll;
// - an id committed after a higher one (transactions commit in any order) is still delivered,
//   and nothing is delivered twice or back to the process that published it;
// - end to end: an alarm raised in one API node's process reaches a console's event stream
//   (Server-Sent Events) connected to another API node.
// Judged by what arrives and in which order, never by how fast.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE_PERMISSIONS } from '../../src/access/permissions.js';
import { ClusterEventFeed } from '../../src/cluster/event-feed.js';
import { loadConfig } from '../../src/config/config.js';
import { openDatabase, type Db } from '../../src/db/database.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { openContext, type Context } from '../../src/services/context.js';
import { startRoles, type RunningRoles } from '../../src/services/roles.js';
import { freshPostgresUrl } from '../support/databases.js';

const eventually = async <T>(what: string, check: () => T | undefined, limitMs = 60_000): Promise<T> => {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('cluster event feed: the table is the truth, NOTIFY only a wake-up', () => {
  let db: Db;
  let repos: Repositories;
  beforeAll(async () => {
    db = openDatabase(await freshPostgresUrl());
    repos = createRepositories(db);
  });
  afterAll(async () => db?.close());

  it('delivers by polling with no wake-up at all, never to its publisher, never twice', async () => {
    const gotA: number[] = [];
    const gotB: number[] = [];
    const a = new ClusterEventFeed<{ n: number }>(repos.cluster, (e) => gotA.push(e.n), { pollMs: 100 });
    const b = new ClusterEventFeed<{ n: number }>(repos.cluster, (e) => gotB.push(e.n), { pollMs: 100 });
    await a.start();
    await b.start();
    try {
      for (let n = 1; n <= 5; n++) await a.publish({ n });
      await eventually('five events at b', () => (gotB.length >= 5 ? true : undefined));
      await b.read();
      await b.read();
      expect(gotB).toEqual([1, 2, 3, 4, 5]);
      await a.read();
      expect(gotA).toEqual([]);
    } finally {
      a.close();
      b.close();
    }
  });

  it('delivers an id that commits after a higher one', async () => {
    const got: string[] = [];
    const reader = new ClusterEventFeed<{ s: string }>(repos.cluster, (e) => got.push(e.s), { pollMs: 60_000, settleMs: 600_000 });
    await reader.start();
    try {
      // The first insert takes its id and waits uncommitted while a later one commits.
      let commitFirst!: () => void;
      const held = new Promise<void>((r) => (commitFirst = r));
      let firstInserted!: () => void;
      const inserted = new Promise<void>((r) => (firstInserted = r));
      const slow = db.kysely.transaction().execute(async (trx) => {
        await trx.insertInto('cluster_events').values({ origin: 'other', at: Date.now(), body: JSON.stringify({ s: 'first' }) }).execute();
        firstInserted();
        await held;
      });
      await inserted;
      await repos.cluster.appendEvent('other', Date.now(), JSON.stringify({ s: 'second' }));
      await reader.read();
      expect(got).toEqual(['second']);
      commitFirst();
      await slow;
      await reader.read();
      await reader.read();
      expect(got).toEqual(['second', 'first']);
    } finally {
      reader.close();
    }
  });
});

describe('an alarm raised in one API node reaches a console connected to another', () => {
  let dbUrl: string;
  const apis: { ctx: Context; roles: RunningRoles; url: string }[] = [];
  let bearer: string;

  beforeAll(async () => {
    dbUrl = await freshPostgresUrl();
    for (let i = 0; i < 2; i++) {
      const dir = mkdtempSync(join(tmpdir(), `vigil-events${i}-`));
      const ctx = await openContext(loadConfig({ env: { VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_DATABASE_URL: dbUrl, VIGIL_LOG_LEVEL: 'warn' }, cwd: dir, overrides: { 'http.port': 0 } }));
      const roles = await startRoles(ctx, ['api']);
      apis.push({ ctx, roles, url: roles.apiUrl! });
    }
    const access = apis[0]!.ctx.access;
    const { user } = await access.users.create(null, { login: 'duty', displayName: 'Duty operator', password: `pw-${randomBytes(9).toString('hex')}`, organisationId: null });
    await access.users.grant(null, user.id, 'duty_operator', null);
    bearer = (await access.users.createToken(null, user.id, { name: 'console', permissions: [...ROLE_PERMISSIONS.duty_operator], organisationId: null, expiresInDays: 1 })).token;
  });
  afterAll(async () => {
    for (const a of apis) {
      await a.roles.close();
      await a.ctx.close();
    }
  });

  it('arrives on the other node\'s /events, once', async () => {
    const ac = new AbortController();
    const res = await fetch(`${apis[1]!.url}/api/v1/events`, { headers: { authorization: `Bearer ${bearer}` }, signal: ac.signal });
    expect(res.status).toBe(200);
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) text += decoder.decode(chunk, { stream: true });
    })().catch(() => undefined);
    // The stream is open (its first comment arrived) and the other node's health is built.
    await eventually('the stream open', () => (text.includes(': vigil health events') ? true : undefined));
    void apis[1]!.ctx.health;
    const raised = await apis[0]!.ctx.health.alarms.storageAlarm({ kind: 'object_store_backlog', severity: 'warning', message: `cluster event test ${randomBytes(4).toString('hex')}`, detail: {} });
    await eventually('the alarm on the other node', () => (text.includes(raised.title) ? true : undefined));
    const alarms = text.split('\n\n').filter((e) => e.startsWith('event: alarm') && e.includes(raised.title));
    expect(alarms).toHaveLength(1);
    expect(JSON.parse(alarms[0]!.split('data: ')[1]!).alarm.id).toBe(raised.id);
    ac.abort();
    await reading;
  });
});
