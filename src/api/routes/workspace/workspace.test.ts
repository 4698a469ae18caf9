// Bookmarks and saved wall views through the real app, on SQLite and PostgreSQL: each person's
// own, kept on the server; only footage one may play back is bookmarked and only cameras one may
// watch are saved on a wall or kept as the wall on screen; someone else's is a registered 404; a camera one loses is dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { world, type World } from '../../../../test/access/fixtures.js';
import { testApp, type TestApp } from '../../../../test/support/app.js';
import { person, signIn, type Client } from '../../../../test/support/auth.js';
import { DIALECTS } from '../../../../test/support/databases.js';

describe.each(DIALECTS)('workspace routes (%s)', (dialect) => {
  let t: TestApp;
  let w: World;
  let operatorA: Client;
  let colleagueA: Client;
  let operatorB: Client;
  let admin: Client;

  beforeAll(async () => {
    t = await testApp(dialect);
    w = await world(t);
    operatorA = await signIn(t, await person(t, 'op-a', [['duty_operator', w.districtA]]));
    colleagueA = await signIn(t, await person(t, 'op-a2', [['duty_operator', w.districtA]]));
    operatorB = await signIn(t, await person(t, 'op-b', [['duty_operator', w.districtB]]));
    admin = await signIn(t, await person(t, 'adm', [['system_administrator', null]]));
  }, 120_000);
  afterAll(() => t?.close());

  const refusals = async (userId: number) => {
    const out: { action: string; target: string | null }[] = [];
    for await (const e of t.audit.entries({})) if (e.outcome === 'refused' && e.actors[0]?.userId === userId) out.push({ action: e.action, target: e.target ?? null });
    return out;
  };

  it('keeps bookmarks per person, on footage they may play back, and lists them by camera and range', async () => {
    const now = t.clock.now();
    const add = (c: Client, body: Record<string, unknown>) => c.inject({ method: 'POST', url: '/api/v1/bookmarks', payload: body });
    const first = await add(operatorA, { cameraId: w.camA, at: now - 60_000, note: '  可疑人员 ' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ cameraId: w.camA, at: now - 60_000, note: '可疑人员' });
    expect((await add(operatorA, { cameraId: w.camA, at: now - 3_600_000, note: 'earlier' })).statusCode).toBe(201);
    expect((await add(colleagueA, { cameraId: w.camA, at: now - 30_000, note: 'mine' })).statusCode).toBe(201);

    const mine = (await operatorA.inject({ method: 'GET', url: `/api/v1/bookmarks?cameraIds=${w.camA}` })).json();
    expect(mine.map((b: { note: string }) => b.note)).toEqual(['earlier', '可疑人员']);
    const inRange = (await operatorA.inject({ method: 'GET', url: `/api/v1/bookmarks?from=${now - 120_000}&to=${now}` })).json();
    expect(inRange.map((b: { note: string }) => b.note)).toEqual(['可疑人员']);
    expect((await colleagueA.inject({ method: 'GET', url: '/api/v1/bookmarks' })).json().map((b: { note: string }) => b.note)).toEqual(['mine']);

    // Another district's camera, a camera that does not exist, a time ahead, a note too long.
    const before = (await refusals(operatorA.person.id)).length;
    expect((await add(operatorA, { cameraId: w.camB, at: now, note: 'x' })).statusCode).toBe(404);
    expect((await add(operatorA, { cameraId: 999_999, at: now, note: 'x' })).statusCode).toBe(404);
    const ahead = await add(operatorA, { cameraId: w.camA, at: now + 3_600_000, note: 'x' });
    expect(ahead.statusCode).toBe(400);
    expect(ahead.json().error.params).toMatchObject({ reason: 'bookmark-in-future' });
    expect((await add(operatorA, { cameraId: w.camA, at: now, note: '长'.repeat(201) })).json().error.params).toMatchObject({ reason: 'bookmark-note-long' });
    // Each refusal of a camera registered once (the validation errors are not refusals).
    expect((await refusals(operatorA.person.id)).slice(before)).toEqual([
      { action: 'playback', target: `bookmark on camera ${w.camB}` },
      { action: 'playback', target: 'bookmark on camera 999999' },
    ]);
  });

  it('removes only one\'s own bookmark; someone else\'s is a registered 404', async () => {
    const theirs = (await colleagueA.inject({ method: 'GET', url: '/api/v1/bookmarks' })).json()[0];
    const before = (await refusals(operatorA.person.id)).length;
    expect((await operatorA.inject({ method: 'DELETE', url: `/api/v1/bookmarks/${theirs.id}` })).statusCode).toBe(404);
    expect((await refusals(operatorA.person.id)).slice(before)).toEqual([{ action: 'playback', target: `bookmark ${theirs.id}` }]);
    expect((await colleagueA.inject({ method: 'GET', url: '/api/v1/bookmarks' })).json()).toHaveLength(1);
    expect((await colleagueA.inject({ method: 'DELETE', url: `/api/v1/bookmarks/${theirs.id}` })).statusCode).toBe(204);
    expect((await colleagueA.inject({ method: 'GET', url: '/api/v1/bookmarks' })).json()).toEqual([]);
    expect((await colleagueA.inject({ method: 'DELETE', url: `/api/v1/bookmarks/${theirs.id}` })).statusCode).toBe(404);
  });

  it('saves wall views by name for their maker, only with cameras they may watch', async () => {
    const save = (c: Client, body: Record<string, unknown>) => c.inject({ method: 'PUT', url: '/api/v1/wall-views', payload: body });
    const saved = await save(operatorA, { name: ' 校门 ', layout: 4, tiles: [w.camA, null] });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ name: '校门', layout: 4, tiles: [w.camA, null] });
    // The same name replaces the view.
    expect((await save(operatorA, { name: '校门', layout: 1, tiles: [w.camA] })).json()).toMatchObject({ id: saved.json().id, layout: 1 });
    expect((await operatorA.inject({ method: 'GET', url: '/api/v1/wall-views' })).json()).toMatchObject([{ name: '校门', layout: 1, tiles: [w.camA] }]);
    expect((await colleagueA.inject({ method: 'GET', url: '/api/v1/wall-views' })).json()).toEqual([]);

    const before = (await refusals(operatorB.person.id)).length;
    expect((await save(operatorB, { name: 'other city', layout: 4, tiles: [w.camA] })).statusCode).toBe(404);
    expect((await refusals(operatorB.person.id)).slice(before)).toEqual([{ action: 'view', target: 'wall view "other city"' }]);
    expect((await save(operatorA, { name: 'x', layout: 3, tiles: [] })).statusCode).toBe(400);
    expect((await save(operatorA, { name: 'x', layout: 1, tiles: [w.camA, w.camA] })).json().error.params).toMatchObject({ reason: 'wall-tiles' });
    expect((await save(operatorA, { name: '   ', layout: 1, tiles: [] })).json().error.params).toMatchObject({ reason: 'wall-view-name' });
    // The administrator watches nothing: the routes need live:view.
    expect((await admin.inject({ method: 'GET', url: '/api/v1/wall-views' })).statusCode).toBe(403);

    const id = saved.json().id;
    expect((await operatorB.inject({ method: 'DELETE', url: `/api/v1/wall-views/${id}` })).statusCode).toBe(404);
    expect((await refusals(operatorB.person.id)).at(-1)).toEqual({ action: 'view', target: `wall view ${id}` });
    expect((await operatorA.inject({ method: 'GET', url: '/api/v1/wall-views' })).json()).toHaveLength(1);
  });

  it('keeps the wall on screen per person on the server, only with cameras they may watch', async () => {
    const put = (c: Client, body: Record<string, unknown>) => c.inject({ method: 'PUT', url: '/api/v1/wall', payload: body });
    const get = async (c: Client) => (await c.inject({ method: 'GET', url: '/api/v1/wall' })).json();
    // A first visit: no wall kept yet.
    expect(await get(colleagueA)).toEqual({ layout: 4, tiles: [], updatedAt: null });
    const kept = await put(colleagueA, { layout: 9, tiles: [null, w.camA] });
    expect(kept.statusCode, kept.body).toBe(200);
    // Another browser (a new session) finds it as it was left; the next change replaces it.
    const elsewhere = await signIn(t, colleagueA.person);
    expect(await get(elsewhere)).toMatchObject({ layout: 9, tiles: [null, w.camA], updatedAt: t.clock.now() });
    expect((await put(elsewhere, { layout: 1, tiles: [w.camA, null, null, null, null, null, null, null, null] })).statusCode).toBe(200);
    expect(await get(colleagueA)).toMatchObject({ layout: 1, tiles: [w.camA, null, null, null, null, null, null, null, null] });
    // Nobody else's: operator A's wall is their own.
    expect(await get(operatorA)).toEqual({ layout: 4, tiles: [], updatedAt: null });

    // The other city's camera is refused as missing, registered once, and the kept wall stays.
    const before = (await refusals(operatorB.person.id)).length;
    expect((await put(operatorB, { layout: 4, tiles: [w.camB, w.camA] })).statusCode).toBe(404);
    expect((await refusals(operatorB.person.id)).slice(before)).toEqual([{ action: 'view', target: 'the wall on screen' }]);
    expect(await get(operatorB)).toEqual({ layout: 4, tiles: [], updatedAt: null });
    expect((await put(colleagueA, { layout: 3, tiles: [] })).statusCode).toBe(400);
    expect((await put(colleagueA, { layout: 4, tiles: Array(17).fill(null) })).statusCode).toBe(400);
    expect((await admin.inject({ method: 'GET', url: '/api/v1/wall' })).statusCode).toBe(403);
  });

  it('drops a camera one may no longer watch from saved views and bookmarks', async () => {
    const p = await person(t, 'op-moving', [['duty_operator', w.districtA]]);
    const c = await signIn(t, p);
    await c.inject({ method: 'PUT', url: '/api/v1/wall-views', payload: { name: 'A', layout: 4, tiles: [null, w.camA] } });
    await c.inject({ method: 'PUT', url: '/api/v1/wall', payload: { layout: 4, tiles: [w.camA] } });
    await c.inject({ method: 'POST', url: '/api/v1/bookmarks', payload: { cameraId: w.camA, at: t.clock.now() - 1000, note: 'n' } });
    // Moved to the other city: district A's role taken away, district B's given.
    await t.access.users.grant(null, p.id, 'duty_operator', w.districtB);
    const grants = await t.repos.accounts.grantsOf(p.id);
    await t.access.users.revokeGrant(null, grants.find((g) => g.organisationId === w.districtA)!.id);
    const again = await signIn(t, p);
    expect((await again.inject({ method: 'GET', url: '/api/v1/wall-views' })).json()).toMatchObject([{ name: 'A', tiles: [null, null] }]);
    expect((await again.inject({ method: 'GET', url: '/api/v1/bookmarks' })).json()).toEqual([]);
    expect((await again.inject({ method: 'GET', url: '/api/v1/wall' })).json()).toMatchObject({ layout: 4, tiles: [null] });
  });
});
