// Gathers what an inspection looks at for one unit, from the registry, the supervision tables,
// the recorder's index, the access register and the health roll-ups — the I/O half of the
// checklist, whose rules stay pure in checklist.ts.
import type { SystemRow } from '../db/supervision.repository.js';
import type { AcceptanceResult, Funding } from './acceptance-rules.js';
import type { ArchiveCategory, CameraFacts, ObservedKey, SystemFacts, UnitFacts } from './checklist.js';
import type { SupervisionDeps } from './deps.js';
import type { DutyRecordKind } from './duty-records.js';
import { chinaDate } from './retention-held.js';

export async function systemFacts(d: SupervisionDeps, s: SystemRow): Promise<SystemFacts> {
  const docs = await d.repos.supervision.documents(s.id);
  const filings = await d.repos.supervision.where('filings', 'system_id', s.id);
  const parties = await d.repos.supervision.where('archive_parties', 'system_id', s.id);
  return {
    id: s.id, name: s.name, funding: s.funding as Funding, builtBeforeRules: s.built_before_rules === 1, rulesEffectiveAt: s.rules_effective_at,
    inServiceAt: s.in_service_at, acceptedAt: s.accepted_at, acceptance: s.acceptance as AcceptanceResult, filedAt: filings[0]?.submitted_at ?? null,
    userUnitId: s.user_unit_id, managingUnitId: s.managing_unit_id, maintainerUnitId: s.maintainer_unit_id,
    hasMaintenanceContract: docs.some((x) => x.purpose === 'maintenance-contract'),
    archiveCategories: [...new Set(docs.map((x) => x.category as ArchiveCategory))],
    archiveParties: parties.length,
    parties: parties.map((p) => ({ role: p.role, licence: p.licence })),
  };
}

export async function cameraFacts(d: SupervisionDeps, cameraIds: number[]): Promise<CameraFacts[]> {
  const cams = await d.repos.supervision.cameras(cameraIds);
  const oldest = await d.repos.recordingIndex.oldestRecorded(cameraIds);
  return cams.map((c) => ({ id: c.id, name: c.name, inService: c.status === 'in_service', inServiceAt: chinaDate(c.inServiceDate), signage: c.signage, placeCategory: c.placeCategory, oldestRecordedAt: oldest.get(c.id) ?? null }));
}

export async function unitFacts(d: SupervisionDeps, unitId: number, observations: UnitFacts['observations']): Promise<UnitFacts> {
  const systems = await d.repos.supervision.systems({ unitId });
  const cameraIds = new Set(await d.repos.supervision.cameraIdsOfUnit(unitId));
  for (const s of systems) for (const c of await d.repos.supervision.cameraIdsOf(s.id)) cameraIds.add(c);
  const ids = [...cameraIds].sort((a, b) => a - b);
  return {
    systems: await Promise.all(systems.map((s) => systemFacts(d, s))),
    cameras: await cameraFacts(d, ids),
    registerEntries: await d.repos.supervision.registerEntries(ids),
    goodRate: await d.repos.supervision.goodRate(ids),
    observations,
    dutyRecords: (await d.repos.supervision.where('duty_records', 'unit_id', unitId)).map((r) => ({
      kind: r.kind as DutyRecordKind, title: r.title, systemId: r.system_id === null ? null : Number(r.system_id), heldAt: Number(r.held_at), validUntil: r.valid_until === null ? null : Number(r.valid_until),
    })),
  };
}

export type Observations = Partial<Record<ObservedKey, { ok: boolean; note: string }>>;
