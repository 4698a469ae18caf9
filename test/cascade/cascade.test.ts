// Vigil as a lower platform (issue 19) against an upper built from src/media/sip, on both
// dialects: it registers with digest after the 401, keeps alive, registers again when the upper
// stops knowing it; answers Catalog with only the cameras shared with that upper (several
// messages, SumNum), DeviceInfo and DeviceStatus; refuses, and registers, a query or INVITE
// about a channel not shared; a revoked share leaves the catalog at once.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { childText, children } from '../../src/media/sip/xml.js';
import { SipEndpoint } from '../../src/media/sip/endpoint.js';
import { SipTransport } from '../../src/media/sip/transport.js';
import { buildManscdp } from '../../src/media/sip/manscdp.js';
import { world, type World } from '../access/fixtures.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';
const PASSWORD = 'cascade-secret';

const until = async (check: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 400; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};

for (const dialect of DIALECTS) {
  describe(`cascade to an upper platform (${dialect})`, () => {
    let t: TestApp;
    let w: World;
    let upper: TestUpper;
    let cascade: CascadeRuntime;
    let shareId: number;
    let shared: string[];
    let head: Actor;

    beforeAll(async () => {
      t = await testApp(dialect);
      w = await world(t);
      const more = [];
      for (const n of [2, 3]) {
        more.push((await t.repos.cameras.insert({ ...(await t.repos.cameras.get(w.camA))!, gbId: `3401040000132000000${n}`, name: `校门 ${n}` }, t.clock.now())).id);
      }
      head = new Actor({ userId: t.adminId, login: 'head', displayName: 'head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: w.districtA, path: (await t.repos.organisations.get(w.districtA))!.path }] });
      const share = await t.shares.grant(head, {
        organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, recipientName: '合肥市平台', rights: ['catalog', 'live'], cameraIds: [w.camA, ...more], groupIds: [],
        validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕17号',
      });
      shareId = share.id;
      shared = (await t.repos.cameras.getMany([w.camA, ...more])).map((c) => c.gbId);
      upper = await TestUpper.start(UPPER, PASSWORD);
      const settings = configSchema.parse({
        cascade: {
          sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', catalogItemsPerMessage: 2,
          uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: PASSWORD, keepaliveSeconds: 0.2, keepaliveMissed: 2, retrySeconds: 0.2 }],
        },
      }).cascade;
      cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: '蜀山区平台', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, clock: t.clock, logger: pino({ level: 'silent' }), timers: { T1: 100, T2: 400 }, catalogRecheckMs: 200 });
    }, 60_000);
    afterAll(async () => {
      await cascade?.close();
      await upper?.close();
      await t?.close();
    });

    it('registers with digest after the challenge and keeps alive', async () => {
      await until(() => upper.registrations.length > 0, 'registration');
      expect(upper.challenges.length).toBeGreaterThanOrEqual(1);
      expect(upper.registrations[0]).toMatchObject({ id: LOWER, expires: 3600 });
      await until(() => upper.keepalives >= 2, 'keepalives');
      expect(cascade.links.get(UPPER)!.state).toBe('registered');
    });

    it('answers Catalog with only the shared cameras, over several messages, and registers the disclosure', async () => {
      const answer = await upper.query(LOWER, 'Catalog', LOWER, (msgs) => msgs.reduce((n, m) => n + children(m.element, 'DeviceList').reduce((k, l) => k + Number(l.attrs['Num']), 0), 0) >= 3);
      expect(answer).toHaveLength(2);
      expect(answer.map((m) => childText(m.element, 'SumNum'))).toEqual(['3', '3']);
      const items = answer.flatMap((m) => children(children(m.element, 'DeviceList')[0], 'Item'));
      expect(items.map((i) => childText(i, 'DeviceID')).sort()).toEqual([...shared].sort());
      expect(items.every((i) => childText(i, 'ParentID') === LOWER)).toBe(true);
      expect(items.map((i) => childText(i, 'DeviceID'))).not.toContain('23010200001320000001');
      await t.audit.chainPending();
      const disclosed = (await t.audit.search({ action: 'registry_view', outcome: 'success', limit: 100 })).items;
      expect(disclosed).toHaveLength(1);
      expect(disclosed[0]).toMatchObject({ destination: 'upper platform 合肥市平台', target: expect.stringMatching(/^catalog answer SN \d+ \(3 channels\)$/) });
      expect([...disclosed[0]!.cameraIds].sort()).toEqual((await Promise.all(shared.map((g) => t.repos.cameras.getByGbId(g)))).map((c) => c!.id).sort());
    });

    it('answers DeviceInfo and DeviceStatus; a question about a channel not shared gets ERROR and is registered', async () => {
      const [info] = await upper.query(LOWER, 'DeviceInfo');
      expect(childText(info!.element, 'Result')).toBe('OK');
      expect(childText(info!.element, 'DeviceName')).toBe('蜀山区平台');
      expect(childText(info!.element, 'Channel')).toBe('3');
      const [status] = await upper.query(LOWER, 'DeviceStatus');
      expect(childText(status!.element, 'Online')).toBe('ONLINE');
      const [foreign] = await upper.query(LOWER, 'DeviceStatus', '23010200001320000001');
      expect(childText(foreign!.element, 'Result')).toBe('ERROR');
      await t.audit.chainPending();
      const refused = (await t.audit.search({ outcome: 'refused', limit: 100 })).items.filter((e) => e.target === 'query about channel 23010200001320000001');
      expect(refused).toEqual([expect.objectContaining({ action: 'registry_view', destination: 'upper platform 合肥市平台', cameraIds: [w.camB] })]);
    });

    it('answers RecordInfo from the recording index only for a channel shared for playback', async () => {
      const camA = (await t.repos.cameras.get(w.camA))!;
      const start = Date.UTC(2026, 9, 31, 0, 0, 0); // 08:00 in China
      const file = await t.repos.recordings.createFile({ cameraId: camA.id, path: `recordings/${camA.id}/r.mp4`, codec: 'avc1', width: 640, height: 360, initSize: 700, startedAt: start });
      await t.repos.recordings.commit({
        fragments: [{ fileId: file.id, cameraId: camA.id, seq: 0, byteOffset: 700, size: 1000, startMs: start, endMs: start + 600_000, keyframe: true, samples: 25, sha256: 'x'.repeat(64) }],
        fileProgress: [{ fileId: file.id, endedAt: start + 600_000, bytes: 1700 }],
        events: [],
      });
      const range = { StartTime: '2026-10-31T00:00:00', EndTime: '2026-10-31T23:59:59' };
      const [refused] = await upper.query(LOWER, 'RecordInfo', camA.gbId, undefined, range);
      expect(childText(refused!.element, 'SumNum')).toBe('0');
      await t.audit.chainPending();
      expect((await t.audit.search({ outcome: 'refused', action: 'playback', limit: 10 })).items.map((e) => e.reason)).toEqual([`the share of camera ${camA.id} does not grant playback`]);
      const playback = await t.shares.grant(head, {
        organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, rights: ['playback'], cameraIds: [camA.id], groupIds: [],
        validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '回放', approvalDocument: '〔2026〕20号',
      });
      const [answer] = await upper.query(LOWER, 'RecordInfo', camA.gbId, undefined, range);
      expect(childText(answer!.element, 'SumNum')).toBe('1');
      const item = children(children(answer!.element, 'RecordList')[0], 'Item')[0]!;
      expect([childText(item, 'DeviceID'), childText(item, 'StartTime'), childText(item, 'EndTime')]).toEqual([camA.gbId, '2026-10-31T08:00:00', '2026-10-31T08:10:00']);
      await t.audit.chainPending();
      expect((await t.audit.search({ outcome: 'success', action: 'playback', limit: 10 })).items.map((e) => [e.target, e.destination])).toEqual([[`record list of channel ${camA.gbId} (1 recordings)`, 'upper platform 合肥市平台']]);
      await t.shares.revoke(head, playback.id, '回放结束');
    });

    it('refuses an INVITE for a channel not shared, and registers it', async () => {
      expect((await upper.invite(LOWER, '23010200001320000001')).status).toBe(403);
      await t.audit.chainPending();
      const refused = (await t.audit.search({ outcome: 'refused', action: 'view', limit: 100 })).items.filter((e) => e.target === 'INVITE Play of channel 23010200001320000001');
      expect(refused).toHaveLength(1);
      expect(refused[0]!.reason).toContain('is not shared');
    });

    it('answers bad input with the standard\'s errors and keeps serving', async () => {
      expect(await upper.raw(LOWER, 'MESSAGE', LOWER, '<Query><CmdType>Catalog</CmdType>', 'Application/MANSCDP+xml')).toBe(400);
      expect(await upper.raw(LOWER, 'MESSAGE', LOWER, '<!DOCTYPE x [<!ENTITY a "b">]><Query/>', 'Application/MANSCDP+xml')).toBe(400);
      expect(await upper.raw(LOWER, 'INVITE', shared[0]!, 'v=0\r\ns=Play\r\n', 'APPLICATION/SDP')).toBe(400);
      // A Playback must name its range (t=<start> <end>): without one the offer is malformed.
      expect(await upper.raw(LOWER, 'INVITE', shared[0]!, 'v=0\r\ns=Playback\r\nc=IN IP4 127.0.0.1\r\nm=video 9 RTP/AVP 96\r\ny=1000000001\r\n', 'APPLICATION/SDP')).toBe(400);
      expect(await upper.raw(LOWER, 'INVITE', '99999999999999999999', 'v=0\r\n', 'APPLICATION/SDP')).toBe(404);
      const [status] = await upper.query(LOWER, 'DeviceStatus');
      expect(childText(status!.element, 'Result')).toBe('OK');
    });

    it('refuses a platform that is not a configured upper', async () => {
      const transport = new SipTransport({ host: '127.0.0.1', port: 0 });
      await transport.listen();
      const stranger = new SipEndpoint(transport, { localId: '34990000002000000001', contactHost: '127.0.0.1', timers: { T1: 100, T2: 400 } });
      try {
        const res = await stranger.send(stranger.buildRequest({ method: 'MESSAGE', uri: `sip:${LOWER}@127.0.0.1:${cascade.port}`, to: LOWER, remote: { transport: 'UDP', address: '127.0.0.1', port: cascade.port }, body: buildManscdp('Query', 'Catalog', 1, LOWER) }), { transport: 'UDP', address: '127.0.0.1', port: cascade.port });
        expect(res.status).toBe(403);
      } finally {
        stranger.close();
        await transport.close();
      }
    });

    it('registers again when the upper stops knowing it (keepalives refused)', async () => {
      const before = upper.registrations.length;
      const states: string[] = [];
      cascade.links.get(UPPER)!.on('state', (s) => states.push(s));
      upper.forget = true;
      await until(() => states.includes('failed'), 'the link to notice');
      upper.forget = false;
      await until(() => upper.registrations.length > before && cascade.links.get(UPPER)!.state === 'registered', 'registering again');
      expect(states).toEqual(expect.arrayContaining(['failed', 'registering', 'registered']));
    });

    it('a revoked share leaves the catalog at once, and a subscriber hears DEL', async () => {
      expect(await upper.subscribeCatalog(LOWER)).toBe(200);
      const heard = new Promise<{ m: import('../../src/media/sip/manscdp.js').ManscdpMessage; h: { event?: string; state?: string } }>((r) => upper.once('notify', (m, h) => r({ m, h })));
      await t.shares.revoke(head, shareId, '协议终止');
      const { m, h } = await heard;
      expect(h.event).toBe('Catalog');
      expect(h.state).toMatch(/^active;expires=\d+$/);
      const dels = children(children(m.element, 'DeviceList')[0], 'Item');
      expect(dels.map((i) => [childText(i, 'DeviceID'), childText(i, 'Event')]).sort()).toEqual([...shared].sort().map((g) => [g, 'DEL']));
      const [answer] = await upper.query(LOWER, 'Catalog');
      expect(childText(answer!.element, 'SumNum')).toBe('0');
      expect(children(children(answer!.element, 'DeviceList')[0], 'Item')).toEqual([]);
      // A new share is announced to the subscriber (ADD, the full item) and registered as a disclosure.
      const added = new Promise<import('../../src/media/sip/manscdp.js').ManscdpMessage>((r) => upper.once('notify', (m) => r(m)));
      await t.shares.grant(head, {
        organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, rights: ['catalog'], cameraIds: [w.camA], groupIds: [],
        validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕18号',
      });
      const items = children(children((await added).element, 'DeviceList')[0], 'Item');
      expect(items.map((i) => [childText(i, 'DeviceID'), childText(i, 'Event'), childText(i, 'ParentID')])).toEqual([['34010400001320000001', 'ADD', LOWER]]);
      await t.audit.chainPending();
      expect((await t.audit.search({ action: 'registry_view', outcome: 'success', limit: 100 })).items.map((e) => e.target)).toContain('catalog notification (1 channels added)');
    });

    it('a channel\'s CivilCode is the same in the catalog answer and in a NOTIFY ADD or UPDATE: its region\'s code', async () => {
      // The region's code (包河区) differs from the ID's first 6 digits (340104), so the two rules cannot agree by chance.
      await t.repos.organisations.update(w.districtA, { regionCode: '340111' }, t.clock.now());
      const notifies: import('../../src/media/sip/manscdp.js').ManscdpMessage[] = [];
      const listen = (m: import('../../src/media/sip/manscdp.js').ManscdpMessage) => void notifies.push(m);
      upper.on('notify', listen);
      const itemsOf = (m: import('../../src/media/sip/manscdp.js').ManscdpMessage) => children(children(m.element, 'DeviceList')[0], 'Item');
      // The region's new code is a change of the channel already announced: UPDATE, with the full item.
      await until(() => notifies.some((m) => itemsOf(m).some((i) => childText(i, 'Event') === 'UPDATE')), 'the UPDATE for the new region code');
      const update = notifies.flatMap(itemsOf).find((i) => childText(i, 'Event') === 'UPDATE')!;
      expect([childText(update, 'DeviceID'), childText(update, 'CivilCode'), childText(update, 'Name')]).toEqual(['34010400001320000001', '340111', 'cam 01']);
      // A camera new to the region, shared while the upper listens: ADD, with the same rule.
      const base = (await t.repos.cameras.get(w.camA))!;
      const fresh = (await t.repos.cameras.insert({ ...base, gbId: '34010400001320000004', name: '校门 4' }, t.clock.now())).id;
      await t.shares.grant(head, {
        organisationId: w.districtA, recipient: { kind: 'platform', ref: UPPER }, rights: ['catalog'], cameraIds: [fresh], groupIds: [],
        validFrom: t.clock.now() - 1000, validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕19号',
      });
      await until(() => notifies.some((m) => itemsOf(m).some((i) => childText(i, 'Event') === 'ADD')), 'the ADD of the new camera');
      const add = notifies.flatMap(itemsOf).find((i) => childText(i, 'Event') === 'ADD')!;
      expect([childText(add, 'DeviceID'), childText(add, 'CivilCode')]).toEqual(['34010400001320000004', '340111']);
      // The catalog answer says the same of both.
      const answer = await upper.query(LOWER, 'Catalog', LOWER, (msgs) => msgs.reduce((n, m) => n + itemsOf(m).length, 0) >= 2);
      const civil = Object.fromEntries(answer.flatMap(itemsOf).map((i) => [childText(i, 'DeviceID'), childText(i, 'CivilCode')]));
      expect(civil).toEqual({ '34010400001320000001': '340111', '34010400001320000004': '340111' });
      // A camera renamed in the registry reaches the upper as UPDATE, and is registered as a disclosure.
      const before = notifies.length;
      await t.repos.cameras.update(w.camA, { ...(await t.repos.cameras.get(w.camA))!, name: '校门 1 (东)' } as never, t.clock.now());
      await until(() => notifies.slice(before).some((m) => itemsOf(m).some((i) => childText(i, 'Name') === '校门 1 (东)' && childText(i, 'Event') === 'UPDATE')), 'the UPDATE for the renamed camera');
      upper.off('notify', listen);
      await t.audit.chainPending();
      expect((await t.audit.search({ action: 'registry_view', outcome: 'success', limit: 100 })).items.map((e) => e.target)).toContain('catalog notification (0 channels added, 1 updated)');
    });
  });
}
