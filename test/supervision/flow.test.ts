// The whole lifecycle through the API, on both databases: build a government system, meet the
// acceptance refusal with its articles, accept, go into service, file (and see a legacy system
// listed overdue), the police receive and visit, inspect, find a retention shortfall computed
// from the recorder's index, order rectification, see penalties refused outside their articles,
// correct, follow up and close; the compliance report, a complaint, and coverage after relocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';
import { person, signIn, type Client } from '../support/auth.js';
import { PDF } from '../access/fixtures.js';
import { dayPeriodEnd } from '../../src/domain/legal-deadline.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Footage of one camera from `from` to `to` in the recording index, as the recorder writes it. */
async function recorded(t: TestApp, cameraId: number, from: number, to: number) {
  const file = await t.repos.recordings.createFile({ cameraId, path: `c${cameraId}/${from}.mp4`, codec: 'avc1', width: 640, height: 360, initSize: 700, startedAt: from });
  await t.repos.recordings.commit({
    fragments: [{ fileId: file.id, cameraId, seq: 0, byteOffset: 700, size: 100, startMs: from, endMs: to, keyframe: true, samples: 25, sha256: '0'.repeat(64) }],
    fileProgress: [{ fileId: file.id, endedAt: to, bytes: 800, closed: true }],
    events: [],
  });
}

for (const dialect of DIALECTS) {
  describe(`lifecycle and supervision through the API on ${dialect}`, () => {
    let t: TestApp;
    let city: number;
    let district: number;
    let school: number;
    let maintainer: number;
    let category: string;
    let unitAdmin: Client;
    let police: Client;
    let gb = 0;
    const api = async (c: Client | null, method: string, url: string, payload?: unknown, headers?: Record<string, string>) => {
      const o = { method: method as 'GET', url: `/api/v1${url}`, payload: payload as string, headers };
      return c ? c.inject(o) : t.app.inject(o);
    };
    const camera = async (status: 'planned' | 'in_service') =>
      (await api(null, 'POST', '/cameras', {
        gbId: `3401040000132${String(++gb).padStart(7, '0')}`, name: `cam ${gb}`, deviceType: 'dome', address: '1 长江路', placeCategory: category, keyPosition: true,
        regionId: district, ownerUnitId: school, userUnitId: school, maintainerUnitId: maintainer, funding: 'government', signage: true, status, ...(status === 'in_service' ? { inServiceDate: '2026-01-01' } : {}),
      })).json().id as number;
    const resign = async () => {
      unitAdmin = await signIn(t, unitAdmin.person);
      police = await signIn(t, police.person);
    };

    beforeAll(async () => {
      t = await testApp(dialect, 'national');
      const org = async (body: object) => (await api(null, 'POST', '/organisations', body)).json().id as number;
      city = await org({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100', profileId: 'anhui' });
      district = await org({ kind: 'platform', name: '蜀山区', level: 'district', parentId: city });
      school = await org({ kind: 'unit', name: '第一中学', unitRoles: ['user', 'managing'], parentId: district });
      maintainer = await org({ kind: 'unit', name: '维保公司', unitRoles: ['maintainer'], parentId: district });
      category = t.rules.mandatoryCategories('anhui')[0]!.id;
      unitAdmin = await signIn(t, await person(t, 'school-admin', [['unit_administrator', school]]));
      police = await signIn(t, await person(t, 'police', [['supervisor', city]], { workId: 'P001' }));
    }, 60_000);
    afterAll(() => t.close());

    it('build, accept, file, inspect, find a shortfall, order rectification, close it', async () => {
      // Build: a government system at the school, maintained by another unit.
      let res = await api(unitAdmin, 'POST', '/systems', { name: '校园监控', regionId: district, funding: 'government', userUnitId: school, managingUnitId: school, maintainerUnitId: maintainer });
      expect(res.statusCode, res.body).toBe(201);
      const sys = res.json();
      expect(sys).toMatchObject({ state: 'building', profileId: 'anhui', acceptanceRequirement: { required: true, articles: ['AH-13'] } });
      const cam = await camera('planned');
      res = await api(unitAdmin, 'POST', `/systems/${sys.id}/cameras`, { add: [cam] });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().cameras[0]).toMatchObject({ id: cam, inService: false, block: { articles: ['AH-13'] } });

      // A camera already recorded as in service cannot join a system that has not passed.
      const live = await camera('in_service');
      res = await api(unitAdmin, 'POST', `/systems/${sys.id}/cameras`, { add: [live] });
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'NOT_ACCEPTED', articles: ['AH-13'] });

      // Nor can the registry record the system's own camera as in service behind its back.
      res = await api(null, 'PATCH', `/cameras/${cam}`, { status: 'in_service', inServiceDate: '2026-10-30' });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'NOT_ACCEPTED', articles: ['AH-13'], details: [{ path: 'status' }] });
      expect(res.json().error.message).toContain(`system "校园监控" (${sys.id}) has not passed acceptance`);
      expect((await api(null, 'GET', `/cameras/${cam}`)).json()).toMatchObject({ status: 'planned' });
      // A camera outside any system is the registry's alone.
      const outside = await camera('planned');
      res = await api(null, 'PATCH', `/cameras/${outside}`, { status: 'in_service', inServiceDate: '2026-10-30' });
      expect(res.statusCode, res.body).toBe(200);

      // Not into service before acceptance: refused, with the articles, and registered.
      res = await api(unitAdmin, 'POST', `/systems/${sys.id}/in-service`, { at: t.clock.now() });
      expect(res.statusCode).toBe(422);
      expect(res.json().error.articles).toEqual(['AH-13']);
      expect(res.json().error.message).toMatch(/not passed acceptance/);
      const refused = (await t.repos.audit.search({ outcome: 'refused', limit: 50, order: 'desc' })).find((e) => e.target === `system:${sys.id} in-service`);
      expect(refused).toBeDefined();

      // Filing before the documents exist is refused, citing the filing article.
      res = await api(unitAdmin, 'POST', `/systems/${sys.id}/filings`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.articles).toEqual(['AH-13¶2']);
      for (const purpose of ['design-plan', 'test-report', 'acceptance']) {
        res = await api(unitAdmin, 'PUT', `/systems/${sys.id}/documents?purpose=${purpose}&title=${purpose}`, PDF, { 'content-type': 'application/pdf' });
        expect(res.statusCode, res.body).toBe(201);
      }
      expect(res.json().sha256).toMatch(/^[0-9a-f]{64}$/);

      // Acceptance, organised by the government with the police taking part.
      res = await api(police, 'POST', `/systems/${sys.id}/acceptance`, { at: t.clock.now() - DAY, result: 'passed', organisedBy: '蜀山区人民政府', note: '' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().serviceBlock).toBeNull();
      const inServiceAt = t.clock.now();
      res = await api(unitAdmin, 'POST', `/systems/${sys.id}/in-service`, { at: inServiceAt });
      expect(res.statusCode, res.body).toBe(200);
      // A government-built system is accepted by the government, not filed: AH-13 ¶2 files only the
      // systems a place's own unit builds (AH-9 ¶2). The old test expected a deadline here.
      expect(res.json()).toMatchObject({ state: 'in_service', filing: { deadline: { dueAt: null, days: null, article: 'AH-13¶2' } } });
      expect(res.json().filing.deadline.basis).toMatch(/government-built system is not filed/);
      expect((await api(null, 'GET', `/cameras/${cam}`)).json()).toMatchObject({ status: 'in_service' });

      // Filed all the same (nothing forbids it): hashed documents, device types and point distribution.
      t.clock.advance(3 * DAY);
      await resign();
      res = await api(unitAdmin, 'POST', `/systems/${sys.id}/filings`);
      expect(res.statusCode, res.body).toBe(201);
      const filing = res.json();
      expect(filing).toMatchObject({ inTime: true, deadlineArticle: 'AH-13¶2', deviceTypes: [{ deviceType: 'dome', count: 1 }] });
      expect(filing.points.map((p: { cameraId: number }) => p.cameraId)).toEqual([cam]);
      expect(filing.documents.map((d: { purpose: string }) => d.purpose).sort()).toEqual(['acceptance', 'design-plan', 'test-report']);

      // A system built before the rules and never filed: 60 days from the rules (AH-13), listed overdue for the police.
      res = await api(unitAdmin, 'POST', '/systems', { name: '旧系统', regionId: district, funding: 'self', userUnitId: school, builtBeforeRules: true, rulesEffectiveAt: t.clock.now() - 70 * DAY });
      const legacy = res.json();
      res = await api(police, 'GET', '/filings?state=overdue');
      expect(res.json().items.map((i: { systemId: number }) => i.systemId)).toEqual([legacy.id]);
      expect(res.json().items[0].deadline).toMatchObject({ days: 60, article: 'AH-13' });

      // The police receive the filing and visit within 30 days (AH-13).
      res = await api(police, 'POST', `/filings/${filing.id}/receive`);
      expect(res.json()).toMatchObject({ visitDueAt: dayPeriodEnd(t.clock.now(), 30), visitArticle: 'AH-13', visitState: 'due' });
      t.clock.advance(5 * DAY);
      await resign();
      res = await api(police, 'POST', `/filings/${filing.id}/visit`, { at: t.clock.now(), note: '实地查看' });
      expect(res.json()).toMatchObject({ visitState: 'visited' });

      // Forty days on, the recorder holds only the last ten days of footage.
      t.clock.advance(32 * DAY);
      await resign();
      const now = t.clock.now();
      await recorded(t, cam, now - 10 * DAY, now);
      res = await api(police, 'POST', '/inspections', { unitId: school });
      expect(res.statusCode, res.body).toBe(201);
      let ins = res.json();
      const item = (key: string) => ins.checklist.find((i: { key: string }) => i.key === key);
      expect(item('acceptance')).toMatchObject({ status: 'pass' });
      expect(item('retention')).toMatchObject({ status: 'fail', articles: ['AH-17(3)'] });
      // The school's other cameras have no footage at all: the system's second one, and the one put in
      // service outside any system (a status-only PATCH keeps its unit: issue 15 fixed a reset).
      expect(item('retention').problems.map((p: { id: number }) => p.id)).toEqual([cam, live, outside]);
      expect(item('maintenanceContract')).toMatchObject({ status: 'fail', articles: ['AH-16(2)'] });
      expect(item('goodRate')).toMatchObject({ status: 'not-measured' });
      expect(item('training')).toMatchObject({ status: 'to-observe' });

      // The school cannot inspect itself; the police find the shortfall and order it corrected.
      expect((await api(unitAdmin, 'POST', '/inspections', { unitId: school })).statusCode).toBe(403);
      res = await api(police, 'POST', `/inspections/${ins.id}/findings`, { itemKey: 'retention', description: '录像仅保存10日' });
      expect(res.statusCode, res.body).toBe(201);
      ins = res.json();
      expect(ins.findings[0]).toMatchObject({ itemKey: 'retention', articles: ['AH-17(3)'] });
      const dueAt = t.clock.now() + 15 * DAY;
      res = await api(police, 'POST', `/inspections/${ins.id}/rectifications`, { findingIds: [ins.findings[0].id], dueAt, requirement: '存储不少于30日' });
      expect(res.statusCode, res.body).toBe(201);
      const order = res.json();
      expect(order).toMatchObject({ state: 'open', overdue: false, articles: ['AH-17(3)'] });
      expect((await api(unitAdmin, 'GET', '/rectifications')).json().items.map((o: { id: number }) => o.id)).toEqual([order.id]);

      // Penalties only within AH-24: not before the deadline, never outside ¥2,000–10,000.
      const penalty = (body: object) => api(police, 'POST', `/inspections/${ins.id}/penalties`, { article: 'AH-24', payer: 'unit', note: '', rectificationId: order.id, ...body });
      res = await penalty({ amountYuan: 5_000 });
      expect(res.statusCode).toBe(422);
      expect(res.json().error).toMatchObject({ code: 'RULE_REFUSED', articles: ['AH-24'] });
      expect(res.json().error.message).toMatch(/deadline has not passed/);
      res = await penalty({ amountYuan: 50_000 });
      expect(res.json().error.message).toMatch(/outside what AH-24 allows/);

      // The school corrects (footage now reaches back 30 days) and reports; the police verify.
      await recorded(t, cam, now - 31 * DAY, now - 10 * DAY);
      await recorded(t, live, now - 31 * DAY, now);
      await recorded(t, outside, now - 31 * DAY, now);
      t.clock.advance(2 * DAY);
      await resign();
      res = await api(unitAdmin, 'POST', `/rectifications/${order.id}/report`, { note: '已扩容存储' });
      expect(res.json()).toMatchObject({ state: 'reported' });
      res = await api(police, 'POST', `/inspections/${ins.id}/evaluate`);
      expect(res.json().checklist.find((i: { key: string }) => i.key === 'retention')).toMatchObject({ status: 'pass' });
      res = await api(police, 'POST', `/rectifications/${order.id}/follow-up`, { corrected: true, note: '复查合格' });
      expect(res.json()).toMatchObject({ state: 'closed', correctedInTime: true, overdue: false });
      expect((await api(unitAdmin, 'GET', '/rectifications')).json().items).toEqual([]);
      // Complied with in time: no fine may follow, even after the deadline.
      t.clock.advance(20 * DAY);
      await resign();
      res = await penalty({ amountYuan: 5_000 });
      expect(res.json().error.message).toMatch(/complied with in time/);
      res = await api(police, 'POST', `/inspections/${ins.id}/close`);
      expect(res.json().state).toBe('closed');

      // The compliance dashboard: the legacy filing overdue, no open orders; CSV and PDF in both languages.
      res = await api(police, 'GET', '/compliance');
      const row = res.json().regions.find((r: { regionId: number }) => r.regionId === district);
      expect(row).toMatchObject({ profileId: 'anhui', filings: { systems: 2, filed: 1, overdue: 1, article: 'AH-13' }, rectifications: { open: 0 }, goodRate: null });
      res = await api(police, 'GET', '/compliance/export.csv?lang=en');
      expect(res.headers['content-type']).toMatch(/text\/csv/);
      expect(res.body).toContain('Filings (filed/due/overdue)');
      expect(res.body).toContain('1/0/1 (AH-13)');
      expect((await api(police, 'GET', '/compliance/export.csv?lang=zh')).body).toContain('备案（已备/应备/逾期）');
      res = await api(police, 'GET', '/compliance/export.pdf?lang=zh');
      expect(res.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');

      // The archive holds the documents by category; reading it is registered.
      res = await api(unitAdmin, 'POST', `/systems/${sys.id}/archive/parties`, { role: 'builder', firm: '安防工程有限公司', licence: '皖安技防-001', technicians: [{ name: '张工', qualification: '高级工程师' }] });
      expect(res.statusCode).toBe(201);
      res = await api(police, 'GET', `/systems/${sys.id}/archive`);
      expect(res.json()).toMatchObject({ articles: ['CN799-11'], parties: [{ firm: '安防工程有限公司' }] });
      expect(res.json().categories.find((c: { category: string }) => c.category === 'acceptance').documents).toHaveLength(2);
    }, 120_000);

    it('a complaint from anyone reaches the supervisors of its region', async () => {
      const res = await t.raw.inject({ method: 'POST', url: '/api/v1/complaints', payload: { regionId: district, about: '指定品牌', text: '民警要求使用指定品牌的摄像机' } });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json().articles).toEqual(['CN799-25']);
      const items = (await api(police, 'GET', '/complaints')).json().items;
      expect(items.map((c: { id: number }) => c.id)).toContain(res.json().id);
      expect((await api(unitAdmin, 'GET', '/complaints')).statusCode).toBe(403);
    });

    it('a complaint naming no region reaches the supervisors of every region, who may handle it (issue 20)', async () => {
      const res = await t.raw.inject({ method: 'POST', url: '/api/v1/complaints', payload: { about: '态度恶劣', text: '检查人员态度恶劣，未出示证件' } });
      expect(res.statusCode, res.body).toBe(201);
      const id = res.json().id as number;
      const items = (await api(police, 'GET', '/complaints')).json().items as { id: number; regionId: number | null }[];
      expect(items.find((c) => c.id === id)).toMatchObject({ regionId: null });
      const handled = await api(police, 'POST', `/complaints/${id}/handle`, { outcome: '已约谈检查人员' });
      expect(handled.statusCode, handled.body).toBe(200);
      expect(handled.json()).toMatchObject({ state: 'handled', outcome: '已约谈检查人员' });
      expect((await api(unitAdmin, 'GET', '/complaints')).statusCode).toBe(403);
    });

    it('documents what each supervision route gives back in /openapi.json', async () => {
      const doc = (await t.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { responses: Record<string, { content?: { 'application/json': { schema: Record<string, unknown> } } }> }>> };
      const fields = (path: string, method: string, status: string) => {
        const schema = doc.paths[path]![method]!.responses[status]!.content!['application/json'].schema as { properties?: Record<string, unknown>; $ref?: string };
        return Object.keys(schema.properties ?? {}).sort();
      };
      expect(fields('/api/v1/systems/{id}', 'get', '200')).toEqual(expect.arrayContaining(['serviceBlock', 'acceptanceRequirement', 'cameras', 'documents', 'filing']));
      expect(fields('/api/v1/systems', 'post', '201')).toContain('serviceBlock');
      expect(fields('/api/v1/systems/{id}/archive', 'get', '200')).toEqual(['articles', 'categories', 'parties', 'systemId']);
      expect(fields('/api/v1/systems/{id}/relocations', 'post', '201')).toEqual(expect.arrayContaining(['inTime', 'noticeArticle', 'coverage', 'disposition']));
      expect(fields('/api/v1/systems/{id}/filings', 'post', '201')).toEqual(expect.arrayContaining(['deadlineArticle', 'deviceTypes', 'points', 'visitState']));
      expect(fields('/api/v1/filings', 'get', '200')).toEqual(['items']);
      expect(fields('/api/v1/inspections/{id}', 'get', '200')).toEqual(expect.arrayContaining(['checklist', 'findings', 'rectifications', 'penalties']));
      expect(fields('/api/v1/inspections/{id}/penalties', 'post', '201')).toEqual(expect.arrayContaining(['article', 'payer', 'amountYuan']));
      expect(fields('/api/v1/rectifications/{id}/report', 'post', '200')).toEqual(expect.arrayContaining(['dueAt', 'overdue', 'correctedInTime']));
      expect(fields('/api/v1/compliance', 'get', '200')).toEqual(['generatedAt', 'regions']);
      expect(fields('/api/v1/complaints', 'post', '201')).toEqual(['articles', 'id', 'receivedAt']);
    });

    it('relocation: notice checked against the profile, coverage back judged from the recorder (Harbin: 24 h, HRB-19)', async () => {
      const org = async (body: object) => (await api(null, 'POST', '/organisations', body)).json().id as number;
      const hrb = await org({ kind: 'platform', name: '哈尔滨市', level: 'city', regionCode: '230100', profileId: 'harbin' });
      const hospital = await org({ kind: 'unit', name: '第二医院', unitRoles: ['user'], parentId: hrb });
      const cat = t.rules.mandatoryCategories('harbin')[0]!.id;
      const cam = (await api(null, 'POST', '/cameras', {
        gbId: '23010200001320000077', name: 'gate', deviceType: 'fixed', address: 'x', placeCategory: cat, keyPosition: true, regionId: hrb, userUnitId: hospital, funding: 'self', signage: true, status: 'planned',
      })).json().id as number;
      const sys = (await api(null, 'POST', '/systems', { name: '医院监控', regionId: hrb, funding: 'self', userUnitId: hospital })).json();
      await api(null, 'POST', `/systems/${sys.id}/cameras`, { add: [cam] });
      // Too late: 20 days' notice where HRB-19 asks 30; recorded all the same, flagged.
      let res = await api(null, 'POST', `/systems/${sys.id}/relocations`, { kind: 'relocation', cameraIds: [cam], plannedAt: t.clock.now() + 20 * DAY, plan: '立杆迁移' });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({ inTime: false, noticeDays: 30, noticeArticle: 'HRB-19' });
      res = await api(null, 'POST', `/systems/${sys.id}/relocations`, { kind: 'relocation', cameraIds: [cam], plannedAt: t.clock.now() + 31 * DAY, plan: '立杆迁移' });
      const notice = res.json();
      expect(notice.inTime).toBe(true);
      const works = t.clock.now();
      res = await api(null, 'POST', `/relocations/${notice.id}/works`, { at: works });
      expect(res.json().coverage).toMatchObject({ state: 'pending', dueAt: works + 24 * HOUR, article: 'HRB-19', restoredAt: null });
      t.clock.advance(30 * HOUR);
      expect((await api(null, 'GET', `/systems/${sys.id}/relocations`)).json().items[1].coverage.state).toBe('overdue');
      await recorded(t, cam, works + 26 * HOUR, works + 27 * HOUR);
      expect((await api(null, 'GET', `/systems/${sys.id}/relocations`)).json().items[1].coverage).toMatchObject({ state: 'restored-late', restoredAt: works + 26 * HOUR });
      res = await api(null, 'POST', `/relocations/${notice.id}/disposition`, { disposition: 'moved-to-replacement', note: '' });
      expect(res.json().disposition).toBe('moved-to-replacement');
    });
  });
}
