// Filing (备案, R7.2): the unit files a system with its design plan, test and acceptance
// materials, device types and point distribution (AH-13, HB-11, CN-12, HRB-18); the police
// receive it and record their visit within the profile's period (AH-13); filings not made by
// their deadline are listed for the police.
import type { Actor } from '../access/actor.js';
import type { FilingRow, SystemRow } from '../db/supervision.repository.js';
import { Errors } from '../errors.js';
import { changeScope, Gate, json, profileOf, requireSystem, systemPaths, type SupervisionDeps } from './deps.js';
import { filingDeadline, filingState, policeVisitDeadline, visitState, type FilingDeadline, type FilingState, type VisitState } from './filing-rules.js';
import { documentView, type DocumentView } from './system.service.js';

export interface FilingView {
  id: number; systemId: number; submittedAt: number; submittedBy: number | null; profileId: string;
  dueAt: number | null; deadlineArticle: string | null; deadlineBasis: string; inTime: boolean;
  deviceTypes: { deviceType: string; count: number }[];
  points: { cameraId: number; gbId: string; name: string; address: string; longitude: number | null; latitude: number | null; placeCategory: string }[];
  documents: DocumentView[];
  receivedAt: number | null; visitDueAt: number | null; visitArticle: string | null; visitBasis: string | null;
  visitedAt: number | null; visitNote: string | null; visitState: VisitState | null;
}

export interface FilingStatus {
  systemId: number; systemName: string; regionId: number; deadline: FilingDeadline; state: FilingState;
  filingId: number | null; visitState: VisitState | null; visitDueAt: number | null;
}

export class FilingService {
  private readonly gate: Gate;
  constructor(private readonly d: SupervisionDeps) {
    this.gate = new Gate(d);
  }

  /** Files the system with the documents uploaded to it; what is missing is refused with the filing article. */
  async submit(actor: Actor, systemId: number): Promise<FilingView> {
    const s = await requireSystem(this.d, systemId);
    const cameraIds = await this.d.repos.supervision.cameraIdsOf(systemId);
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, s, cameraIds), 'registry_change', `system:${systemId} filing`);
    const { profile } = await profileOf(this.d, s.region_id);
    const deadline = filingDeadline(profile, dates(s));
    const article = deadline.article ?? profile.filing.deadlineDays.article;
    const docs = await this.d.repos.supervision.documents(systemId);
    const has = (p: string) => docs.some((x) => x.purpose === p);
    const missing: string[] = [];
    if (!has('design-plan')) missing.push('design-plan');
    // Systems built before the rules were never tested or accepted under them.
    if (s.built_before_rules !== 1 && !has('test-report')) missing.push('test-report');
    if (s.built_before_rules !== 1 && !has('acceptance')) missing.push('acceptance');
    if (!cameraIds.length) missing.push('cameras');
    if (missing.length) {
      throw Errors.validation(`the filing lacks ${missing.join(', ')}${article ? ` (${article})` : ''}`, missing.map((m) => ({ path: m, message: m === 'cameras' ? 'no camera points to file' : 'document not uploaded' })), article ? [article] : []);
    }
    const cams = await this.d.repos.supervision.cameras(cameraIds);
    const types = new Map<string, number>();
    for (const c of cams) types.set(c.deviceType, (types.get(c.deviceType) ?? 0) + 1);
    const now = this.d.clock.now();
    const row = await this.d.log.transaction(async (trx) => {
      const f = await this.d.repos.supervision.insert('filings', {
        system_id: systemId, submitted_at: now, submitted_by: actor.userId, profile_id: profile.id,
        due_at: deadline.dueAt, deadline_article: deadline.article, deadline_basis: deadline.basis,
        device_types: JSON.stringify([...types].map(([deviceType, count]) => ({ deviceType, count }))),
        points: JSON.stringify(cams.map((c) => ({ cameraId: c.id, gbId: c.gbId, name: c.name, address: c.address, longitude: c.longitude, latitude: c.latitude, placeCategory: c.placeCategory }))),
        received_at: null, received_by: null, visit_due_at: null, visit_article: null, visit_basis: null, visited_at: null, visited_by: null, visit_note: null,
      }, trx);
      await this.gate.record(trx, actor, `filing:${f.id} submit`, { system: systemId, dueAt: deadline.dueAt, article: deadline.article, documents: docs.map((x) => x.sha256) }, scope);
      return f;
    });
    return this.view(row);
  }

  async get(actor: Actor, id: number): Promise<FilingView> {
    const { f, s } = await this.load(id);
    await this.gate.check(actor, 'read-system', { paths: await systemPaths(this.d, s) }, 'registry_view', `filing:${id}`);
    return this.view(f);
  }

  /** The police receive the filing: the visit deadline starts (AH-13: 30 days). */
  async receive(actor: Actor, id: number): Promise<FilingView> {
    const { f, s } = await this.load(id);
    const scope = await this.gate.check(actor, 'supervise', { paths: await systemPaths(this.d, s) }, 'registry_change', `filing:${id} receive`);
    if (f.received_at !== null) throw Errors.conflict(`filing ${id} was already received`);
    const { profile } = await profileOf(this.d, s.region_id);
    const now = this.d.clock.now();
    const visit = policeVisitDeadline(profile, now);
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.update('filings', id, { received_at: now, received_by: actor.userId, visit_due_at: visit.dueAt, visit_article: visit.article, visit_basis: visit.basis }, trx);
      await this.gate.record(trx, actor, `filing:${id} receive`, { visitDueAt: visit.dueAt, article: visit.article }, scope);
    });
    return this.view((await this.d.repos.supervision.get('filings', id))!);
  }

  /** The police record their visit (实地查看、指导). */
  async visit(actor: Actor, id: number, input: { at: number; note: string }): Promise<FilingView> {
    const { f, s } = await this.load(id);
    const scope = await this.gate.check(actor, 'supervise', { paths: await systemPaths(this.d, s) }, 'registry_change', `filing:${id} visit`);
    if (f.received_at === null) throw Errors.conflict(`filing ${id} has not been received yet`);
    if (f.visited_at !== null) throw Errors.conflict(`the visit of filing ${id} is already recorded`);
    if (input.at < f.received_at || input.at > this.d.clock.now()) throw Errors.validation('the visit lies between receiving the filing and now', [{ path: 'at', message: 'out of range' }]);
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.update('filings', id, { visited_at: input.at, visited_by: actor.userId, visit_note: input.note }, trx);
      await this.gate.record(trx, actor, `filing:${id} visit`, { at: input.at }, scope);
    });
    return this.view((await this.d.repos.supervision.get('filings', id))!);
  }

  /** Every system one may read, with where its filing stands; `state` narrows (the police ask for 'overdue'). */
  async statuses(actor: Actor, filter: { state?: FilingState; regionId?: number } = {}): Promise<FilingStatus[]> {
    const regionPaths = filter.regionId !== undefined ? [(await this.d.registry.organisations.get(filter.regionId)).path] : undefined;
    const now = this.d.clock.now();
    const out: FilingStatus[] = [];
    for (const s of await this.d.repos.supervision.systems({ regionPaths })) {
      if (!this.gate.allows(actor, 'read-system', await systemPaths(this.d, s))) continue;
      const { profile } = await profileOf(this.d, s.region_id);
      const deadline = filingDeadline(profile, dates(s));
      const filings = await this.d.repos.supervision.where('filings', 'system_id', s.id);
      const state = filingState(deadline, filings[0]?.submitted_at ?? null, now);
      if (filter.state && state !== filter.state) continue;
      const latest = filings.at(-1);
      const visit = latest?.received_at != null ? visitState({ dueAt: latest.visit_due_at, days: null, article: latest.visit_article, basis: '' }, latest.visited_at, now) : null;
      out.push({ systemId: s.id, systemName: s.name, regionId: s.region_id, deadline, state, filingId: latest?.id ?? null, visitState: visit, visitDueAt: latest?.visit_due_at ?? null });
    }
    return out;
  }

  private async load(id: number): Promise<{ f: FilingRow; s: SystemRow }> {
    const f = await this.d.repos.supervision.get('filings', id);
    if (!f) throw Errors.notFound(`filing ${id} does not exist`);
    return { f, s: await requireSystem(this.d, f.system_id) };
  }

  private async view(f: FilingRow): Promise<FilingView> {
    const docs = (await this.d.repos.supervision.documents(f.system_id)).filter((x) => x.added_at <= f.submitted_at);
    const visit = f.received_at !== null ? visitState({ dueAt: f.visit_due_at, days: null, article: f.visit_article, basis: '' }, f.visited_at, this.d.clock.now()) : null;
    return {
      id: f.id, systemId: f.system_id, submittedAt: f.submitted_at, submittedBy: f.submitted_by, profileId: f.profile_id,
      dueAt: f.due_at, deadlineArticle: f.deadline_article, deadlineBasis: f.deadline_basis, inTime: f.due_at === null || f.submitted_at <= f.due_at,
      deviceTypes: json(f.device_types), points: json(f.points), documents: docs.map(documentView),
      receivedAt: f.received_at, visitDueAt: f.visit_due_at, visitArticle: f.visit_article, visitBasis: f.visit_basis, visitedAt: f.visited_at, visitNote: f.visit_note, visitState: visit,
    };
  }
}

export const dates = (s: SystemRow) => ({ builtBeforeRules: s.built_before_rules === 1, rulesEffectiveAt: s.rules_effective_at, inServiceAt: s.in_service_at, acceptedAt: s.accepted_at, funding: s.funding as 'government' | 'self' });
