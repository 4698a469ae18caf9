// What waits for whom (issue 20, item 3), through GET /api/v1/todo on both dialects: an officer
// named on a draft has it to confirm until they do; the custodian's head has a submitted request
// to approve until it is decided, and never one they make or take part in; a role granted by the
// administrator who created the account waits for a second administrator, not for its granter.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { PDF, world, type World } from './fixtures.js';

const HOUR = 3_600_000;

for (const dialect of DIALECTS) {
  describe(`the to-do of each person on ${dialect}`, () => {
    let t: TestApp;
    let w: World;
    let inv1: Client;
    let inv2: Client;
    let head: Client;
    let outsider: Client;
    let admin1: Client;
    let admin2: Client;

    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
      inv1 = await signIn(t, await person(t, 'inv1', [['investigator', w.districtA]], { workId: 'P001' }));
      inv2 = await signIn(t, await person(t, 'inv2', [['investigator', w.districtA]], { workId: 'P002' }));
      // Anhui: the head of the requesting agency approves (AH-21), here the investigators' district.
      head = await signIn(t, await person(t, 'head', [['approver', w.districtA]], { workId: 'H001' }));
      outsider = await signIn(t, await person(t, 'other-head', [['approver', w.unitB]], { workId: 'H002' }));
      admin1 = await signIn(t, await person(t, 'admin1', [['system_administrator', null]]));
      admin2 = await signIn(t, await person(t, 'admin2', [['system_administrator', null]]));
    }, 60_000);
    afterAll(() => t.close());

    const todo = async (c: Client) => {
      const r = await c.inject({ method: 'GET', url: '/api/v1/todo' });
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as { confirm: number[]; approve: number[]; grants: number[] };
    };
    const post = (c: Client, id: number, step: string) => c.inject({ method: 'POST', url: `/api/v1/access-requests/${id}/${step}` });

    it('lists a draft for its officers until each confirms, then the submitted request for the requesting agency\'s head (AH-21)', async () => {
      const created = await inv1.inject({
        method: 'POST',
        url: '/api/v1/access-requests',
        payload: {
          kind: 'copy', requesterKind: 'public-security', requestingUnit: '蜀山分局', purpose: '盗窃案侦查', destination: '刑侦大队',
          custodianId: w.unitA, cameraIds: [w.camA], from: t.clock.now() - 2 * HOUR, to: t.clock.now() - HOUR, validityHours: 24, officerWorkIds: ['P001', 'P002'],
        },
      });
      expect(created.statusCode, created.body).toBe(201);
      const id = created.json().id as number;
      expect((await todo(inv1)).confirm).toEqual([id]);
      expect((await todo(inv2)).confirm).toEqual([id]);
      // A draft is nobody's to approve yet.
      expect((await todo(head)).approve).toEqual([]);

      expect((await post(inv1, id, 'confirm')).statusCode).toBe(200);
      expect((await todo(inv1)).confirm).toEqual([]);
      expect((await todo(inv2)).confirm).toEqual([id]);
      expect((await post(inv2, id, 'confirm')).statusCode).toBe(200);
      expect((await inv1.inject({ method: 'PUT', url: `/api/v1/access-requests/${id}/document`, payload: PDF, headers: { 'content-type': 'application/pdf' } })).statusCode).toBe(200);
      expect((await post(inv1, id, 'submit')).statusCode).toBe(200);

      expect(await todo(head)).toEqual({ confirm: [], approve: [id], grants: [] });
      // The head of another unit, and the officers themselves, have nothing to decide.
      expect((await todo(outsider)).approve).toEqual([]);
      expect((await todo(inv1)).approve).toEqual([]);

      expect((await post(head, id, 'approve')).statusCode).toBe(200);
      expect((await todo(head)).approve).toEqual([]);
    });

    it('lists a role grant waiting for a second administrator to the other administrator only', async () => {
      const created = await admin1.inject({ method: 'POST', url: '/api/v1/users', payload: { login: 'new-head', displayName: '新负责人', organisationId: w.unitA } });
      expect(created.statusCode, created.body).toBe(201);
      const userId = created.json().user.id as number;
      const granted = await admin1.inject({ method: 'POST', url: `/api/v1/users/${userId}/grants`, payload: { role: 'approver', organisationId: w.unitA } });
      expect(granted.statusCode, granted.body).toBe(201);
      const grantId = granted.json().grants[0].id as number;
      expect(granted.json().grants[0].awaitingConfirmation).toBe(true);

      expect((await todo(admin1)).grants).toEqual([]);
      expect((await todo(admin2)).grants).toEqual([grantId]);
      expect((await todo(head)).grants).toEqual([]);
      expect((await admin2.inject({ method: 'POST', url: `/api/v1/role-grants/${grantId}/confirm` })).statusCode).toBe(200);
      expect((await todo(admin2)).grants).toEqual([]);
    });
  });
}
