// Shares (共享, issue 19) through the API and the use case on both dialects: only someone with
// share:grant over the organisation grants, only cameras under it, only for a span that has not
// ended; a recipient gets what its active shares grant and nothing else; every refusal is
// registered once, every grant, revocation and disclosure with the recipient as destination.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { world, type World } from '../access/fixtures.js';
import { person, signIn, type Client } from '../support/auth.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { shareState, type Recipient } from '../../src/cascade/share.js';
import { Actor } from '../../src/access/actor.js';

const H = 3_600_000;
const UPPER = '34010000002000000001';

for (const dialect of DIALECTS) {
  describe(`shares (${dialect})`, () => {
    let t: TestApp;
    let w: World;
    let head: Client;
    let operator: Client;
    let otherHead: Client;
    let groupId: number;
    const upper: Recipient = { kind: 'platform', ref: UPPER };
    const as = (c: Client) => (o: InjectOptions) => c.inject(o);
    const refusals = async (text: string) => {
      await t.audit.chainPending();
      return (await t.audit.search({ outcome: 'refused', limit: 1000 })).items.filter((e) => (e.reason ?? '').includes(text) || (e.target ?? '').includes(text));
    };
    const body = (over: Record<string, unknown> = {}) => ({
      organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市公安局视频专网平台', rights: ['catalog', 'live'],
      cameraIds: [w.camA], validFrom: t.clock.now() - H, validTo: t.clock.now() + 24 * H, purpose: '市级平台联网', approvalDocument: '蜀山分局〔2026〕17号', ...over,
    });

    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
      groupId = (await t.registry.groups.create({ gbId: '34010400002150000001', kind: 'business_group', name: '校园', parentId: null })).id;
      await t.repos.cameraGroups.addMembers(groupId, [w.camA]);
      head = await signIn(t, await person(t, 'head-a', [['approver', w.districtA]]));
      operator = await signIn(t, await person(t, 'operator-a', [['duty_operator', w.districtA]]));
      otherHead = await signIn(t, await person(t, 'head-b', [['approver', w.districtB]]));
    }, 60_000);
    afterAll(async () => t?.close());

    let shareId: number;

    it('refuses a grant by someone without share:grant, of a camera outside the organisation, and of a span already over', async () => {
      const grant = (c: Client, b: Record<string, unknown>) => as(c)({ method: 'POST', url: '/api/v1/shares', payload: b });
      const byOperator = await grant(operator, body());
      expect(byOperator.statusCode).toBe(403);
      const byOtherHead = await grant(otherHead, body());
      expect(byOtherHead.statusCode).toBe(403);
      expect(byOtherHead.json().error.params).toMatchObject({ action: 'grant-shares' });
      const outside = await grant(head, body({ cameraIds: [w.camA, w.camB] }));
      expect(outside.statusCode).toBe(403);
      expect(outside.json().error.message).toContain(`camera(s) ${w.camB}`);
      expect(await refusals(`camera(s) ${w.camB} are outside`)).toHaveLength(1);
      expect((await grant(head, body({ validFrom: t.clock.now() - 48 * H, validTo: t.clock.now() - H }))).statusCode).toBe(400);
      expect((await grant(head, body({ recipient: { kind: 'platform', ref: '3401' } }))).statusCode).toBe(400);
      expect((await grant(head, body({ recipient: { kind: 'organisation', ref: String(w.districtA) } }))).statusCode).toBe(400);
      expect((await grant(head, body({ cameraIds: [], groupIds: [] }))).statusCode).toBe(400);
      expect(await t.repos.shares.list({ limit: 10 })).toEqual([]);
      // The gate's and the policy's refusals are each registered once.
      await t.audit.chainPending();
      const refused = (await t.audit.search({ action: 'permission_change', outcome: 'refused', limit: 1000 })).items;
      expect(refused).toHaveLength(3);
    });

    it('grants to an upper platform: registered with the platform as destination, visible to its granter and not to another city', async () => {
      const res = await as(head)({ method: 'POST', url: '/api/v1/shares', payload: body({ groupIds: [groupId] }) });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ recipientKind: 'platform', recipientRef: UPPER, recipientName: '合肥市公安局视频专网平台', rights: ['catalog', 'live'], cameraIds: [w.camA], groupIds: [groupId], state: 'active', revokedAt: null });
      shareId = res.json().id;
      await t.audit.chainPending();
      const granted = (await t.audit.search({ action: 'permission_change', outcome: 'success', limit: 100 })).items.filter((e) => e.target === `share:${shareId} granted`);
      expect(granted).toHaveLength(1);
      expect(granted[0]).toMatchObject({ destination: 'upper platform 合肥市公安局视频专网平台', cameraIds: [w.camA], purpose: '市级平台联网' });
      expect(granted[0]!.detail).toMatchObject({ approvalDocument: '蜀山分局〔2026〕17号', rights: ['catalog', 'live'] });
      expect((await as(head)({ method: 'GET', url: '/api/v1/shares' })).json().items.map((s: { id: number }) => s.id)).toEqual([shareId]);
      expect((await as(otherHead)({ method: 'GET', url: '/api/v1/shares' })).json().items).toEqual([]);
      expect((await as(otherHead)({ method: 'GET', url: `/api/v1/shares/${shareId}` })).statusCode).toBe(404);
      expect((await as(operator)({ method: 'GET', url: '/api/v1/shares' })).json().items).toEqual([]);
    });

    it('lets the recipient have only what the share grants, only on shared cameras; a group gaining a camera from elsewhere does not widen it', async () => {
      expect(await t.shares.camerasFor(upper, 'catalog')).toEqual([w.camA]);
      expect(await t.shares.camerasFor(upper, 'playback')).toEqual([]);
      await t.repos.cameraGroups.addMembers(groupId, [w.camB]);
      expect(await t.shares.camerasFor(upper, 'live')).toEqual([w.camA]);
      expect((await t.shares.authorise(upper, w.camA, 'live')).id).toBe(shareId);
      await expect(t.shares.authorise(upper, w.camB, 'live')).rejects.toThrow(`camera ${w.camB} is not shared with this recipient`);
      await expect(t.shares.authorise(upper, w.camA, 'ptz')).rejects.toThrow('does not grant ptz');
      await expect(t.shares.authorise({ kind: 'platform', ref: '34020000002000000009' }, w.camA, 'live')).rejects.toThrow('is not shared');
      const refused = await refusals(`camera ${w.camB} is not shared`);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toMatchObject({ action: 'view', destination: 'upper platform 合肥市公安局视频专网平台', cameraIds: [w.camB] });
      expect(refused[0]!.actors[0]!.name).toBe('upper platform 合肥市公安局视频专网平台');
      await t.shares.disclose(upper, { right: 'live', cameraIds: [w.camA], shareIds: [shareId], target: 'live stream started' });
      await t.audit.chainPending();
      const disclosed = (await t.audit.search({ action: 'view', outcome: 'success', limit: 100 })).items;
      expect(disclosed).toEqual([expect.objectContaining({ destination: 'upper platform 合肥市公安局视频专网平台', cameraIds: [w.camA], target: 'live stream started' })]);
    });

    it('an expired share gives nothing and says so', async () => {
      const start = t.clock.now();
      t.clock.advance(25 * H);
      try {
        expect(await t.shares.camerasFor(upper, 'live')).toEqual([]);
        await expect(t.shares.authorise(upper, w.camA, 'live')).rejects.toThrow('has expired');
        // (The API is not asked here: a day later every session of the test has ended.)
        expect(shareState((await t.repos.shares.get(shareId))!, t.clock.now())).toBe('expired');
        expect(await refusals('has expired')).toHaveLength(1);
      } finally {
        t.clock.set(start);
      }
    });

    it('revokes at once: only by someone with the authority, with a reason, once; the revocation is heard', async () => {
      const url = `/api/v1/shares/${shareId}/revoke`;
      expect((await as(operator)({ method: 'POST', url, payload: { reason: 'x' } })).statusCode).toBe(403);
      expect((await as(otherHead)({ method: 'POST', url, payload: { reason: 'x' } })).statusCode).toBe(404);
      const heard = new Promise<number>((r) => t.shares.once('revoked', (s) => r(s.id)));
      const res = await as(head)({ method: 'POST', url, payload: { reason: '联网协议终止' } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ state: 'revoked', revokeReason: '联网协议终止', revokedBy: head.person.id });
      expect(await heard).toBe(shareId);
      expect((await as(head)({ method: 'POST', url, payload: { reason: 'again' } })).statusCode).toBe(409);
      expect(await t.shares.camerasFor(upper, 'catalog')).toEqual([]);
      await expect(t.shares.authorise(upper, w.camA, 'live')).rejects.toThrow('was revoked');
      await t.audit.chainPending();
      const revoked = (await t.audit.search({ action: 'permission_change', outcome: 'success', limit: 100 })).items.filter((e) => e.target === `share:${shareId} revoked`);
      expect(revoked).toEqual([expect.objectContaining({ reason: '联网协议终止', destination: 'upper platform 合肥市公安局视频专网平台' })]);
    });

    it('shares with another department and an API client by id', async () => {
      const dept = await as(head)({ method: 'POST', url: '/api/v1/shares', payload: body({ recipient: { kind: 'organisation', ref: String(w.districtB) }, recipientName: undefined, rights: ['playback'] }) });
      expect(dept.statusCode).toBe(201);
      expect(dept.json().recipientName).toBe('道里区');
      const client = await person(t, 'api-client', []);
      const api = await as(head)({ method: 'POST', url: '/api/v1/shares', payload: body({ recipient: { kind: 'api_client', ref: String(client.id) }, recipientName: undefined, rights: ['download'] }) });
      expect(api.statusCode).toBe(201);
      expect(api.json().recipientName).toBe('api-client');
      expect(await t.shares.camerasFor({ kind: 'organisation', ref: String(w.districtB) }, 'playback')).toEqual([w.camA]);
      expect((await as(head)({ method: 'POST', url: '/api/v1/shares', payload: body({ recipient: { kind: 'api_client', ref: '999999' } }) })).statusCode).toBe(400);
    });

    it('under a profile that names the county-level police (HB-14), share:grant alone is refused, registered once; a supervisor grants', async () => {
      const wuhan = await t.repos.organisations.create({ kind: 'platform', name: '武汉市', level: 'city', regionCode: '420100', profileId: 'hubei' }, t.clock.now());
      const cam = await t.repos.cameras.insert({ ...(await t.repos.cameras.get(w.camA))!, gbId: '42010000001320000001', name: '江汉路', regionId: wuhan.id }, t.clock.now());
      const grant = (roles: ('approver' | 'supervisor')[]) => t.shares.grant(new Actor({ userId: t.adminId, login: 'x', displayName: 'x', workId: null, organisationId: null, grants: roles.map((role, i) => ({ id: i, role, organisationId: wuhan.id, path: wuhan.path })) }), {
        organisationId: wuhan.id, recipient: { kind: 'platform', ref: UPPER }, rights: ['catalog'], cameraIds: [cam.id], groupIds: [],
        validFrom: t.clock.now() - H, validTo: t.clock.now() + H, purpose: '跨部门共享', approvalDocument: '武公〔2026〕5号',
      });
      const refused = await grant(['approver']).catch((e: unknown) => e as { code: string; articles: string[] });
      expect(refused).toMatchObject({ code: 'FORBIDDEN', articles: ['HB-14'] });
      expect(await refusals('only the county-level police organ')).toHaveLength(1);
      expect((await grant(['approver', 'supervisor'])).state).toBe('active');
    });
  });
}
