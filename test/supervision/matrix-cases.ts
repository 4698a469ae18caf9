// The authorisation matrix's oracle for the lifecycle and supervision routes (issue 8), written by
// hand from the role descriptions: units (unit administrators, system administrators) run their
// systems; whoever may read basic information reads them; only the police's supervisor inspects,
// receives filings, follows up orders and records penalties; complaints are open to anyone and
// reach supervisors and auditors. Every object exists in the caller's own organisation and another.
import { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/permissions.js';
import type { TestApp } from '../support/app.js';
import { PDF, type World } from '../access/fixtures.js';

type Variant = 'own' | 'other';
interface Call { url: string; payload?: unknown; headers?: Record<string, string>; remoteAddress?: string }
interface Case { call(v: Variant): Promise<Call>; own: readonly Role[] | 'all'; other: readonly Role[] | 'all' }

const READERS: Role[] = ['unit_administrator', 'maintainer', 'supervisor', 'system_administrator'];
const MANAGERS: Role[] = ['unit_administrator', 'system_administrator'];
const POLICE: Role[] = ['supervisor'];
const NOBODY: Role[] = [];
const DAY = 86_400_000;

export function supervisionCases(get: () => { t: TestApp; w: World }): Record<string, Case> {
  let seq = 0;
  const admin = () => new Actor({ userId: get().t.adminId, login: 'test-admin', displayName: 'admin', workId: null, organisationId: null, grants: [{ id: 0, role: 'system_administrator', organisationId: null, path: '' }] });
  const police = () => new Actor({ userId: get().t.adminId, login: 'test-police', displayName: 'police', workId: null, organisationId: null, grants: [{ id: 0, role: 'supervisor', organisationId: null, path: '' }] });
  const sup = () => get().t.supervision;
  const district = (v: Variant) => (v === 'own' ? get().w.districtA : get().w.districtB);
  const unit = (v: Variant) => (v === 'own' ? get().w.unitA : get().w.unitB);
  const now = () => get().t.clock.now();

  const freshSystem = async (v: Variant, accepted = false) => {
    const s = await sup().systems.create(admin(), { name: `s${++seq}`, regionId: district(v), funding: 'self', userUnitId: unit(v) });
    if (accepted) await sup().systems.recordAcceptance(admin(), s.id, { at: now() - 1000, result: 'passed', organisedBy: 'builder', note: '' });
    return s.id;
  };
  /** A system ready to file: accepted, one camera, design plan, test and acceptance reports. */
  const filable = new Map<Variant, { system: number; camera: number; doc: number }>();
  const ready = async (v: Variant) => {
    const hit = filable.get(v);
    if (hit) return hit;
    const system = await freshSystem(v, true);
    const gbId = `${v === 'own' ? '340104' : '230102'}0000132${String(7_000_000 + ++seq).slice(-7)}`;
    const camera = (await get().t.registry.cameras.register({
      gbId, name: 'filed', deviceType: 'dome', longitude: null, latitude: null, address: 'a', directionDeg: null, fovDeg: null, placeCategory: get().w.category,
      keyPosition: false, regionId: district(v), ownerUnitId: unit(v), userUnitId: unit(v), managingUnitId: null, maintainerUnitId: null, funding: 'self', signage: true, inServiceDate: null, status: 'planned', sourceUrl: null,
    } as never)).id;
    await sup().systems.setCameras(admin(), system, { add: [camera] });
    let doc = 0;
    for (const purpose of ['design-plan', 'test-report', 'acceptance'] as const) doc = (await sup().systems.addDocument(admin(), system, { purpose, title: purpose }, PDF)).id;
    const r = { system, camera, doc };
    filable.set(v, r);
    return r;
  };
  const freshFiling = async (v: Variant, received = false) => {
    const f = await sup().filings.submit(admin(), (await ready(v)).system);
    if (received) await sup().filings.receive(police(), f.id);
    return f.id;
  };
  const freshNotice = async (v: Variant, disposed = false) => {
    const { system, camera } = await ready(v);
    const n = await sup().relocations.notice(admin(), system, { kind: 'relocation', cameraIds: [camera], plannedAt: now() + 40 * DAY, plan: 'replacement pole' });
    if (disposed) await sup().relocations.dispose(admin(), n.id, { disposition: 'kept-until-retention-ends', note: '' });
    return n.id;
  };
  const inspections = new Map<Variant, { inspection: number; finding: number }>();
  const freshInspection = async (v: Variant) => (await sup().inspections.start(police(), unit(v))).id;
  const inspection = async (v: Variant) => {
    const hit = inspections.get(v);
    if (hit) return hit;
    const id = await freshInspection(v);
    const finding = (await sup().inspections.addFinding(police(), id, { itemKey: 'signage', description: 'no sign at the gate' })).findings[0]!.id;
    const r = { inspection: id, finding };
    inspections.set(v, r);
    return r;
  };
  const freshOrder = async (v: Variant, reported = false) => {
    const { inspection: id, finding } = await inspection(v);
    const o = await sup().inspections.order(police(), id, { findingIds: [finding], dueAt: now() + 10 * DAY, requirement: 'put up signs' });
    if (reported) await sup().inspections.report(admin(), o.id, 'signs up');
    return o.id;
  };
  let complaintsSent = 0;
  const freshComplaint = async (v: Variant) => (await sup().complaints.submit({ regionId: district(v), about: 'conduct', text: 'an officer asked for a brand' }, null)).id;

  return {
    'GET /api/v1/systems': { call: async () => ({ url: '' }), own: READERS, other: READERS },
    'POST /api/v1/systems': { call: async (v) => ({ url: '', payload: { name: 'n', regionId: district(v), funding: 'self', userUnitId: unit(v) } }), own: MANAGERS, other: NOBODY },
    'GET /api/v1/systems/:id': { call: async (v) => ({ url: `/${(await ready(v)).system}` }), own: READERS, other: NOBODY },
    'POST /api/v1/systems/:id/cameras': { call: async (v) => ({ url: `/${(await ready(v)).system}/cameras`, payload: { remove: [] } }), own: MANAGERS, other: NOBODY },
    'PUT /api/v1/systems/:id/documents': {
      call: async (v) => ({ url: `/${(await ready(v)).system}/documents?purpose=archive&category=other&title=minutes`, payload: PDF, headers: { 'content-type': 'application/pdf' } }),
      own: MANAGERS,
      other: NOBODY,
    },
    'GET /api/v1/systems/:id/documents/:docId': { call: async (v) => ({ url: `/${(await ready(v)).system}/documents/${(await ready(v)).doc}` }), own: READERS, other: NOBODY },
    'POST /api/v1/systems/:id/acceptance': {
      call: async (v) => ({ url: `/${await freshSystem(v)}/acceptance`, payload: { at: now() - 1000, result: 'passed', organisedBy: 'builder', note: '' } }),
      own: ['unit_administrator', 'supervisor', 'system_administrator'],
      other: NOBODY,
    },
    'POST /api/v1/systems/:id/in-service': { call: async (v) => ({ url: `/${await freshSystem(v, true)}/in-service`, payload: { at: now() } }), own: MANAGERS, other: NOBODY },
    'GET /api/v1/systems/:id/archive': { call: async (v) => ({ url: `/${(await ready(v)).system}/archive` }), own: READERS, other: NOBODY },
    'POST /api/v1/systems/:id/archive/parties': {
      call: async (v) => ({ url: `/${(await ready(v)).system}/archive/parties`, payload: { role: 'builder', firm: 'f', licence: '', technicians: [{ name: 'w', qualification: 'q' }] } }),
      own: MANAGERS,
      other: NOBODY,
    },
    'POST /api/v1/systems/:id/filings': { call: async (v) => ({ url: `/${(await ready(v)).system}/filings` }), own: MANAGERS, other: NOBODY },
    'GET /api/v1/systems/:id/relocations': { call: async (v) => ({ url: `/${(await ready(v)).system}/relocations` }), own: READERS, other: NOBODY },
    'POST /api/v1/systems/:id/relocations': {
      call: async (v) => ({ url: `/${(await ready(v)).system}/relocations`, payload: { kind: 'relocation', cameraIds: [(await ready(v)).camera], plannedAt: now() + 40 * DAY, plan: 'p' } }),
      own: MANAGERS,
      other: NOBODY,
    },
    'POST /api/v1/relocations/:id/works': { call: async (v) => ({ url: `/${await freshNotice(v)}/works`, payload: { at: now() } }), own: MANAGERS, other: NOBODY },
    'POST /api/v1/relocations/:id/disposition': { call: async (v) => ({ url: `/${await freshNotice(v)}/disposition`, payload: { disposition: 'handed-to-police', note: '' } }), own: MANAGERS, other: NOBODY },
    'POST /api/v1/relocations/:id/supervise': { call: async (v) => ({ url: `/${await freshNotice(v, true)}/supervise` }), own: POLICE, other: NOBODY },
    'GET /api/v1/filings': { call: async () => ({ url: '' }), own: READERS, other: READERS },
    'GET /api/v1/filings/:id': { call: async (v) => ({ url: `/${await freshFiling(v)}` }), own: READERS, other: NOBODY },
    'POST /api/v1/filings/:id/receive': { call: async (v) => ({ url: `/${await freshFiling(v)}/receive` }), own: POLICE, other: NOBODY },
    'POST /api/v1/filings/:id/visit': { call: async (v) => ({ url: `/${await freshFiling(v, true)}/visit`, payload: { at: now(), note: 'seen' } }), own: POLICE, other: NOBODY },
    'GET /api/v1/inspections': { call: async () => ({ url: '' }), own: READERS, other: READERS },
    'POST /api/v1/inspections': { call: async (v) => ({ url: '', payload: { unitId: unit(v) } }), own: POLICE, other: NOBODY },
    'GET /api/v1/inspections/:id': { call: async (v) => ({ url: `/${(await inspection(v)).inspection}` }), own: READERS, other: NOBODY },
    'POST /api/v1/inspections/:id/observations': { call: async (v) => ({ url: `/${(await inspection(v)).inspection}/observations`, payload: { key: 'training', ok: true, note: 'records seen' } }), own: POLICE, other: NOBODY },
    'POST /api/v1/inspections/:id/evaluate': { call: async (v) => ({ url: `/${(await inspection(v)).inspection}/evaluate` }), own: POLICE, other: NOBODY },
    'POST /api/v1/inspections/:id/findings': { call: async (v) => ({ url: `/${(await inspection(v)).inspection}/findings`, payload: { itemKey: 'signage', description: 'd' } }), own: POLICE, other: NOBODY },
    'POST /api/v1/inspections/:id/rectifications': {
      call: async (v) => ({ url: `/${(await inspection(v)).inspection}/rectifications`, payload: { findingIds: [(await inspection(v)).finding], dueAt: now() + 10 * DAY, requirement: 'r' } }),
      own: POLICE,
      other: NOBODY,
    },
    'POST /api/v1/inspections/:id/penalties': {
      call: async (v) => ({ url: `/${(await inspection(v)).inspection}/penalties`, payload: { article: 'CN799-27', payer: 'unit', amountYuan: 10_000, note: '' } }),
      own: POLICE,
      other: NOBODY,
    },
    // Issue 17: an obstructed view is the police's finding, and opens the camera's work order.
    'POST /api/v1/inspections/:id/obstructions': {
      call: async (v) => ({ url: `/${(await inspection(v)).inspection}/obstructions`, payload: { cameraId: v === 'own' ? get().w.camA : get().w.camB, by: 'tree', description: 'branches over the lens' } }),
      own: POLICE,
      other: NOBODY,
    },
    // Duty records are the unit's own basic information: its administrators keep them, readers read them.
    'GET /api/v1/duty-records': { call: async (v) => ({ url: `?unitId=${unit(v)}` }), own: READERS, other: NOBODY },
    'POST /api/v1/duty-records': { call: async (v) => ({ url: '', payload: { kind: 'training', unitId: unit(v), title: '保密知识培训', heldAt: now() - DAY } }), own: MANAGERS, other: NOBODY },
    'POST /api/v1/inspections/:id/close': { call: async (v) => ({ url: `/${await freshInspection(v)}/close` }), own: POLICE, other: NOBODY },
    'GET /api/v1/rectifications': { call: async () => ({ url: '' }), own: READERS, other: READERS },
    'POST /api/v1/rectifications/:id/report': { call: async (v) => ({ url: `/${await freshOrder(v)}/report`, payload: { note: 'done' } }), own: MANAGERS, other: NOBODY },
    'POST /api/v1/rectifications/:id/follow-up': { call: async (v) => ({ url: `/${await freshOrder(v, true)}/follow-up`, payload: { corrected: true, note: 'checked' } }), own: POLICE, other: NOBODY },
    // Complaints are limited per address (issue 14): each comes from an address of its own.
    'POST /api/v1/complaints': { call: async (v) => ({ url: '', payload: { regionId: district(v), about: 'a', text: 't' }, remoteAddress: `192.0.2.${++complaintsSent % 250}` }), own: 'all', other: 'all' },
    'GET /api/v1/complaints': { call: async () => ({ url: '' }), own: ['supervisor', 'auditor'], other: ['supervisor', 'auditor'] },
    'POST /api/v1/complaints/:id/handle': { call: async (v) => ({ url: `/${await freshComplaint(v)}/handle`, payload: { outcome: 'answered' } }), own: ['supervisor', 'auditor'], other: NOBODY },
    'GET /api/v1/compliance': { call: async () => ({ url: '' }), own: READERS, other: READERS },
    'GET /api/v1/compliance/export.csv': { call: async () => ({ url: '?lang=en' }), own: READERS, other: READERS },
    'GET /api/v1/compliance/export.pdf': { call: async () => ({ url: '?lang=zh' }), own: READERS, other: READERS },
  };
}
