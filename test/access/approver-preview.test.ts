// The approver's preview (issue 20, item 2), through POST /api/v1/stream-tokens on both dialects:
// the head who still has to decide a submitted request may play back its cameras inside its range
// before deciding, registered as a playback under the request like any viewing; outside the range,
// another camera, another approver, an officer of the request, or once decided, it is refused and
// registered as refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { PDF, world, type World } from './fixtures.js';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`an approver previews a request's footage on ${dialect}`, () => {
    let t: TestApp;
    let w: World;
    let inv1: Client;
    let inv2: Client;
    let head: Client;
    let outsider: Client;
    let id: number;
    let range: { from: number; to: number };

    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
      inv1 = await signIn(t, await person(t, 'inv1', [['investigator', w.districtA]], { workId: 'P001' }));
      inv2 = await signIn(t, await person(t, 'inv2', [['investigator', w.districtA]], { workId: 'P002' }));
      // Anhui: the head of the requesting agency approves (AH-21).
      head = await signIn(t, await person(t, 'head', [['approver', w.districtA]], { workId: 'H001' }));
      outsider = await signIn(t, await person(t, 'other-head', [['approver', w.unitB]], { workId: 'H002' }));
      range = { from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR };
      const created = await inv1.inject({
        method: 'POST', url: '/api/v1/access-requests',
        payload: {
          kind: 'copy', requesterKind: 'public-security', requestingUnit: '蜀山分局', purpose: '盗窃案侦查', destination: '刑侦大队',
          custodianId: w.unitA, cameraIds: [w.camA], ...range, validityHours: 24, officerWorkIds: ['P001', 'P002'],
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      id = created.json().id as number;
      for (const c of [inv1, inv2]) expect((await c.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/confirm` })).statusCode).toBe(200);
      await inv1.inject({ method: 'PUT', url: `/api/v1/access-requests/${id}/document`, payload: PDF, headers: { 'content-type': 'application/pdf' } });
      expect((await inv1.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/submit` })).json().state).toBe('submitted');
    }, 60_000);
    afterAll(() => t.close());

    const token = (c: Client, over: Record<string, unknown> = {}) =>
      c.inject({ method: 'POST', url: '/api/v1/stream-tokens', payload: { cameraId: w.camA, kind: 'playback', from: range.from, to: range.from + 60_000, requestId: id, ...over } });
    const entries = async () => {
      const out: [string, string, number | null, number | null][] = [];
      for await (const e of t.audit.entries({ action: 'playback' })) out.push([e.outcome, e.actors[0]!.workId ?? '', e.approvalId, e.cameraIds[0] ?? null]);
      return out;
    };

    it('lets the head who decides watch the requested range, registered under the request', async () => {
      const r = await token(head);
      expect(r.statusCode, r.body).toBe(201);
      expect(r.json()).toMatchObject({ basis: 'preview', requestId: id });
      expect(await entries()).toEqual([['success', 'H001', id, w.camA]]);
      // Watching changes nothing about the request: still waiting for the decision.
      expect((await head.inject({ method: 'GET', url: `/api/v1/access-requests/${id}` })).json().state).toBe('submitted');
    });

    it('refuses, and registers, outside the range, another camera, another approver, and the request\'s own officer', async () => {
      expect((await token(head, { from: range.from - HOUR })).statusCode).toBe(403);
      expect((await token(head, { cameraId: w.camB })).statusCode).toBe(403);
      expect((await token(outsider)).statusCode).toBe(403);
      expect((await token(inv2)).statusCode).toBe(403);
      const refused = (await entries()).filter((e) => e[0] === 'refused').map((e) => e[1]);
      expect(refused).toEqual(['H001', 'H001', 'H002', 'P002']);
    });

    it('ends with the decision', async () => {
      expect((await head.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/approve` })).json().state).toBe('approved');
      expect((await token(head)).statusCode).toBe(403);
    });
  });
}
