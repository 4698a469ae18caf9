// Systems (R7): a unit's installation or a government-built one, with its builder, user,
// managing and maintainer units, its cameras, design plan and maintenance contract (AH-16(2),
// WH-23); acceptance (验收) and going into service, refused with its articles until it passes.
import type { Actor } from '../access/actor.js';
import type { DocumentRow, SystemRow } from '../db/supervision.repository.js';
import { Errors } from '../errors.js';
import { acceptanceRequirement, serviceRefusal, type AcceptanceRequirement, type Funding } from './acceptance-rules.js';
import { ARCHIVE_CATEGORIES, type ArchiveCategory } from './checklist.js';
import { changeScope, Gate, organisationIdsOf, profileOf, requireSystem, systemPaths, type SupervisionDeps } from './deps.js';
import { filingDeadline, filingState, type FilingDeadline, type FilingState } from './filing-rules.js';

export const DOCUMENT_PURPOSES = ['design-plan', 'maintenance-contract', 'test-report', 'acceptance', 'point-map', 'relocation-plan', 'archive'] as const;
export type DocumentPurpose = (typeof DOCUMENT_PURPOSES)[number];
const CATEGORY_OF: Record<DocumentPurpose, ArchiveCategory | null> = {
  'design-plan': 'design', 'maintenance-contract': 'maintenance', 'test-report': 'acceptance', acceptance: 'acceptance', 'point-map': 'design', 'relocation-plan': 'design', archive: null,
};

export interface SystemInput {
  name: string;
  regionId: number;
  funding: Funding;
  builderUnitId?: number | null;
  userUnitId?: number | null;
  managingUnitId?: number | null;
  maintainerUnitId?: number | null;
  builtBeforeRules?: boolean;
  rulesEffectiveAt?: number | null;
}

export interface DocumentView { id: number; purpose: string; category: string; title: string; sha256: string; type: string; size: number; addedAt: number }

export interface SystemCameraView { id: number; name: string; status: string; inService: boolean; block: { message: string; articles: string[] } | null }

export interface SystemView {
  id: number; name: string; regionId: number; funding: Funding;
  builderUnitId: number | null; userUnitId: number | null; managingUnitId: number | null; maintainerUnitId: number | null;
  builtBeforeRules: boolean; rulesEffectiveAt: number | null; state: string; acceptance: 'passed' | 'failed' | null;
  acceptedAt: number | null; inServiceAt: number | null; profileId: string;
  acceptanceRequirement: AcceptanceRequirement;
  /** Why the system's cameras may not be recorded as in service, with the articles; null when they may. */
  serviceBlock: { message: string; articles: string[] } | null;
  filing: { deadline: FilingDeadline; state: FilingState; filedAt: number | null; filingId: number | null };
  cameras: SystemCameraView[];
  documents: DocumentView[];
}

export const documentView = (r: DocumentRow): DocumentView => ({ id: r.id, purpose: r.purpose, category: r.category, title: r.title, sha256: r.sha256, type: r.type, size: Number(r.size), addedAt: r.added_at });

export class SystemService {
  private readonly gate: Gate;
  constructor(private readonly d: SupervisionDeps) {
    this.gate = new Gate(d);
  }

  async create(actor: Actor, input: SystemInput): Promise<SystemView> {
    await this.checkOrganisations(input);
    const now = this.d.clock.now();
    const row = {
      name: input.name, region_id: input.regionId, funding: input.funding,
      builder_unit_id: input.builderUnitId ?? null, user_unit_id: input.userUnitId ?? null, managing_unit_id: input.managingUnitId ?? null, maintainer_unit_id: input.maintainerUnitId ?? null,
      built_before_rules: input.builtBeforeRules ? 1 : 0, rules_effective_at: input.rulesEffectiveAt ?? null,
      state: 'building', acceptance: null, accepted_at: null, in_service_at: null, removed_at: null, created_at: now, updated_at: now,
    };
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, { ...row, id: 0 }), 'registry_change', 'POST /systems');
    const created = await this.d.log.transaction(async (trx) => {
      const s = await this.d.repos.supervision.insert('systems', row, trx);
      await this.gate.record(trx, actor, `system:${s.id} create`, { name: s.name, funding: s.funding }, scope);
      return s;
    });
    return this.view(created);
  }

  async list(actor: Actor, f: { regionId?: number; unitId?: number } = {}): Promise<SystemView[]> {
    const regionPaths = f.regionId !== undefined ? [(await this.d.registry.organisations.get(f.regionId)).path] : undefined;
    const rows = await this.d.repos.supervision.systems({ regionPaths, unitId: f.unitId });
    const out: SystemView[] = [];
    for (const s of rows) if (this.gate.allows(actor, 'read-system', await systemPaths(this.d, s))) out.push(await this.view(s));
    return out;
  }

  async get(actor: Actor, id: number): Promise<SystemView> {
    const s = await requireSystem(this.d, id);
    await this.gate.check(actor, 'read-system', { paths: await systemPaths(this.d, s) }, 'registry_view', `system:${id}`);
    return this.view(s);
  }

  /** Adds and removes cameras. A camera recorded as in service cannot join a system that may not be in service yet. */
  async setCameras(actor: Actor, id: number, change: { add?: number[]; remove?: number[] }): Promise<SystemView> {
    const s = await requireSystem(this.d, id);
    const add = [...new Set(change.add ?? [])];
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, s, add), 'registry_change', `system:${id} cameras`);
    const cams = await this.d.repos.supervision.cameras(add);
    const missing = add.filter((c) => !cams.some((x) => x.id === c));
    if (missing.length) throw Errors.validation(`cameras ${missing.join(', ')} do not exist`, missing.map((c) => ({ path: 'add', message: `camera ${c} does not exist` })));
    const region = await this.d.registry.organisations.get(s.region_id);
    const regionPaths = new Map((await this.d.repos.organisations.getMany(cams.map((c) => c.regionId))).map((o) => [o.id, o.path]));
    const outside = cams.filter((c) => !regionPaths.get(c.regionId)?.startsWith(region.path));
    if (outside.length) throw Errors.validation('a system holds cameras of its own region only', outside.map((c) => ({ path: 'add', message: `camera ${c.id} is outside the system's region` })));
    const taken = await this.d.repos.supervision.systemOfCameras(add);
    const elsewhere = [...taken].filter(([, sys]) => sys !== id);
    if (elsewhere.length) throw Errors.conflict('a camera belongs to one system', elsewhere.map(([c, sys]) => ({ path: 'add', message: `camera ${c} belongs to system ${sys}` })));
    const block = await this.serviceBlock(s);
    const live = cams.filter((c) => c.status === 'in_service');
    if (block && live.length) {
      await this.gate.refuse(actor, Errors.notAccepted(`cameras ${live.map((c) => c.id).join(', ')} are recorded as in service, but the system may not be: ${block.message}`, live.map((c) => ({ path: 'add', message: `camera ${c.id} is in service` })), block.articles), `system:${id} cameras`, { ...scope, cameraIds: live.map((c) => c.id) });
    }
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.attachCameras(id, add.filter((c) => !taken.has(c)), trx);
      await this.d.repos.supervision.detachCameras(id, change.remove ?? [], trx);
      await this.gate.record(trx, actor, `system:${id} cameras`, { add, remove: change.remove ?? [] }, { ...scope, cameraIds: [...add, ...(change.remove ?? [])] });
    });
    return this.view(await requireSystem(this.d, id));
  }

  /** Stores a document by its SHA-256 and files it with the system (and its archive). */
  async addDocument(actor: Actor, id: number, input: { purpose: DocumentPurpose; category?: ArchiveCategory; title: string; refId?: number | null }, bytes: Buffer): Promise<DocumentView> {
    const s = await requireSystem(this.d, id);
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, s), 'registry_change', `system:${id} document`);
    const category = CATEGORY_OF[input.purpose] ?? input.category;
    if (!category || !ARCHIVE_CATEGORIES.includes(category)) throw Errors.validation('an archive document needs its category', [{ path: 'category', message: ARCHIVE_CATEGORIES.join(', ') }]);
    const stored = this.d.documents.put(bytes);
    const row = await this.d.log.transaction(async (trx) => {
      const r = await this.d.repos.supervision.insert('supervision_documents', {
        system_id: id, purpose: input.purpose, category, ref_id: input.refId ?? null, title: input.title, sha256: stored.sha256, type: stored.type, size: stored.size, added_at: this.d.clock.now(), added_by: actor.userId,
      }, trx);
      await this.gate.record(trx, actor, `system:${id} document`, { purpose: input.purpose, sha256: stored.sha256, title: input.title }, scope);
      return r;
    });
    return documentView(row);
  }

  async document(actor: Actor, id: number, docId: number): Promise<{ view: DocumentView; bytes: Buffer }> {
    const s = await requireSystem(this.d, id);
    const scope = await this.gate.check(actor, 'read-system', { paths: await systemPaths(this.d, s) }, 'registry_view', `system:${id} document:${docId}`);
    const doc = await this.d.repos.supervision.get('supervision_documents', docId);
    if (!doc || Number(doc.system_id) !== id) throw Errors.notFound(`document ${docId} of system ${id} does not exist`);
    await this.d.log.record(actor, { action: 'registry_view', outcome: 'success', target: `system:${id} document:${docId}`, detail: { sha256: doc.sha256 }, organisationIds: organisationIdsOf(scope.paths) });
    return { view: documentView(doc), bytes: this.d.documents.get(doc.sha256) };
  }

  /** Records the result of an acceptance (验收); only a pass lets the system go into service. */
  async recordAcceptance(actor: Actor, id: number, input: { at: number; result: 'passed' | 'failed'; organisedBy: string; note: string }): Promise<SystemView> {
    const s = await requireSystem(this.d, id);
    const scope = await this.gate.check(actor, 'record-acceptance', await changeScope(this.d, s), 'registry_change', `system:${id} acceptance`);
    const now = this.d.clock.now();
    if (input.at > now) throw Errors.validation('an acceptance cannot be recorded before it happens', [{ path: 'at', message: 'in the future' }]);
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.insert('system_acceptances', { system_id: id, at: input.at, result: input.result, organised_by: input.organisedBy, note: input.note, recorded_by: actor.userId, recorded_at: now }, trx);
      await this.d.repos.supervision.update('systems', id, { acceptance: input.result, accepted_at: input.result === 'passed' ? input.at : null, updated_at: now }, trx);
      await this.gate.record(trx, actor, `system:${id} acceptance`, { result: input.result, at: input.at }, scope);
    });
    return this.view(await requireSystem(this.d, id));
  }

  /** Puts the system and its cameras into service, unless a rule says it may not be yet. */
  async putIntoService(actor: Actor, id: number, at: number): Promise<SystemView> {
    const s = await requireSystem(this.d, id);
    const cameraIds = await this.d.repos.supervision.cameraIdsOf(id);
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, s, cameraIds), 'registry_change', `system:${id} in-service`);
    if (s.state !== 'building') throw Errors.conflict(`system ${id} is ${s.state}, not being built`);
    const { profile } = await profileOf(this.d, s.region_id);
    const refused = serviceRefusal(acceptanceRequirement(profile, { funding: s.funding as Funding, builtBeforeRules: s.built_before_rules === 1 }), s.acceptance as 'passed' | 'failed' | null);
    if (refused) await this.gate.refuse(actor, refused, `system:${id} in-service`, scope);
    const day = new Date(at + 8 * 3_600_000).toISOString().slice(0, 10);
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.update('systems', id, { state: 'in_service', in_service_at: at, updated_at: this.d.clock.now() }, trx, 'building');
      await this.gate.record(trx, actor, `system:${id} in-service`, { at }, scope);
    });
    // Through the registry, so each camera's change is checked and registered like any other.
    for (const c of cameraIds) {
      await this.d.registry.cameras.update(c, { status: 'in_service', inServiceDate: day }, (trx, change) =>
        this.d.log.append(trx, actor, { action: 'registry_change', outcome: 'success', cameraIds: [c], target: `camera:${c} update`, detail: { ...change.detail, system: id } }),
      );
    }
    return this.view(await requireSystem(this.d, id));
  }

  /** The refusal the system's cameras meet now, as the console shows it; null when none. */
  async serviceBlock(s: SystemRow): Promise<{ message: string; articles: string[] } | null> {
    const { profile } = await profileOf(this.d, s.region_id);
    const e = serviceRefusal(acceptanceRequirement(profile, { funding: s.funding as Funding, builtBeforeRules: s.built_before_rules === 1 }), s.acceptance as 'passed' | 'failed' | null);
    return e ? { message: e.message, articles: e.articles } : null;
  }

  async view(s: SystemRow): Promise<SystemView> {
    const { profile } = await profileOf(this.d, s.region_id);
    const funding = s.funding as Funding;
    const builtBeforeRules = s.built_before_rules === 1;
    const requirement = acceptanceRequirement(profile, { funding, builtBeforeRules });
    const block = await this.serviceBlock(s);
    const filings = await this.d.repos.supervision.where('filings', 'system_id', s.id);
    const latest = filings.at(-1) ?? null;
    const deadline = filingDeadline(profile, { builtBeforeRules, rulesEffectiveAt: s.rules_effective_at, inServiceAt: s.in_service_at, acceptedAt: s.accepted_at, funding });
    const cams = await this.d.repos.supervision.cameras(await this.d.repos.supervision.cameraIdsOf(s.id));
    return {
      id: s.id, name: s.name, regionId: s.region_id, funding,
      builderUnitId: s.builder_unit_id, userUnitId: s.user_unit_id, managingUnitId: s.managing_unit_id, maintainerUnitId: s.maintainer_unit_id,
      builtBeforeRules, rulesEffectiveAt: s.rules_effective_at, state: s.state, acceptance: s.acceptance as 'passed' | 'failed' | null,
      acceptedAt: s.accepted_at, inServiceAt: s.in_service_at, profileId: profile.id,
      acceptanceRequirement: requirement,
      serviceBlock: block,
      filing: { deadline, state: filingState(deadline, filings[0]?.submitted_at ?? null, this.d.clock.now()), filedAt: filings[0]?.submitted_at ?? null, filingId: latest?.id ?? null },
      cameras: cams.map((c) => ({ id: c.id, name: c.name, status: c.status, inService: c.status === 'in_service' && !block, block: c.status === 'in_service' || s.state === 'building' ? block : null })),
      documents: (await this.d.repos.supervision.documents(s.id)).map(documentView),
    };
  }

  private async checkOrganisations(input: SystemInput): Promise<void> {
    const ids = [input.regionId, input.builderUnitId, input.userUnitId, input.managingUnitId, input.maintainerUnitId].filter((x): x is number => x != null);
    const orgs = new Map((await this.d.repos.organisations.getMany(ids)).map((o) => [o.id, o]));
    const details: { path: string; message: string }[] = [];
    const region = orgs.get(input.regionId);
    if (!region) details.push({ path: 'regionId', message: `organisation ${input.regionId} does not exist` });
    else if (region.kind !== 'platform') details.push({ path: 'regionId', message: 'must be a region (a platform organisation)' });
    for (const f of ['builderUnitId', 'userUnitId', 'managingUnitId', 'maintainerUnitId'] as const) {
      const v = input[f];
      if (v == null) continue;
      const o = orgs.get(v);
      if (!o) details.push({ path: f, message: `organisation ${v} does not exist` });
      else if (o.kind !== 'unit') details.push({ path: f, message: `organisation ${v} is a platform, not a unit` });
    }
    if (!input.userUnitId && !input.managingUnitId) details.push({ path: 'userUnitId', message: 'a system needs a user or a managing unit' });
    if (input.builtBeforeRules === false && input.rulesEffectiveAt != null) details.push({ path: 'rulesEffectiveAt', message: 'only for systems built before the rules' });
    if (details.length) throw Errors.validation('the system is not valid', details);
  }
}
