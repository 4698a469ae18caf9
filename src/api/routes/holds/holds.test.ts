// The hold routes through the real app on SQLite: an investigator places a hold and it is listed;
// a duty operator may neither place nor list; the release needs a second person with approval
// authority — neither the investigator who asked nor an approver approving their own request —
// and every step and refusal is in the register.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, type World } from '../../../../test/access/fixtures.js';
import { testApp, type TestApp } from '../../../../test/support/app.js';
import { person, signIn, type Client } from '../../../../test/support/auth.js';

describe('legal hold routes', () => {
  let t: TestApp;
  let w: World;
  let investigator: Client;
  let operator: Client;
  let head: Client;
  let deputy: Client;

  beforeAll(async () => {
    t = await testApp('sqlite');
    w = await world(t);
    investigator = await signIn(t, await person(t, 'inv', [['investigator', w.districtA]], { workId: 'P1' }));
    operator = await signIn(t, await person(t, 'op', [['duty_operator', w.districtA]]));
    head = await signIn(t, await person(t, 'head', [['approver', w.unitA]], { workId: 'H1' }));
    deputy = await signIn(t, await person(t, 'deputy', [['approver', w.unitA]], { workId: 'H2' }));
  }, 60_000);
  afterAll(() => t.close());

  const place = (c: Client, body: Record<string, unknown>) => c.inject({ method: 'POST', url: '/api/v1/holds', payload: body });

  it('places a hold with a case reference and lists it; others in no reach see nothing of it', async () => {
    const res = await place(investigator, { cameraId: w.camA, from: t.clock.now() - 7_200_000, to: t.clock.now(), caseRef: '蜀公刑(2026)12号', reason: 'robbery' });
    expect(res.statusCode, res.body).toBe(201);
    const hold = res.json();
    expect(hold).toMatchObject({ cameraId: w.camA, caseRef: '蜀公刑(2026)12号', state: 'active', placedBy: investigator.person.id });

    const all = await investigator.inject({ method: 'GET', url: '/api/v1/holds' });
    expect(all.json().items.map((h: { id: number }) => h.id)).toEqual([hold.id]);
    const one = await head.inject({ method: 'GET', url: `/api/v1/holds?cameraId=${w.camA}&state=active` });
    expect(one.json().items).toMatchObject([{ id: hold.id }]);
    expect((await head.inject({ method: 'GET', url: `/api/v1/holds/${hold.id}` })).json()).toMatchObject({ id: hold.id, reason: 'robbery' });

    expect((await place(investigator, { cameraId: w.camA, caseRef: ' ' })).statusCode).toBe(400);
    expect((await place(investigator, { cameraId: w.camB, caseRef: 'X-1' })).statusCode).toBe(403);
    expect((await place(operator, { cameraId: w.camA, caseRef: 'X-2' })).statusCode).toBe(403);
    expect((await operator.inject({ method: 'GET', url: '/api/v1/holds' })).statusCode).toBe(403);
    expect((await operator.inject({ method: 'GET', url: `/api/v1/holds/${hold.id}` })).statusCode).toBe(403);
    const refused = [];
    for await (const e of t.audit.entries({ action: 'legal_hold' })) if (e.outcome === 'refused') refused.push(e.actors[0]!.userId);
    expect(refused).toEqual([investigator.person.id, operator.person.id, operator.person.id, operator.person.id]);
  });

  it('releases only when a second person with approval authority approves', async () => {
    const hold = (await place(investigator, { cameraId: w.camA, caseRef: 'C-2', reason: 'r' })).json();
    const approve = (c: Client) => c.inject({ method: 'POST', url: `/api/v1/holds/${hold.id}/release-approval` });
    // Nothing asked yet: nothing to approve.
    expect((await approve(head)).statusCode).toBe(422);
    expect((await investigator.inject({ method: 'POST', url: `/api/v1/holds/${hold.id}/release-request`, payload: { reason: '' } })).statusCode).toBe(400);
    const asked = await investigator.inject({ method: 'POST', url: `/api/v1/holds/${hold.id}/release-request`, payload: { reason: 'the court closed the case' } });
    expect(asked.json()).toMatchObject({ state: 'release_requested', releaseRequestedBy: investigator.person.id, releaseReason: 'the court closed the case' });
    expect((await approve(investigator)).statusCode).toBe(403);
    expect((await approve(operator)).statusCode).toBe(403);
    const done = await approve(head);
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json()).toMatchObject({ state: 'released', releasedBy: head.person.id });

    // An approver who asks cannot approve their own request; a colleague can.
    const second = (await place(deputy, { cameraId: w.camA, caseRef: 'C-3' })).json();
    await deputy.inject({ method: 'POST', url: `/api/v1/holds/${second.id}/release-request`, payload: { reason: 'done' } });
    expect((await deputy.inject({ method: 'POST', url: `/api/v1/holds/${second.id}/release-approval` })).statusCode).toBe(403);
    expect((await head.inject({ method: 'POST', url: `/api/v1/holds/${second.id}/release-approval` })).json().state).toBe('released');

    const steps = [];
    for await (const e of t.audit.entries({ action: 'legal_hold_release' })) if (e.target === `legal-hold:${hold.id}`) steps.push([e.outcome, e.actors[0]!.userId]);
    expect(steps).toEqual([
      ['success', investigator.person.id],
      ['refused', investigator.person.id],
      ['refused', operator.person.id],
      ['success', head.person.id],
    ]);
  });
});
