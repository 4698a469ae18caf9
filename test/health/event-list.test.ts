// The event list across cameras (issue 20 item 10) on both dialects, through the API as a duty
// operator uses it: alarms and recording events of the cameras in one's reach, by time range,
// camera, organisation, kind and severity, newest first a page at a time; a frame of the real
// recording at an event's instant (decoded by ffmpeg: each camera records its own colour) and an
// alarm's snapshot, each view registered; anything outside one's reach refused and registered once.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from '../support/app.js';
import { currentCode, person, signIn, type Client } from '../support/auth.js';
import { eventsCommand } from '../../src/cli/commands/events.js';
import { printError } from '../../src/cli/output.js';
import { DIALECTS } from '../support/databases.js';
import { meanColour, recordFootage } from '../support/recorded-footage.js';
import { world, type World } from '../access/fixtures.js';


describe.each(DIALECTS)('event list across cameras (%s)', (dialect) => {
  let t: TestApp;
  let w: World;
  let camA2: number;
  let operator: Client;
  let outsider: Client;
  let snapshotAlarm: number;
  /** The test's start: alarms are raised at T0 + 12 s (now on the app's clock). */
  let T0: number;

  beforeAll(async () => {
    t = await testApp(dialect);
    T0 = t.clock.now() - 12_000;
    w = await world(t);
    const { id: _id, createdAt: _c, updatedAt: _u, ...a1 } = (await t.repos.cameras.get(w.camA))!;
    camA2 = (await t.repos.cameras.insert({ ...a1, gbId: '34010400001320000002', name: 'cam 02' }, T0 - 86_400_000)).id;
    operator = await signIn(t, await person(t, 'op', [['duty_operator', w.districtA]]));
    outsider = await signIn(t, await person(t, 'op-b', [['duty_operator', w.districtB]]));
    // Camera A1 records red, A2 blue, B green; each for 4 s from T0 + 10 s.
    await recordFootage(t.repos, t.dataDir, w.camA, T0 + 10_000, 4, 'red');
    await recordFootage(t.repos, t.dataDir, camA2, T0 + 10_000, 4, 'blue');
    await recordFootage(t.repos, t.dataDir, w.camB, T0 + 10_000, 4, 'green');
    const ev = (cameraId: number, kind: 'gap' | 'connected' | 'clock_jump', at: number) => ({ cameraId, kind, startMs: at, endMs: kind === 'gap' ? at + 5000 : null, detail: kind === 'clock_jump' ? '{"jumpMs":4000}' : '' });
    await t.repos.recordings.commit({
      fragments: [], fileProgress: [],
      events: [ev(w.camA, 'connected', T0 + 10_000), ev(w.camA, 'gap', T0 + 13_000), ev(camA2, 'gap', T0 + 12_000), ev(camA2, 'clock_jump', T0 + 11_000), ev(w.camB, 'gap', T0 + 12_500), ev(w.camA, 'gap', T0 + 7_200_000)],
    });
    // An operator's report with a snapshot on A2, a finding on A1, both at T0 + 12 s.
    mkdirSync(join(t.dataDir, 'snapshots', String(camA2)), { recursive: true });
    const jpeg = join(t.dataDir, 'snapshots', String(camA2), 'report.jpg');
    writeFileSync(jpeg, Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    snapshotAlarm = (await t.health.alarms.raise({ kind: 'suspicious_event', severity: 'critical', camera_id: camA2, organisation_id: w.districtA, title: 'Suspicious event', snapshot: `snapshots/${camA2}/report.jpg` })).id;
    await t.health.alarms.raise({ kind: 'finding', severity: 'warning', camera_id: w.camA, organisation_id: w.districtA, title: 'Camera finding' });
    await t.health.alarms.raise({ kind: 'offline', severity: 'critical', camera_id: w.camB, organisation_id: w.districtB, title: 'Camera offline' });
  }, 180_000);
  afterAll(() => t?.close());

  const search = (c: Client, q: string) => c.inject({ method: 'GET', url: `/api/v1/events/search?${q}` });
  const refusals = async (userId: number) => {
    let n = 0;
    for await (const e of t.audit.entries({ outcome: 'refused' })) if (e.actors[0]?.userId === userId) n++;
    return n;
  };
  const views = async (userId: number) => {
    const out: { cameraIds: number[]; target: string | null; from: number | null }[] = [];
    for await (const e of t.audit.entries({ action: 'view', outcome: 'success' })) if (e.actors[0]?.userId === userId) out.push({ cameraIds: e.cameraIds, target: e.target, from: e.from });
    return out;
  };

  it('lists the events of both cameras in reach, newest first, alarms and recording events together', async () => {
    const r = await search(operator, `from=${T0}&to=${T0 + 60_000}`);
    expect(r.statusCode, r.body).toBe(200);
    const items = r.json().items as { id: string; at: number; playAt: number; cameraId: number; kind: string; severity: string; picture: string | null; cameraName: string }[];
    expect(items.map((e) => [e.kind, e.cameraId, e.at - T0])).toEqual([
      ['gap', w.camA, 13_000],
      ['finding', w.camA, 12_000],
      ['suspicious_event', camA2, 12_000],
      ['gap', camA2, 12_000],
      ['clock_jump', camA2, 11_000],
      ['connected', w.camA, 10_000],
    ]);
    expect(items.find((e) => e.kind === 'suspicious_event')).toMatchObject({ picture: 'snapshot', severity: 'critical', cameraName: 'cam 02' });
    // An alarm without a snapshot shows the recording at its instant to one who may play it back.
    expect(items.find((e) => e.kind === 'finding')).toMatchObject({ picture: 'recording', playAt: T0 + 12_000 });
    expect(items.filter((e) => e.id.startsWith('recording-')).every((e) => e.picture === 'recording')).toBe(true);
    expect(r.json().next).toBeNull();
  });

  it('offers no picture for an event where nothing was recorded', async () => {
    // A's gap two hours on lies far from its 4 s of footage: no frame there, so none is offered.
    const r = await search(operator, `from=${T0 + 7_000_000}&to=${T0 + 7_300_000}`);
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json().items).toMatchObject([{ kind: 'gap', cameraId: w.camA, picture: null }]);
  });

  it('filters by kind, severity, camera and organisation; the range leaves out what lies outside it', async () => {
    const kinds = (q: string) => search(operator, `from=${T0}&to=${T0 + 60_000}&${q}`).then((r) => (r.json().items as { kind: string; cameraId: number }[]).map((e) => `${e.kind}@${e.cameraId}`));
    expect(await kinds('kinds=gap')).toEqual([`gap@${w.camA}`, `gap@${camA2}`]);
    expect(await kinds('kinds=gap,suspicious_event&cameraIds=' + camA2)).toEqual([`suspicious_event@${camA2}`, `gap@${camA2}`]);
    expect(await kinds('severities=critical')).toEqual([`suspicious_event@${camA2}`]);
    expect(await kinds('severities=info')).toEqual([`connected@${w.camA}`]);
    expect(await kinds(`organisationId=${w.cityA}&kinds=connected`)).toEqual([`connected@${w.camA}`]);
    const later = await search(operator, `from=${T0 + 60_000}&to=${T0 + 8_000_000}`);
    expect((later.json().items as { at: number }[]).map((e) => e.at - T0)).toEqual([7_200_000]);
    const bad = await search(operator, `from=${T0}&to=${T0 + 1}&kinds=gap,nonsense`);
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('nonsense');
    expect((await search(operator, `from=${T0 + 5}&to=${T0}`)).statusCode).toBe(400);
    expect((await search(operator, `from=${T0}&to=${T0 + 5}&cursor=bm9wZQ`)).statusCode).toBe(400);
  });

  it('pages by cursor without losing or repeating an event, even at one instant', async () => {
    const whole = (await search(operator, `from=${T0}&to=${T0 + 60_000}`)).json().items as { id: string }[];
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const r = await search(operator, `from=${T0}&to=${T0 + 60_000}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.statusCode, r.body).toBe(200);
      seen.push(...(r.json().items as { id: string }[]).map((e) => e.id));
      cursor = r.json().next as string | null;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(whole.map((e) => e.id));
    expect(pages).toBe(3);
  });

  it('shows only what is in reach; naming a camera or organisation outside it is refused and registered once', async () => {
    const mine = (await search(outsider, `from=${T0}&to=${T0 + 60_000}`)).json().items as { cameraId: number; kind: string }[];
    expect(mine.map((e) => `${e.kind}@${e.cameraId}`)).toEqual([`gap@${w.camB}`, `offline@${w.camB}`]);
    const before = await refusals(outsider.person.id);
    const r = await search(outsider, `from=${T0}&to=${T0 + 60_000}&cameraIds=${w.camA}`);
    expect(r.statusCode).toBe(404);
    expect(await refusals(outsider.person.id)).toBe(before + 1);
    expect((await search(outsider, `from=${T0}&to=${T0 + 60_000}&organisationId=${w.districtA}`)).statusCode).toBe(403);
    expect(await refusals(outsider.person.id)).toBe(before + 2);
    // A picture of a camera out of reach: refused, registered once, nothing decoded.
    expect((await outsider.inject({ method: 'GET', url: `/api/v1/cameras/${w.camA}/recorded-frame?at=${T0 + 13_000}` })).statusCode).toBe(404);
    expect((await outsider.inject({ method: 'GET', url: `/api/v1/alarms/${snapshotAlarm}/snapshot` })).statusCode).toBe(404);
    expect(await refusals(outsider.person.id)).toBe(before + 4);
  });

  it("gives a frame of each camera's own recording at the event's instant, and the alarm's snapshot, each view registered", async () => {
    const dir = join(t.dataDir, 'colours');
    mkdirSync(dir, { recursive: true });
    const frame = async (cameraId: number, at: number) => {
      const r = await operator.inject({ method: 'GET', url: `/api/v1/cameras/${cameraId}/recorded-frame?at=${at}` });
      expect(r.statusCode, r.body).toBe(200);
      expect(r.headers['content-type']).toBe('image/jpeg');
      return r.rawPayload;
    };
    const [r1, g1, b1] = await meanColour(await frame(w.camA, T0 + 13_000), dir);
    expect(r1).toBeGreaterThan(200);
    expect(g1 + b1).toBeLessThan(80);
    const [r2, , b2] = await meanColour(await frame(camA2, T0 + 12_000), dir);
    expect(b2).toBeGreaterThan(200);
    expect(r2).toBeLessThan(40);
    // A camera that just connected: the first picture after the instant.
    expect((await meanColour(await frame(w.camA, T0 + 9_000), dir))[0]).toBeGreaterThan(200);
    // Nothing recorded near the instant: not found, and no view registered for it.
    const none = await operator.inject({ method: 'GET', url: `/api/v1/cameras/${w.camA}/recorded-frame?at=${T0 + 7_200_000}` });
    expect(none.statusCode).toBe(404);
    const snap = await operator.inject({ method: 'GET', url: `/api/v1/alarms/${snapshotAlarm}/snapshot` });
    expect(snap.statusCode).toBe(200);
    expect(snap.rawPayload).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    expect(await views(operator.person.id)).toEqual([
      { cameraIds: [w.camA], target: 'recorded frame', from: T0 + 13_000 },
      { cameraIds: [camA2], target: 'recorded frame', from: T0 + 12_000 },
      { cameraIds: [w.camA], target: 'recorded frame', from: T0 + 9_000 },
      { cameraIds: [camA2], target: `alarm ${snapshotAlarm} snapshot`, from: T0 + 12_000 },
    ]);
  });

  it('keeps the alarm list under the same rule (moved out of the route)', async () => {
    const items = (await operator.inject({ method: 'GET', url: '/api/v1/alarms' })).json().items as { cameraId: number }[];
    expect(items.map((a) => a.cameraId).sort()).toEqual([w.camA, camA2].sort());
  });

  it('lists alarms with no camera under the event stream\'s rule: routed to an organisation in reach, platform-wide ones for a reach over everything', async () => {
    // A minute later than the cases above (their lists stay as they are).
    t.clock.set(T0 + 100_000);
    const storage = await t.health.alarms.raise({ kind: 'storage', severity: 'critical', camera_id: null, organisation_id: null, title: 'Storage nearly full' });
    const routedA = await t.health.alarms.raise({ kind: 'notice_late', severity: 'warning', camera_id: null, organisation_id: w.districtA, title: 'Notice late in A' });
    const routedB = await t.health.alarms.raise({ kind: 'notice_late', severity: 'warning', camera_id: null, organisation_id: w.districtB, title: 'Notice late in B' });
    t.clock.set(T0 + 12_000);
    const everywhere = await signIn(t, await person(t, 'op-all', [['duty_operator', null]]));
    const listed = async (c: Client, q = '') => {
      const r = await search(c, `from=${T0 + 90_000}&to=${T0 + 110_000}${q}`);
      expect(r.statusCode, r.body).toBe(200);
      return r.json().items as { id: string; sourceId: number; cameraId: number | null; cameraName: string | null; organisationId: number | null; picture: string | null }[];
    };
    const ids = (items: { sourceId: number }[]) => items.map((e) => e.sourceId);
    // Newest first, by id at one instant.
    expect(ids(await listed(everywhere))).toEqual([routedB.id, routedA.id, storage.id]);
    expect(ids(await listed(operator))).toEqual([routedA.id]);
    expect(ids(await listed(outsider))).toEqual([routedB.id]);
    expect((await listed(operator))[0]).toMatchObject({ cameraId: null, cameraName: null, organisationId: w.districtA, picture: null });
    // The list agrees with the event stream's check, event by event.
    for (const c of [everywhere, operator, outsider]) {
      const user = (await t.repos.accounts.userById(c.person.id))!;
      const actor = t.access.accounts.actor(user, await t.access.accounts.grants(c.person.id), { sourceAddress: null });
      const visible = t.health.visibility.of(actor);
      const expected = [];
      for (const a of [routedB, routedA, storage]) if (await visible(a.cameraId, a.organisationId)) expected.push(a.id);
      expect(ids(await listed(c))).toEqual(expected);
    }
    // Narrowed to an organisation: what is routed within its subtree, never the platform-wide; narrowed to cameras: none of these.
    expect(ids(await listed(everywhere, `&organisationId=${w.cityA}`))).toEqual([routedA.id]);
    expect(ids(await listed(everywhere, `&cameraIds=${w.camA}`))).toEqual([]);
    expect(ids(await listed(everywhere, '&kinds=storage'))).toEqual([storage.id]);
  });

  it('answers `vigil events` through the server with the same list, and the same refusal', async () => {
    await t.raw.listen({ host: '127.0.0.1', port: 0 });
    const http = { http: { host: '127.0.0.1', port: (t.raw.server.address() as { port: number }).port } };
    const run = async (c: Client, args: string[]) => {
      let text = '';
      const out = new Writable({ write: (chunk, _e, cb) => ((text += String(chunk)), cb()) });
      const login = ['--login', c.person.login, '--totp', await currentCode(t, c.person.id)];
      const code = await eventsCommand(http, [...args, ...login], out, { password: c.person.password, now: T0 + 60_000 }).catch((e: unknown) => {
        printError(e, out);
        return -1;
      });
      return { code, text };
    };
    const gaps = await run(operator, ['--from', new Date(T0).toISOString(), '--kind', 'gap', '--kind', 'connected', '--camera', String(w.camA)]);
    expect(gaps.code, gaps.text).toBe(0);
    const lines = gaps.text.trim().split('\n');
    expect(lines[0]).toMatch(/^time\s+camera\s+kind\s+severity\s+picture\s+title$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s{2,}/)[2])).toEqual(['gap', 'connected']);
    expect(lines.at(-1)).toBe('2 event(s)');
    const paged = await run(operator, ['--from', String(T0), '--limit', '2', '--all', '--json']);
    expect(paged.text.trim().split('\n').flatMap((l) => (JSON.parse(l) as { items: { kind: string }[] }).items.map((e) => e.kind))).toEqual(['gap', 'finding', 'suspicious_event', 'gap', 'clock_jump', 'connected']);
    const refused = await run(outsider, ['--from', String(T0), '--camera', String(w.camA)]);
    expect(refused.code).toBe(-1);
    expect(refused.text).toMatch(/NOT_FOUND/);
    expect((await run(operator, ['--from', 'yesterday'])).text).toMatch(/--from must be ISO 8601/);
  });
});
