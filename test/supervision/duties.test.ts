// Duties nothing recorded before (issue 17 item 9) and privacy places in inspections (item 2),
// per profile on both dialects, with the test app's clock: design review before the works,
// qualifications in the archive, emergency plans and security checks, training records, an
// obstructed view as a finding with its work order, and the appeal statement on a penalty.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import type { ChecklistItem } from '../../src/supervision/checklist.js';
import { DIALECTS } from '../support/databases.js';
import { testApp, type TestApp } from '../support/app.js';

const DAY = 86_400_000;

for (const dialect of DIALECTS) {
  describe(`duties an inspection reads, per profile, on ${dialect}`, () => {
    let t: TestApp;
    const admin = () => new Actor({ userId: t.adminId, login: 'admin', displayName: 'admin', workId: null, organisationId: null, grants: [{ id: 0, role: 'system_administrator', organisationId: null, path: '' }] });
    const police = () => new Actor({ userId: t.adminId, login: 'police', displayName: 'police', workId: null, organisationId: null, grants: [{ id: 0, role: 'supervisor', organisationId: null, path: '' }] });
    const places = new Map<string, { district: number; unit: number; camera: number }>();
    let cams = 0;

    const place = async (profileId: string, regionCode: string) => {
      const orgs = t.registry.organisations;
      const city = (await orgs.create({ kind: 'platform', name: `${profileId} 市`, level: 'city', regionCode, profileId })).id;
      const district = (await orgs.create({ kind: 'platform', name: `${profileId} 区`, level: 'district', parentId: city })).id;
      const unit = (await orgs.create({ kind: 'unit', name: `${profileId} 单位`, unitRoles: ['builder', 'user'], parentId: district })).id;
      const category = t.rules.mandatoryCategories('anhui')[0]!.id;
      const camera = (await t.registry.cameras.register({
        gbId: `${regionCode}00001320${String(++cams).padStart(6, '0')}`, name: `cam ${profileId}`, deviceType: 'fixed', longitude: 120, latitude: 30, address: '1 路', directionDeg: 0, fovDeg: 60,
        placeCategory: category, keyPosition: false, regionId: district, ownerUnitId: unit, userUnitId: unit, managingUnitId: null, maintainerUnitId: null, funding: 'self', signage: true,
        inServiceDate: null, status: 'planned', sourceUrl: null,
      } as never)).id;
      places.set(profileId, { district, unit, camera });
    };
    const sup = () => t.supervision;
    const system = async (profileId: string, name: string) => {
      const p = places.get(profileId)!;
      return (await sup().systems.create(admin(), { name, regionId: p.district, funding: 'self', builderUnitId: p.unit, userUnitId: p.unit })).id;
    };
    const itemOf = (checklist: ChecklistItem[], key: ChecklistItem['key']) => checklist.find((i) => i.key === key)!;

    beforeAll(async () => {
      t = await testApp(dialect);
      await place('anhui', '340100');
      await place('harbin', '230100');
      await place('weihai', '371000');
      await place('national', '110100');
    }, 60_000);
    afterAll(() => t.close());

    it('fails a design not reviewed, or reviewed only after the works, citing the profile\'s articles and its penalty', async () => {
      const expected: Record<string, string[]> = { anhui: ['AH-11', 'CN799-11', 'AH-24(2)'], harbin: ['HRB-12', 'CN799-11'], weihai: ['WH-10', 'WH-15', 'CN799-11'], national: ['CN799-11'] };
      for (const [profileId, articles] of Object.entries(expected)) {
        const { unit } = places.get(profileId)!;
        const before = await system(profileId, `${profileId} reviewed`);
        await sup().dutyRecords.record(admin(), { kind: 'design-review', unitId: unit, systemId: before, title: '设计方案专家论证', heldAt: t.clock.now() - 30 * DAY, participants: '专家组 5 人' });
        await sup().systems.recordAcceptance(admin(), before, { at: t.clock.now() - DAY, result: 'passed', organisedBy: 'builder', note: '' });
        const late = await system(profileId, `${profileId} late`);
        await sup().systems.recordAcceptance(admin(), late, { at: t.clock.now() - 20 * DAY, result: 'passed', organisedBy: 'builder', note: '' });
        await sup().dutyRecords.record(admin(), { kind: 'design-review', unitId: unit, systemId: late, title: '补做论证', heldAt: t.clock.now() - 2 * DAY });
        const none = await system(profileId, `${profileId} none`);
        const review = itemOf((await sup().inspections.start(police(), unit)).checklist, 'designReview');
        expect(review.articles, profileId).toEqual(articles);
        expect(review.status).toBe('fail');
        expect(review.problems.map((p) => [p.id, p.problem.replace(/ \(.*$/, '')])).toEqual([
          [late, 'design reviewed only after the works'],
          [none, 'no design review recorded'],
        ]);
      }
    });

    it('refuses a duty record that cannot be true, naming the field', async () => {
      const { unit } = places.get('anhui')!;
      await expect(sup().dutyRecords.record(admin(), { kind: 'design-review', unitId: unit, title: '论证', heldAt: t.clock.now() - DAY })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'systemId' }] });
      await expect(sup().dutyRecords.record(admin(), { kind: 'training', unitId: unit, title: '培训', heldAt: t.clock.now() + DAY })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'heldAt' }] });
      await expect(sup().dutyRecords.record(admin(), { kind: 'duty-roster', unitId: unit, title: '排班', heldAt: t.clock.now() - DAY, validUntil: t.clock.now() - 2 * DAY })).rejects.toMatchObject({ details: [{ path: 'validUntil' }] });
      // Someone who does not run the unit may not record for it.
      await expect(sup().dutyRecords.record(police(), { kind: 'training', unitId: unit, title: '培训', heldAt: t.clock.now() - DAY })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    });

    it('reads designers\' and installers\' qualifications from the archive where the profile asks (WH-12/13, HRB-14)', async () => {
      for (const [profileId, articles] of [['weihai', ['WH-12', 'WH-13']], ['harbin', ['HRB-14']]] as const) {
        const { unit } = places.get(profileId)!;
        const s = await system(profileId, `${profileId} qualified`);
        await sup().archive.addParty(admin(), s, { role: 'designer', firm: '设计院', licence: '安防设计一级 A-001', technicians: [] });
        const q = itemOf((await sup().inspections.start(police(), unit)).checklist, 'qualifications');
        expect(q.articles).toEqual(articles);
        // The new system names its designer but no installer; the earlier ones name neither.
        expect(q.problems.filter((p) => p.id === s).map((p) => p.problem)).toEqual([`the archive names no installer with its qualification (${articles.join(', ')})`]);
        await sup().archive.addParty(admin(), s, { role: 'builder', firm: '工程公司', licence: '安防施工二级 B-002', technicians: [] });
        const again = itemOf((await sup().inspections.start(police(), unit)).checklist, 'qualifications');
        expect(again.problems.filter((p) => p.id === s)).toEqual([]);
      }
      // Anhui's texts and Decree 799 set no qualification duty: not applicable, not failed.
      expect(itemOf((await sup().inspections.start(police(), places.get('anhui')!.unit)).checklist, 'qualifications')).toMatchObject({ status: 'not-applicable', articles: [] });
    });

    it('passes an emergency plan and training only while a record is in force, with the profile\'s articles', async () => {
      const { unit } = places.get('anhui')!;
      const first = (await sup().inspections.start(police(), unit)).checklist;
      expect(itemOf(first, 'emergencyPlan')).toMatchObject({ status: 'fail', articles: ['AH-16(1)'] });
      expect(itemOf(first, 'training')).toMatchObject({ status: 'to-observe' });
      await sup().dutyRecords.record(admin(), { kind: 'emergency-plan', unitId: unit, title: '视频系统应急处置预案', heldAt: t.clock.now() - 10 * DAY, validUntil: t.clock.now() + 5 * DAY });
      const training = await sup().dutyRecords.record(admin(), { kind: 'training', unitId: unit, title: '保密知识培训', heldAt: t.clock.now() - DAY, participants: '监看人员 12 人' });
      expect(training.articles).toEqual(['AH-17', 'CN799-16(1)']);
      const second = (await sup().inspections.start(police(), unit)).checklist;
      expect(itemOf(second, 'emergencyPlan')).toMatchObject({ status: 'pass', evidence: expect.stringContaining('视频系统应急处置预案') });
      expect(itemOf(second, 'training')).toMatchObject({ status: 'pass', evidence: expect.stringContaining('保密知识培训') });
      // Past its end the plan no longer counts.
      t.clock.advance(6 * DAY);
      expect(itemOf((await sup().inspections.start(police(), unit)).checklist, 'emergencyPlan').status).toBe('fail');
      // Decree 799 names no emergency plan: not applicable nationally.
      expect(itemOf((await sup().inspections.start(police(), places.get('national')!.unit)).checklist, 'emergencyPlan').status).toBe('not-applicable');
    });

    it('lists a camera in a privacy place as a finding of the inspection under every profile', async () => {
      for (const profileId of ['anhui', 'harbin', 'weihai', 'national']) {
        const { unit, camera } = places.get(profileId)!;
        expect(itemOf((await sup().inspections.start(police(), unit)).checklist, 'privacyPlaces').problems).toEqual([]);
        // Recorded before the catalogue knew better: the inspection must still see it.
        await sql`update cameras set place_category = 'nursing-rooms' where id = ${camera}`.execute(t.db.kysely);
        const privacy = itemOf((await sup().inspections.start(police(), unit)).checklist, 'privacyPlaces');
        expect(privacy.status, profileId).toBe('fail');
        expect(privacy.problems).toEqual([expect.objectContaining({ kind: 'camera', id: camera, problem: expect.stringContaining('CN799-8(3)') })]);
        await sql`update cameras set place_category = ${t.rules.mandatoryCategories('anhui')[0]!.id} where id = ${camera}`.execute(t.db.kysely);
      }
    });

    it('records an obstructed view as a finding citing the profile and opens the camera\'s work order once', async () => {
      const { unit, camera } = places.get('harbin')!;
      const inspection = (await sup().inspections.start(police(), unit)).id;
      const r = await sup().obstructions.report(police(), inspection, { cameraId: camera, by: 'tree', description: '行道树枝叶遮挡镜头' });
      expect(r).toMatchObject({ cameraId: camera, articles: ['HRB-11¶2', 'CN799-23(2)'], workOrderOpened: true });
      const view = await sup().inspections.get(police(), inspection);
      expect(view.findings).toEqual([expect.objectContaining({ id: r.findingId, itemKey: 'unobstructedView', articles: ['HRB-11¶2', 'CN799-23(2)'], description: expect.stringContaining('tree') })]);
      const order = await t.health.workOrders.get(r.workOrderId);
      expect(order).toMatchObject({ camera_id: camera, note: expect.stringContaining('行道树枝叶遮挡镜头') });
      const again = await sup().obstructions.report(police(), inspection, { cameraId: camera, by: 'sign', description: '广告牌' });
      expect(again).toMatchObject({ workOrderId: r.workOrderId, workOrderOpened: false });
      // A camera of another unit is refused.
      await expect(sup().obstructions.report(police(), inspection, { cameraId: places.get('anhui')!.camera, by: 'pipe', description: 'x' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it('states the appeal rights on every penalty decision, citing WH-29 where the profile says it', async () => {
      for (const [profileId, articles] of [['weihai', ['WH-29']], ['national', []]] as const) {
        const { unit } = places.get(profileId)!;
        const inspection = (await sup().inspections.start(police(), unit)).id;
        const p = await sup().inspections.penalty(police(), inspection, { article: 'CN799-27', payer: 'unit', amountYuan: 10_000, note: '' });
        expect(p.appeal.articles).toEqual(articles);
        expect(p.appeal.text.zh).toContain('行政复议');
        expect((await sup().inspections.get(police(), inspection)).penalties[0]!.appeal).toEqual(p.appeal);
      }
    });
  });
}
