// Viewing (查阅) by state organs goes through the request path under each jurisdiction's own
// rules, read from its profile (issue 17 item 3): the approval on the requester's side, the
// officer minimum, the document; and the private person's viewing of CN799-21. The clock is the
// test app's, moved by hand; every refusal is looked up in the register.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/entry.js';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { PDF } from './fixtures.js';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`the request path per profile on ${dialect}`, () => {
    let t: TestApp;
    const camOf = new Map<string, { unit: number; cam: number; police: number }>();
    let cams = 0;

    /** A city under a profile with a police station and a unit holding one camera. */
    const city = async (profileId: string, regionCode: string) => {
      const orgs = t.registry.organisations;
      const cityId = (await orgs.create({ kind: 'platform', name: `${profileId} city`, level: 'city', regionCode, profileId })).id;
      const police = (await orgs.create({ kind: 'platform', name: `${profileId} 派出所`, level: 'station', parentId: cityId })).id;
      const unit = (await orgs.create({ kind: 'unit', name: `${profileId} 医院`, unitRoles: ['builder', 'user'], parentId: cityId })).id;
      const category = t.rules.mandatoryCategories(profileId)[0]?.id ?? t.rules.mandatoryCategories('anhui')[0]!.id;
      const cam = (await t.registry.cameras.register({
        gbId: `${regionCode}00001320${String(++cams).padStart(6, '0')}`, name: `cam ${profileId}`, deviceType: 'fixed', longitude: 120, latitude: 30, address: '1 路',
        directionDeg: 0, fovDeg: 60, placeCategory: category, keyPosition: false, regionId: cityId, ownerUnitId: unit, userUnitId: unit, managingUnitId: null,
        maintainerUnitId: null, funding: 'self', signage: true, inServiceDate: '2025-06-01', status: 'in_service', sourceUrl: 'rtsp://10.0.0.1/s',
      } as never)).id;
      camOf.set(profileId, { unit, cam, police });
    };
    const registered = async (f: { action?: AuditEntry['action']; outcome?: AuditEntry['outcome']; approvalId?: number; reason?: RegExp }) => {
      const found: AuditEntry[] = [];
      for await (const e of t.audit.entries({ action: f.action, outcome: f.outcome, approvalId: f.approvalId })) if (!f.reason || f.reason.test(e.reason ?? '')) found.push(e);
      return found;
    };
    const post = (c: Client, url: string, payload?: object) => c.inject({ method: 'POST', url: `/api/v1${url}`, ...(payload ? { payload } : {}) });
    const range = () => ({ from: t.clock.now() - 3 * HOUR, to: t.clock.now() - HOUR });
    let seq = 0;
    /** Investigators of the profile's police station: a requester and a second officer, and their head. */
    const team = async (profileId: string) => {
      const { police } = camOf.get(profileId)!;
      const n = ++seq;
      return {
        inv: await signIn(t, await person(t, `inv-${profileId}-${n}`, [['investigator', police]], { workId: `I${n}A` })),
        inv2: await signIn(t, await person(t, `inv2-${profileId}-${n}`, [['investigator', police]], { workId: `I${n}B` })),
        head: await signIn(t, await person(t, `head-${profileId}-${n}`, [['approver', police]], { workId: `I${n}H` })),
        countyPolice: await signIn(t, await person(t, `county-${profileId}-${n}`, [['supervisor', police]], { workId: `I${n}S` })),
      };
    };
    /** A drafted request, officers confirmed, the document attached when asked; returns the submit answer. */
    const submit = async (profileId: string, who: Awaited<ReturnType<typeof team>>, over: Record<string, unknown>, withDocument = true) => {
      const { unit, cam } = camOf.get(profileId)!;
      const res = await post(who.inv, '/access-requests', {
        kind: 'view', requesterKind: 'public-security', requestingUnit: '分局', purpose: '案件侦查 用途', destination: '刑侦大队 去向', custodianId: unit, cameraIds: [cam],
        ...range(), validityHours: 24, officerWorkIds: [who.inv.person.workId, who.inv2.person.workId], ...over,
      });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json().id as number;
      for (const c of [who.inv, who.inv2]) if ((res.json().officers as { userId: number }[]).some((o) => o.userId === c.person.id)) await post(c, `/access-requests/${id}/confirm`);
      if (withDocument) await who.inv.inject({ method: 'PUT', url: `/api/v1/access-requests/${id}/document`, payload: PDF, headers: { 'content-type': 'application/pdf' } });
      return post(who.inv, `/access-requests/${id}/submit`);
    };
    const playback = (c: Client, cameraId: number, r: { from: number; to: number }, requestId?: number) =>
      post(c, '/stream-tokens', { cameraId, kind: 'playback', ...r, ...(requestId ? { requestId } : {}) });

    beforeAll(async () => {
      t = await testApp(dialect);
      await city('anhui', '340100');
      await city('harbin', '230100');
      await city('weihai', '371000');
      await city('national', '110100');
    }, 60_000);
    afterAll(() => t.close());

    it('Anhui (AH-21): the head of the requesting agency approves; playback only inside the approved range and cameras', async () => {
      const who = await team('anhui');
      const sub = await submit('anhui', who, {});
      expect(sub.json()).toMatchObject({ state: 'submitted', requirements: { officers: { count: 2, article: 'AH-22(1)' }, approvals: [{ role: 'approver', side: 'requester', article: 'AH-21' }] } });
      const id = sub.json().id as number;
      expect((await post(who.head, `/access-requests/${id}/approve`)).json().state).toBe('approved');
      const { cam } = camOf.get('anhui')!;
      const ok = await playback(who.inv2, cam, range(), id);
      expect(ok.statusCode, ok.body).toBe(201);
      expect(ok.json()).toMatchObject({ basis: 'request', requestId: id });
      const late = await playback(who.inv, cam, { from: t.clock.now() - 2 * HOUR, to: t.clock.now() });
      expect(late.statusCode).toBe(403);
      expect(await registered({ action: 'playback', outcome: 'refused', reason: /outside the approved range/ })).not.toHaveLength(0);
      const other = await playback(who.inv, camOf.get('harbin')!.cam, range());
      expect(other.statusCode).toBe(403);
      // Live is not a playback of the range: refused too (now lies past the range's end).
      expect((await post(who.inv, '/stream-tokens', { cameraId: cam, kind: 'live' })).statusCode).toBe(403);
    });

    it('Harbin (HRB-22): the unit letter is the approval; without it the submission is refused, citing its article', async () => {
      const who = await team('harbin');
      const missing = await submit('harbin', who, {}, false);
      expect(missing.statusCode).toBe(422);
      expect(missing.json().error).toMatchObject({ code: 'RULE_REFUSED', articles: ['HRB-22(3)'] });
      const ok = await submit('harbin', who, {});
      expect(ok.json()).toMatchObject({ state: 'approved', requirements: { approvals: [], document: { required: true, article: 'HRB-22(3)' } } });
      const one = await submit('harbin', who, { officerWorkIds: [who.inv.person.workId] });
      expect(one.json().error).toMatchObject({ code: 'RULE_REFUSED', articles: ['HRB-22(1)'] });
    });

    it('Weihai (WH-25, WH-26): viewing needs two officers but no approval; copying the county police\'s', async () => {
      const who = await team('weihai');
      const view = await submit('weihai', who, {}, false);
      expect(view.json()).toMatchObject({ state: 'approved', requirements: { officers: { count: 2, article: 'WH-26(1)' }, approvals: [] } });
      const copy = await submit('weihai', who, { kind: 'copy' });
      expect(copy.json()).toMatchObject({ state: 'submitted', requirements: { approvals: [{ role: 'supervisor', side: 'requester', article: 'WH-25' }] } });
      // The head of agency is not the county police.
      expect((await post(who.head, `/access-requests/${copy.json().id}/approve`)).statusCode).toBe(403);
      expect((await post(who.countyPolice, `/access-requests/${copy.json().id}/approve`)).json().state).toBe('approved');
    });

    it('national (CN799-20): by the organ\'s legal instrument, with no officer minimum', async () => {
      const who = await team('national');
      const res = await submit('national', who, { kind: 'retrieve', requesterKind: 'procuratorate', officerWorkIds: [] });
      expect(res.json()).toMatchObject({ state: 'approved', requirements: { officers: { count: 0, article: null }, approvals: [], document: { required: true, article: 'CN799-20' } } });
      const noDoc = await submit('national', who, { officerWorkIds: [] }, false);
      expect(noDoc.json().error).toMatchObject({ code: 'RULE_REFUSED', articles: ['CN799-20'] });
    });

    it('a private person\'s viewing (CN799-21): recorded by the operator, consented, played under the request only, never copied', async () => {
      const { unit, cam } = camOf.get('national')!;
      const operator = await signIn(t, await person(t, `op-${dialect}`, [['duty_operator', unit]], { workId: 'OP1' }));
      const consent = await signIn(t, await person(t, `consent-${dialect}`, [['approver', unit]], { workId: 'OPH' }));
      const base = { requesterKind: 'close-relative', requestingUnit: '张某（走失老人之子）', purpose: '寻找走失老人 protect life', destination: '当场查阅，不复制', custodianId: unit, cameraIds: [cam], ...range(), validityHours: 2, officerWorkIds: [] };
      // Investigators cannot record it, and a private person cannot ask for a copy.
      const inv = (await team('national')).inv;
      expect((await post(inv, '/access-requests', { ...base, kind: 'individual-view' })).statusCode).toBe(403);
      const copy = await post(operator, '/access-requests', { ...base, kind: 'copy' });
      expect(copy.statusCode).toBe(403);
      const wrongKind = await post(operator, '/access-requests', { ...base, kind: 'individual-view', requesterKind: 'public-security' });
      expect(wrongKind.json().error).toMatchObject({ code: 'RULE_REFUSED', articles: ['CN799-21'] });
      const draft = await post(operator, '/access-requests', { ...base, kind: 'individual-view' });
      expect(draft.statusCode, draft.body).toBe(201);
      const id = draft.json().id as number;
      const sub = await post(operator, `/access-requests/${id}/submit`);
      expect(sub.json()).toMatchObject({ state: 'submitted', requirements: { approvals: [{ role: 'approver', side: 'custodian', article: 'CN799-21' }] } });
      const ok = await post(consent, `/access-requests/${id}/approve`);
      expect(ok.json().state).toBe('approved');
      const [decision] = await registered({ action: 'approval_decision', outcome: 'success', approvalId: id });
      expect(decision).toMatchObject({ purpose: '寻找走失老人 protect life', destination: '当场查阅，不复制' });
      expect(decision!.detail).toMatchObject({ articles: ['CN799-21'] });
      // The operator plays it under the request (registered as such), and cannot copy under it.
      const play = await playback(operator, cam, range(), id);
      expect(play.json()).toMatchObject({ basis: 'request', requestId: id });
      expect(await registered({ action: 'playback', outcome: 'success', approvalId: id })).toHaveLength(1);
      await expect(t.access.checkFootageAccess((await t.access.accounts.fromSession(operator.cookie.slice('vigil_session='.length), null))!.actor, { cameraId: cam, kind: 'copy', ...range(), requestId: id }))
        .rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await registered({ action: 'copy', outcome: 'refused', reason: /does not allow copy/ })).toHaveLength(1);
    });
  });
}
