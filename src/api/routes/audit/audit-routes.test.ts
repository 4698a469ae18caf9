import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../../../../test/support/app.js';
import { person, signIn, type Client } from '../../../../test/support/auth.js';

describe('the access register API', () => {
  let t: TestApp;
  let auditor: Client;
  let cityAuditor: Client;
  let cityAuditorId: number;
  let cityId: number;
  beforeAll(async () => {
    t = await testApp('sqlite');
    const city = (await t.app.inject({ method: 'POST', url: '/api/v1/organisations', payload: { kind: 'platform', name: 'City', level: 'city' } })).json();
    auditor = await signIn(t, await person(t, 'auditor', [['auditor', null]], { workId: 'AU1' }));
    cityId = city.id;
    const au2 = await person(t, 'city-auditor', [['auditor', city.id]], { workId: 'AU2' });
    cityAuditorId = au2.id;
    cityAuditor = await signIn(t, au2);
  });
  afterAll(() => t.close());

  it('lets a platform-wide auditor search, newest first, and registers the reading', async () => {
    const res = await auditor.inject({ url: '/api/v1/audit/entries?limit=5' });
    expect(res.statusCode).toBe(200);
    const { items, nextCursor } = res.json();
    expect(items.length).toBeGreaterThan(0);
    expect(items[0].seq).toBeGreaterThan(items[items.length - 1].seq);
    expect(nextCursor === null || nextCursor < items[0].seq).toBe(true);
    const after = (await auditor.inject({ url: '/api/v1/audit/entries?action=register_access&limit=1' })).json();
    expect(after.items[0]).toMatchObject({ action: 'register_access', outcome: 'success', target: 'audit_register' });
    expect(after.items[0].actors[0].workId).toBe('AU1');
  });

  it('verifies the chain and exports CSV, PDF and the signed checkpoints', async () => {
    const v = (await auditor.inject({ url: '/api/v1/audit/verify' })).json();
    expect(v).toMatchObject({ ok: true, failure: null });
    expect(v.entries).toBeGreaterThan(3);
    const csv = await auditor.inject({ url: '/api/v1/audit/export.csv?action=login' });
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.body.split('\r\n').length).toBeGreaterThan(2);
    const pdf = await auditor.inject({ url: '/api/v1/audit/export.pdf' });
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const cps = await auditor.inject({ url: '/api/v1/audit/checkpoints' });
    expect(cps.statusCode).toBe(200);
  });

  it('gives an auditor of one city only entries about it, refuses the whole chain, and registers the refusal', async () => {
    const res = await cityAuditor.inject({ url: '/api/v1/audit/entries?limit=500' });
    expect(res.statusCode).toBe(200);
    // The city has no cameras and one person: the entries are that auditor's own, about that
    // auditor's account (created, its role granted) or about the city (created), by the administrator.
    const items = res.json().items as { actors: { workId: string | null }[]; target: string | null }[];
    expect(items.length).toBeGreaterThan(0);
    const own = (e: (typeof items)[number]) => e.actors.some((a) => a.workId === 'AU2');
    const about = (e: (typeof items)[number]) => e.target === `user:${cityAuditorId}` || (e.target ?? '').startsWith(`organisation:${cityId} `);
    expect(items.filter((e) => !own(e) && !about(e))).toEqual([]);
    expect(items.filter((e) => !own(e) && about(e)).map((e) => e.target).sort()).toEqual([`organisation:${cityId} create`, `user:${cityAuditorId}`, `user:${cityAuditorId}`]);
    expect((await cityAuditor.inject({ url: '/api/v1/audit/verify' })).statusCode).toBe(403);
    const refused = (await auditor.inject({ url: '/api/v1/audit/entries?outcome=refused&action=register_access&limit=1' })).json();
    expect(refused.items[0].actors[0].workId).toBe('AU2');
  });

  it('names a broken chain at its first bad entry', async () => {
    const first = (await auditor.inject({ url: '/api/v1/audit/entries?limit=500' })).json().items.at(-1);
    // An attacker with the database file drops the append-only triggers first.
    const triggers = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger'`.execute(t.db.kysely);
    for (const tr of triggers.rows) await sql.raw(`drop trigger "${tr.name}"`).execute(t.db.kysely);
    await t.db.kysely.updateTable('audit_log' as never).set({ purpose: 'edited' } as never).where('seq' as never, '=', (first.seq + 1) as never).execute();
    const v = (await auditor.inject({ url: '/api/v1/audit/verify' })).json();
    expect(v.ok).toBe(false);
    expect(v.failure.seq).toBe(first.seq + 1);
  });
});
