// Two-officer approval (R5.3) end to end through the API: the valid flow succeeds, and every
// bypass attempt is refused and registered in the access register.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/entry.js';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { PDF, world, type World } from './fixtures.js';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`dual control on ${dialect}`, () => {
    let t: TestApp;
    let w: World;
    let camA2: number;
    let police: number;
    let inv1: Client;
    let inv2: Client;
    let head: Client;
    let custodianHead: Client;
    let selfApprover: Client;
    /** Sessions end after 30 idle minutes: sign everyone in again after moving the clock. */
    const refresh = async () => {
      [inv1, inv2, head, custodianHead, selfApprover] = await Promise.all([inv1, inv2, head, custodianHead, selfApprover].map((c) => signIn(t, c.person)));
    };

    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
      const cam = await t.registry.cameras.get(w.camA);
      camA2 = (await t.registry.cameras.register({ ...cam, gbId: '34010400001320000077', name: 'second' } as never)).id;
      police = (await t.registry.organisations.create({ kind: 'platform', name: '蜀山派出所', level: 'station', parentId: w.districtA })).id;
      inv1 = await signIn(t, await person(t, 'inv1', [['investigator', police]], { workId: 'P001' }));
      inv2 = await signIn(t, await person(t, 'inv2', [['investigator', police]], { workId: 'P002' }));
      // AH-21: the head of the requesting agency approves (the requester's side), not the custodian.
      head = await signIn(t, await person(t, 'head', [['approver', police]], { workId: 'H001' }));
      custodianHead = await signIn(t, await person(t, 'custodian-head', [['approver', w.unitA]], { workId: 'H009' }));
      // Someone who investigates and also heads the requesting agency: still may not approve their own request.
      selfApprover = await signIn(t, await person(t, 'both', [['investigator', police], ['approver', police]], { workId: 'P003' }));
    }, 60_000);
    afterAll(() => t.close());

    const draft = (c: Client, over: Record<string, unknown> = {}) =>
      c.inject({
        method: 'POST',
        url: '/api/v1/access-requests',
        payload: {
          kind: 'copy', requesterKind: 'public-security', requestingUnit: '蜀山分局', purpose: '盗窃案侦查', caseNumber: 'SS-2026-118',
          destination: '蜀山分局刑侦大队 evidence room', custodianId: w.unitA, cameraIds: [w.camA],
          from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR, validityHours: 24, officerWorkIds: ['P001', 'P002'], ...over,
        },
      });
    const post = (c: Client, id: number, step: string, payload?: object) => c.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/${step}`, ...(payload ? { payload } : {}) });
    const upload = (c: Client, id: number, bytes: Buffer, type = 'application/pdf') =>
      c.inject({ method: 'PUT', url: `/api/v1/access-requests/${id}/document`, payload: bytes, headers: { 'content-type': type } });
    const registered = async (f: Partial<Pick<AuditEntry, 'action' | 'outcome'>> & { approvalId?: number; reason?: RegExp; userId?: number }) => {
      const found: AuditEntry[] = [];
      for await (const e of t.audit.entries({ action: f.action, outcome: f.outcome, approvalId: f.approvalId, actorUserId: f.userId })) {
        if (!f.reason || f.reason.test(e.reason ?? '')) found.push(e);
      }
      return found;
    };
    /** A copy request of inv1 with both officers confirmed and the letter attached. */
    const ready = async (over: Record<string, unknown> = {}) => {
      const r = await draft(inv1, over);
      expect(r.statusCode, r.body).toBe(201);
      const id = r.json().id as number;
      expect((await post(inv1, id, 'confirm')).statusCode).toBe(200);
      expect((await post(inv2, id, 'confirm')).statusCode).toBe(200);
      expect((await upload(inv1, id, PDF)).statusCode).toBe(200);
      return id;
    };

    it('gives an investigator no footage by role: playback and the timeline need an approved request', async () => {
      const range = { from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR };
      const tok = await inv1.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.camA, kind: 'playback', ...range } });
      expect(tok.statusCode, tok.body).toBe(403);
      expect(await registered({ action: 'playback', outcome: 'refused', userId: inv1.person.id, reason: /no approved access request/ })).toHaveLength(1);
      await expect(t.access.footage.mayReadTimeline(await actorOf(t, inv1), w.camA)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('lets two officers copy footage under the unit head\'s approval, and registers it all', async () => {
      const id = await ready();
      const sub = await post(inv1, id, 'submit');
      expect(sub.json().state).toBe('submitted');
      // Anhui: two officers and the head of agency (AH-21, AH-22(1)).
      expect(sub.json().requirements).toMatchObject({ officers: { count: 2, article: 'AH-22(1)' }, approvals: [{ role: 'approver', side: 'requester', article: 'AH-21' }] });
      expect(sub.json().document.sha256).toMatch(/^[0-9a-f]{64}$/);
      // The custodian's head is not the requesting agency's: refused, registered.
      const wrong = await post(custodianHead, id, 'approve');
      expect(wrong.statusCode, wrong.body).toBe(403);
      expect(wrong.json().error.message).toMatch(/requester's organisation \(AH-21\)/);
      expect(await registered({ action: 'approval_decision', outcome: 'refused', approvalId: id })).toHaveLength(1);
      // The requesting agency's head sees the request in its list.
      expect((await head.inject({ method: 'GET', url: '/api/v1/access-requests' })).json().items.map((i: { id: number }) => i.id)).toContain(id);
      const ok = await post(head, id, 'approve');
      expect(ok.statusCode, ok.body).toBe(200);
      expect(ok.json()).toMatchObject({ state: 'approved', validUntil: t.clock.now() + 24 * HOUR });
      const decision = await registered({ action: 'approval_decision', outcome: 'success', approvalId: id });
      expect(decision).toHaveLength(1);
      expect(decision[0]).toMatchObject({ purpose: '盗窃案侦查', destination: '蜀山分局刑侦大队 evidence room', cameraIds: [w.camA] });

      const use = await t.access.checkFootageAccess(await actorOf(t, inv1), { cameraId: w.camA, kind: 'copy', from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR });
      expect(use).toEqual({ basis: 'request', requestId: id });
      const copies = await registered({ action: 'copy', outcome: 'success', approvalId: id });
      expect(copies).toHaveLength(1);
      expect(copies[0]!.actors.map((a) => a.workId).sort()).toEqual(['P001', 'P002']);
      expect((await t.access.requests.get(await actorOf(t, inv1), id)).state).toBe('in_use');

      await t.access.footage.mayReadTimeline(await actorOf(t, inv2), w.camA);
      // Watching the approved range through a media URL works for an officer, once.
      const tok = await inv2.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.camA, kind: 'playback', from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR } });
      expect(tok.statusCode, tok.body).toBe(201);
      const claims = await t.access.verifyStreamToken(tok.json().token, { cameraId: w.camA, kind: 'playback' });
      expect(claims.userId).toBe(inv2.person.id);

      // …and a replayed token is refused and registered.
      await expect(t.access.verifyStreamToken(tok.json().token, { cameraId: w.camA, kind: 'playback' })).rejects.toMatchObject({ code: 'STREAM_TOKEN_REJECTED' });
      expect(await registered({ action: 'playback', outcome: 'refused', reason: /replayed/ })).toHaveLength(1);

      const closed = await post(inv1, id, 'close');
      expect(closed.json().state, closed.body).toBe('closed');
      await expect(t.access.checkFootageAccess(await actorOf(t, inv1), { cameraId: w.camA, kind: 'copy', from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('refuses and registers a copy with one officer', async () => {
      const r = (await draft(inv1, { officerWorkIds: ['P001'] })).json();
      await post(inv1, r.id, 'confirm');
      await upload(inv1, r.id, PDF);
      const res = await post(inv1, r.id, 'submit');
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'RULE_REFUSED', articles: ['AH-22(1)'] });
      expect(res.json().error.message).toMatch(/at least 2 officers/);
      expect(await registered({ action: 'copy', outcome: 'refused', approvalId: r.id })).toHaveLength(1);
    });

    it('refuses and registers the same officer listed twice', async () => {
      const res = await draft(inv1, { officerWorkIds: ['P001', 'P001'] });
      expect(res.statusCode).toBe(422);
      expect(await registered({ action: 'copy', outcome: 'refused', reason: /more than once/, userId: inv1.person.id })).toHaveLength(1);
    });

    it('refuses and registers an officer who has not confirmed with their own sign-in', async () => {
      const r = (await draft(inv1)).json();
      await post(inv1, r.id, 'confirm');
      await upload(inv1, r.id, PDF);
      // inv1 cannot confirm for inv2: confirming only ever confirms oneself.
      await post(inv1, r.id, 'confirm');
      const res = await post(inv1, r.id, 'submit');
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toMatch(/P002 have not confirmed/);
      expect(await registered({ action: 'copy', outcome: 'refused', approvalId: r.id })).toHaveLength(1);
      // Someone not on the request cannot confirm it.
      expect((await post(head, r.id, 'confirm')).statusCode).toBe(403);
    });

    it('refuses a submission without the approval document, and a document that is not a PDF or image', async () => {
      const r = (await draft(inv1)).json();
      await post(inv1, r.id, 'confirm');
      await post(inv2, r.id, 'confirm');
      expect((await upload(inv1, r.id, Buffer.from('<html>a letter</html>'), 'application/pdf')).statusCode).toBe(415);
      const res = await post(inv1, r.id, 'submit');
      expect(res.statusCode).toBe(422);
      expect(res.json().error.message).toMatch(/document is missing/);
      expect(await registered({ action: 'copy', outcome: 'refused', approvalId: r.id })).toHaveLength(1);
    });

    it('refuses and registers the requester approving their own request', async () => {
      const r = (await draft(selfApprover, { officerWorkIds: ['P003', 'P002'] })).json();
      await post(selfApprover, r.id, 'confirm');
      await post(inv2, r.id, 'confirm');
      await upload(selfApprover, r.id, PDF);
      expect((await post(selfApprover, r.id, 'submit')).json().state).toBe('submitted');
      const res = await post(selfApprover, r.id, 'approve');
      expect(res.statusCode).toBe(403);
      expect(await registered({ action: 'approval_decision', outcome: 'refused', approvalId: r.id })).toHaveLength(1);
      // An officer of the request may not approve it either, nor may a plain investigator.
      expect((await post(inv2, r.id, 'approve')).statusCode).toBe(403);
      expect((await t.access.requests.get(await actorOf(t, selfApprover), r.id)).state).toBe('submitted');
    });

    it('refuses and registers an approval used for another camera, another range, or after it expired', async () => {
      const id = await ready({ validityHours: 2 });
      await post(inv1, id, 'submit');
      expect((await post(head, id, 'approve')).json().state).toBe('approved');
      const actor = await actorOf(t, inv1);
      const range = { from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR };
      await expect(t.access.checkFootageAccess(actor, { cameraId: camA2, kind: 'copy', ...range })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await registered({ action: 'copy', outcome: 'refused', reason: new RegExp(`camera ${camA2}`) })).toHaveLength(1);
      await expect(t.access.checkFootageAccess(actor, { cameraId: w.camA, kind: 'copy', from: range.from - HOUR, to: range.to })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await registered({ action: 'copy', outcome: 'refused', reason: /outside the approved range/ })).toHaveLength(1);
      await expect(t.access.checkFootageAccess(actor, { cameraId: w.camA, kind: 'retrieve', ...range })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await registered({ action: 'retrieve', outcome: 'refused', reason: /does not allow retrieve/ })).toHaveLength(1);
      t.clock.advance(2 * HOUR);
      await refresh();
      await expect(t.access.checkFootageAccess(await actorOf(t, inv1), { cameraId: w.camA, kind: 'copy', ...range })).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await registered({ action: 'copy', outcome: 'refused', reason: /expired/ })).toHaveLength(1);
      expect((await t.access.requests.get(await actorOf(t, inv1), id)).state).toBe('expired');
    });

    it('lets only one of two heads deciding at once win', async () => {
      await refresh();
      const head2 = await signIn(t, await person(t, `head2-${dialect}`, [['approver', police]], { workId: 'H002' }));
      const id = await ready();
      await post(inv1, id, 'submit');
      const results = await Promise.all([post(head, id, 'approve'), post(head2, id, 'refuse', { reason: 'no' })]);
      expect(results.filter((r) => r.statusCode === 200)).toHaveLength(1);
      expect(results.filter((r) => r.statusCode === 409 || r.statusCode === 422)).toHaveLength(1);
      const final = await t.access.requests.get(await actorOf(t, inv1), id);
      expect(['approved', 'refused']).toContain(final.state);
      expect(final.approvals.length).toBe(final.state === 'approved' ? 1 : 0);
    });

    it('lets the custodian refuse with a reason, citing the profile\'s articles', async () => {
      await refresh();
      const id = await ready();
      await post(inv1, id, 'submit');
      const res = await post(custodianHead, id, 'refuse', { reason: '介绍信不全 the letter lacks the case number' });
      expect(res.json()).toMatchObject({ state: 'refused', decisionReason: '介绍信不全 the letter lacks the case number' });
      const [entry] = await registered({ action: 'approval_decision', outcome: 'success', approvalId: id });
      expect(entry!.detail).toMatchObject({ step: 'refuse', articles: expect.arrayContaining(['AH-22(1)', 'AH-21']) });
      expect((await post(head, id, 'approve')).statusCode).toBe(422);
    });
  });
}

async function actorOf(t: TestApp, c: Client) {
  const secret = c.cookie.slice('vigil_session='.length);
  return (await t.access.accounts.fromSession(secret, null))!.actor;
}
