// Emergency connection (接入, issue 19, R2.1, R2.3), on both dialects, through the access requests:
// the police ask (kind `connect`: the upper platform, a period, a reason), the authority the
// jurisdiction profile names approves (Anhui AH-20: the head of the requesting organ), and only then
// does the connection open — registering to the upper (digest), answering it, ending by itself at
// the end of the period and unregistering. Start, end and each refusal are registered once; ending
// early goes through the API; an upper that is always connected, a request without its approval, a
// stranger and a closed request are refused with the problem named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/permissions.js';
import { configSchema } from '../../src/config/config.schema.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Person } from '../support/auth.js';
import { DIALECTS } from '../support/databases.js';
import { PDF, world, type World } from '../access/fixtures.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const ALWAYS = '34010000002000000002';
const LOWER = '34010400002000000001';

for (const dialect of DIALECTS) {
  describe(`emergency connection under an approved request (${dialect})`, () => {
    let t: TestApp;
    let w: World;
    let upper: TestUpper;
    let police: Person;
    let head: Person;
    let stranger: Person;
    const actors = new Map<number, Actor>();

    const actorOf = async (p: Person, role: Role, orgId: number) => {
      if (!actors.has(p.id)) {
        const org = (await t.repos.organisations.get(orgId))!;
        actors.set(p.id, new Actor({ userId: p.id, login: p.login, displayName: p.login, workId: null, organisationId: orgId, grants: [{ id: 0, role, organisationId: orgId, path: org.path }] }));
      }
      return actors.get(p.id)!;
    };

    beforeAll(async () => {
      upper = await TestUpper.start(UPPER, 'secret');
      const cascade = configSchema.parse({
        cascade: {
          sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1',
          uppers: [
            { name: '市公安局平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5, onDemand: true },
            { name: '区平台', sipId: ALWAYS, address: '127.0.0.1', port: 9, password: 'x' },
          ],
        },
      }).cascade;
      t = await testApp(dialect, 'national', { cascade });
      t.clock.set(Date.now());
      w = await world(t);
      police = await person(t, 'police', [['investigator', w.cityA]]);
      head = await person(t, 'police-head', [['approver', w.cityA]]);
      stranger = await person(t, 'other-head', [['approver', w.cityB]]);
    }, 90_000);
    afterAll(async () => {
      await t?.close();
      await upper?.close();
    });

    const ask = async (over: Record<string, unknown> = {}) =>
      t.access.requests.create(await actorOf(police, 'investigator', w.cityA), {
        kind: 'connect', requesterKind: 'public-security', requestingUnit: '合肥市公安局', purpose: '重大活动安保', destination: UPPER, custodianId: w.unitA,
        cameraIds: [], from: t.clock.now(), to: t.clock.now() + 2500, validityHours: 1, officerWorkIds: [], ...over,
      });
    const approved = async (to = t.clock.now() + 2500) => {
      const r = await ask({ to });
      const p = await actorOf(police, 'investigator', w.cityA);
      await t.access.requests.attachDocument(p, r.id, PDF);
      await t.access.requests.submit(p, r.id);
      return t.access.requests.approve(await actorOf(head, 'approver', w.cityA), r.id);
    };
    const entries = async (requestId: number) => {
      await t.audit.chainPending();
      return (await t.audit.search({ action: 'connect', limit: 100 })).items.filter((e) => e.approvalId === requestId);
    };

    it('asks for the platform, the period and the reason; refuses what cannot be connected, naming the problem', async () => {
      const bad = async (over: Record<string, unknown>) => {
        try {
          await ask(over);
        } catch (e) {
          return e as { code: string; details?: { path: string; message: string }[]; articles?: string[] };
        }
        throw new Error('accepted');
      };
      expect((await bad({ destination: ALWAYS })).details).toContainEqual({ path: 'destination', message: expect.stringMatching(/always connected/) });
      expect((await bad({ destination: '34010000002000000099' })).details).toContainEqual({ path: 'destination', message: expect.stringMatching(/no upper platform/) });
      expect((await bad({ cameraIds: [w.camA] })).details).toContainEqual({ path: 'cameraIds', message: expect.stringMatching(/names no cameras/) });
      expect((await bad({ to: t.clock.now() + 25 * 3_600_000 })).details).toContainEqual({ path: 'to', message: expect.stringMatching(/at most 24 h/) });
      // AH-20: the police and state security connect; another administration does not.
      expect(await bad({ requesterKind: 'other-administration' })).toMatchObject({ code: 'RULE_REFUSED', articles: ['AH-20'] });
      const r = await ask();
      expect(r.requirements).toEqual({ officers: { count: 0, article: 'AH-20' }, approvals: [{ role: 'approver', side: 'requester', article: 'AH-20' }], document: { required: true, article: 'AH-20' } });
    });

    it('opens only under the approval the profile names, ends by itself at the end of the period; each step registered once', async () => {
      const p = await actorOf(police, 'investigator', w.cityA);
      const r = await ask();
      // Not approved yet: refused and registered.
      await expect(t.emergency.start(p, r.id)).rejects.toMatchObject({ code: 'RULE_REFUSED', message: expect.stringMatching(/draft, not approved/) });
      await t.access.requests.attachDocument(p, r.id, PDF);
      await t.access.requests.submit(p, r.id);
      // The head of another city's police is not the head of the requesting organ.
      await expect(t.access.requests.approve(await actorOf(stranger, 'approver', w.cityB), r.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      const ok = await t.access.requests.approve(await actorOf(head, 'approver', w.cityA), r.id);
      expect(ok.state).toBe('approved');
      // Someone neither asking nor approving cannot open it.
      await expect(t.emergency.start(await actorOf(stranger, 'approver', w.cityB), r.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });

      const registered = new Promise<void>((resolve) => upper.once('registered', () => resolve()));
      const conn = await t.emergency.start(p, r.id);
      expect(conn).toMatchObject({ requestId: r.id, upperSipId: UPPER, upperName: '市公安局平台', until: r.to });
      expect((await t.access.requests.get(p, r.id)).state).toBe('in_use');
      // Opening twice is refused.
      await expect(t.emergency.start(p, r.id)).rejects.toMatchObject({ code: 'RULE_REFUSED', message: expect.stringMatching(/already open/) });
      await registered;
      expect((await upper.query(LOWER, 'DeviceInfo'))[0]!.cmdType).toBe('DeviceInfo');
      expect(await t.emergency.ended(r.id)).toBe('the approved period ended');
      expect(upper.registrations.at(-1)).toMatchObject({ id: LOWER, expires: 0 });
      expect((await t.access.requests.get(p, r.id)).state).toBe('closed');
      // A closed request opens nothing more.
      await expect(t.emergency.start(p, r.id)).rejects.toMatchObject({ code: 'RULE_REFUSED', message: expect.stringMatching(/closed, not approved/) });

      const got = await entries(r.id);
      const success = got.filter((e) => e.outcome === 'success').map((e) => e.target!.replace(/ in \d+ s/, ''));
      expect(success.sort()).toEqual([
        'emergency connection to upper platform 市公安局平台 ended',
        `emergency connection to upper platform 市公安局平台 opened until the period ends (API, access-request:${r.id})`,
      ]);
      const reasons = got.filter((e) => e.outcome === 'refused').map((e) => e.reason ?? '');
      expect(reasons).toHaveLength(4);
      for (const re of [/already open/, /closed, not approved/, /draft, not approved/, /only the requester/]) expect(reasons.filter((x) => re.test(x))).toHaveLength(1);
      const ended = got.find((e) => e.target!.endsWith('ended'))!;
      expect(ended).toMatchObject({ destination: 'upper platform 市公安局平台', reason: 'the approved period ended', purpose: '重大活动安保' });
      expect(ended.actors[0]!.userId).toBeNull();
    }, 60_000);

    it('is ended early through the API by its requester, seen meanwhile among the open connections', async () => {
      const r = await approved(t.clock.now() + 3_600_000);
      const client = await signIn(t, police);
      const registered = new Promise<void>((resolve) => upper.once('registered', () => resolve()));
      const opened = await client.inject({ method: 'POST', url: '/api/v1/emergency-connections', payload: { requestId: r.id } });
      expect(opened.statusCode, opened.body).toBe(201);
      await registered;
      // The upper has answered; the link marks itself registered once that answer is read.
      let list = (await client.inject({ method: 'GET', url: '/api/v1/emergency-connections' })).json();
      while (list.items[0]?.link !== 'registered') {
        await new Promise((resolve) => setTimeout(resolve, 20));
        list = (await client.inject({ method: 'GET', url: '/api/v1/emergency-connections' })).json();
      }
      expect(list.platforms).toEqual([{ sipId: UPPER, name: '市公安局平台' }]);
      expect(list.items).toEqual([expect.objectContaining({ requestId: r.id, link: 'registered' })]);
      const other = await signIn(t, stranger);
      const refused = await other.inject({ method: 'POST', url: `/api/v1/emergency-connections/${r.id}/end`, payload: { reason: '结束' } });
      expect(refused.statusCode).toBe(403);
      const end = await client.inject({ method: 'POST', url: `/api/v1/emergency-connections/${r.id}/end`, payload: { reason: '安保结束' } });
      expect(end.json()).toEqual({ requestId: r.id, ended: '安保结束' });
      expect(upper.registrations.at(-1)).toMatchObject({ id: LOWER, expires: 0 });
      expect((await client.inject({ method: 'GET', url: '/api/v1/emergency-connections' })).json().items).toEqual([]);
      const got = await entries(r.id);
      expect(got.filter((e) => e.outcome === 'success')).toHaveLength(2);
      expect(got.filter((e) => e.outcome === 'refused')).toHaveLength(1);
      expect(got.find((e) => e.target!.endsWith('ended'))).toMatchObject({ reason: '安保结束', actors: [expect.objectContaining({ userId: police.id })] });
    }, 60_000);
  });
}
