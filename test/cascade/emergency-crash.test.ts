// Emergency connections outlive a crash (issue 19, on both dialects): a process opens a connection
// under an approved request (emergency-holder.ts: the production wiring) and is killed with
// SIGKILL, leaving its request "in use" and the upper without its lower. The API process (its own
// wiring, watching for orphans) takes it over: a connection whose period has not ended is resumed —
// the upper sees the lower register again — and registered as resumed; one whose period ended
// while nobody held it is closed and registered as ended, the request closed.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import type { EmergencyService } from '../../src/cascade/emergency.service.js';
import { configSchema } from '../../src/config/config.schema.js';
import { openContext, type Context } from '../../src/services/context.js';
import { openEmergency } from '../../src/services/cascade.service.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, type Person } from '../support/auth.js';
import { DIALECTS, freshPostgresUrl, freshSqliteUrl } from '../support/databases.js';
import { testChildEntry } from '../support/vigil-entry.js';
import { PDF, world, type World } from '../access/fixtures.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const dialect of DIALECTS) {
  describe(`an emergency connection whose process was killed (${dialect})`, () => {
    let t: TestApp;
    let w: World;
    let upper: TestUpper;
    let url: string;
    let police: Person;
    let head: Person;
    let cascadeRaw: Record<string, unknown>;
    let ctx: Context | undefined;
    let api: EmergencyService | undefined;
    const children: ChildProcess[] = [];

    const actorInit = async (p: Person, role: 'investigator' | 'approver') => {
      const org = (await t.repos.organisations.get(w.cityA))!;
      return { userId: p.id, login: p.login, displayName: p.login, workId: null, organisationId: w.cityA, grants: [{ id: 0, role, organisationId: w.cityA, path: org.path }] };
    };

    beforeAll(async () => {
      upper = await TestUpper.start(UPPER, 'secret');
      cascadeRaw = {
        sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', emergencyHeartbeatSeconds: 0.3,
        uppers: [{ name: '市公安局平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 1, onDemand: true }],
      };
      url = dialect === 'sqlite' ? freshSqliteUrl(join(mkdtempSync(join(tmpdir(), 'vigil-crash-')), 'vigil.db')) : await freshPostgresUrl();
      t = await testApp(dialect, 'national', { cascade: configSchema.parse({ cascade: cascadeRaw }).cascade, databaseUrl: url });
      t.clock.set(Date.now());
      w = await world(t);
      police = await person(t, 'police', [['investigator', w.cityA]]);
      head = await person(t, 'police-head', [['approver', w.cityA]]);
    }, 90_000);
    // A test that failed half-way leaves no API process behind to take the next test's connection.
    afterEach(async () => {
      await api?.close();
      await ctx?.close();
      api = undefined;
      ctx = undefined;
    });
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await api?.close();
      await ctx?.close();
      await t?.close();
      await upper?.close();
    });

    /** An approved connection request for [now, to). */
    const approved = async (to: number) => {
      t.clock.set(Date.now());
      const p = new Actor(await actorInit(police, 'investigator'));
      const r = await t.access.requests.create(p, {
        kind: 'connect', requesterKind: 'public-security', requestingUnit: '合肥市公安局', purpose: '重大活动安保', destination: UPPER, custodianId: w.unitA,
        cameraIds: [], from: Date.now() - 1000, to, validityHours: 1, officerWorkIds: [],
      });
      await t.access.requests.attachDocument(p, r.id, PDF);
      await t.access.requests.submit(p, r.id);
      await t.access.requests.approve(new Actor(await actorInit(head, 'approver')), r.id);
      return r.id;
    };

    /**
     * A process holding a connection: started and ready (its modules loaded and its context open)
     * before the request it opens is made, then given the request; resolved once it is open.
     */
    const holder = async (request: () => Promise<number>): Promise<ChildProcess> => {
      const arg = JSON.stringify({ url, dataDir: mkdtempSync(join(tmpdir(), 'vigil-holder-')), cascade: cascadeRaw });
      const child = spawn(process.execPath, [...testChildEntry(join(import.meta.dirname, 'emergency-holder.ts')), arg], { stdio: ['pipe', 'pipe', 'pipe'] });
      children.push(child);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the holder exited (${code}):\n${out}`))));
      exited.catch(() => undefined);
      await Promise.race([exited, until('the holder to be ready', () => out.includes('ready\n'))]);
      const actor = await actorInit(police, 'investigator');
      const requestId = await request();
      child.stdin!.write(`${JSON.stringify({ requestId, actor })}\n`);
      await Promise.race([exited, until('the holder to open the connection', () => out.includes(`open ${requestId}`))]);
      return child;
    };

    const kill = async (child: ChildProcess) => {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    };

    /** The API process: its own context and emergency service, watching for orphans. */
    const apiProcess = async () => {
      ctx = await openContext(configSchema.parse({ database: { url }, dataDir: mkdtempSync(join(tmpdir(), 'vigil-api-')), cascade: cascadeRaw, log: { level: 'silent' } }));
      api = openEmergency(ctx, 'API');
      await api.watch();
      return api;
    };

    const entries = async (requestId: number) => {
      await t.audit.chainPending();
      return (await t.audit.search({ action: 'connect', limit: 100 })).items.filter((e) => e.approvalId === requestId && e.outcome === 'success').map((e) => e.target!.replace(/ in \d+ (s|min)/, '')).sort();
    };

    it('one whose period has not ended is resumed: the upper sees the lower register again; it is registered as resumed', async () => {
      let id = 0;
      const child = await holder(async () => (id = await approved(Date.now() + 600_000)));
      await until('the lower registered with the upper', () => upper.registrations.some((r) => r.id === LOWER && r.expires > 0));
      await kill(child);
      // Killed: nothing ended it, the request stays in use.
      expect((await t.repos.accessRequests.get(id))!.state).toBe('in_use');
      const before = upper.registrations.length;
      const service = await apiProcess();
      await until('the lower registered again', () => upper.registrations.slice(before).some((r) => r.id === LOWER && r.expires > 0));
      const police$ = new Actor(await actorInit(police, 'investigator'));
      // The upper has the REGISTER before the lower has the upper's 200 for it: the lower's link says
      // so once that answer is in (on a busy machine the list was read in between and said otherwise).
      await until('the lower to have the answer to its REGISTER', async () => (await service.list(police$)).some((c) => c.link === 'registered'));
      expect(await service.list(police$)).toEqual([expect.objectContaining({ requestId: id, upperSipId: UPPER, link: 'registered' })]);
      expect((await t.repos.accessRequests.get(id))!.state).toBe('in_use');
      // The requester ends it through the process that holds it now.
      expect(await service.end(police$, id, '任务结束')).toEqual({ requestId: id, ended: '任务结束' });
      expect((await t.repos.accessRequests.get(id))!.state).toBe('closed');
      expect(upper.registrations.at(-1)).toMatchObject({ id: LOWER, expires: 0 });
      expect(await entries(id)).toEqual([
        'emergency connection to upper platform 市公安局平台 ended',
        `emergency connection to upper platform 市公安局平台 opened until the period ends (command line, access-request:${id})`,
        `emergency connection to upper platform 市公安局平台 resumed after its process stopped, until the period ends (API, access-request:${id})`,
      ]);
      await api!.close();
      await ctx!.close();
      api = undefined;
      ctx = undefined;
    }, 180_000);

    it('one whose period ended while its process was down is closed and registered as ended', async () => {
      let to = 0;
      let id = 0;
      const child = await holder(async () => (id = await approved((to = Date.now() + 15_000))));
      await kill(child);
      const killedAt = Date.now();
      await until('the period to end', () => Date.now() > to + 500);
      const before = upper.registrations.length;
      await apiProcess();
      await until('the request closed', async () => (await t.repos.accessRequests.get(id))!.state === 'closed');
      // Not resumed: the lower did not register again for it.
      expect(upper.registrations.slice(before).filter((r) => r.expires > 0)).toEqual([]);
      const got = await entries(id);
      expect(got).toEqual(['emergency connection to upper platform 市公安局平台 ended', `emergency connection to upper platform 市公安局平台 opened until the period ends (command line, access-request:${id})`]);
      await t.audit.chainPending();
      const ended = (await t.audit.search({ action: 'connect', limit: 100 })).items.find((e) => e.approvalId === id && e.target!.endsWith('ended'))!;
      expect(ended.reason).toBe('the approved period ended while its process was stopped');
      // It ran until its process last renewed it, not to the period's end.
      expect(ended.to).toBeLessThanOrEqual(killedAt);
    }, 180_000);
  });
}
