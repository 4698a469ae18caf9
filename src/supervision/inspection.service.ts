// Inspections (监督检查, R8.1): police supervisors inspect a unit from a checklist built from the
// profile's articles; findings cite articles; a rectification order (责令限期改正) has a deadline
// the police set and a follow-up; penalties are recorded only within their articles' ranges.
import type { Actor } from '../access/actor.js';
import { ARTICLE_ID } from '../domain/profile-file.js';
import type { FinePayer } from '../domain/jurisdiction-profile.js';
import type { InspectionRow, PenaltyRow, RectificationRow } from '../db/supervision.repository.js';
import { Errors } from '../errors.js';
import { buildChecklist, CHECKLIST_KEYS, type ChecklistItem, type ChecklistKey, type ObservedKey } from './checklist.js';
import { Gate, json, profileOf, type Scope, type SupervisionDeps } from './deps.js';
import { unitFacts, type Observations } from './facts.js';
import { appealRights, checkPenalty, type AppealRights } from './penalty-rules.js';
import { correctedInTime, isRectificationOverdue, nextRectificationState, type RectificationState } from './rectification-rules.js';

export interface FindingView { id: number; itemKey: ChecklistKey; articles: string[]; description: string; createdAt: number }
export interface RectificationView {
  id: number; inspectionId: number; unitId: number; findingIds: number[]; articles: string[]; requirement: string;
  orderedAt: number; dueAt: number; state: RectificationState; overdue: boolean; correctedInTime: boolean;
  reportedAt: number | null; reportNote: string | null; closedAt: number | null; followUps: { at: number; by: number; outcome: string; note: string }[];
}
export interface PenaltyView {
  id: number; inspectionId: number; rectificationId: number | null; unitId: number; article: string; payer: FinePayer; amountYuan: number; fineCondition: string | null; seriousReason: string | null; decidedAt: number; note: string;
  /** The party's right to reconsideration or a lawsuit, stated on every decision (WH-29 where the profile says it). */
  appeal: AppealRights;
}
export interface InspectionView {
  id: number; unitId: number; inspectorId: number; profileId: string; startedAt: number; evaluatedAt: number; state: string; note: string;
  checklist: ChecklistItem[]; observations: Observations; findings: FindingView[]; rectifications: RectificationView[]; penalties: PenaltyView[];
}

export class InspectionService {
  private readonly gate: Gate;
  constructor(private readonly d: SupervisionDeps) {
    this.gate = new Gate(d);
  }

  async start(actor: Actor, unitId: number, note = ''): Promise<InspectionView> {
    const unit = await this.d.registry.organisations.get(unitId);
    const scope = await this.gate.check(actor, 'supervise', { paths: [unit.path] }, 'registry_change', `inspection of organisation:${unitId}`);
    if (unit.kind !== 'unit') throw Errors.validation('an inspection is of a unit', [{ path: 'unitId', message: 'is a platform' }]);
    const { profile } = await profileOf(this.d, unitId);
    const now = this.d.clock.now();
    const checklist = buildChecklist(profile, await unitFacts(this.d, unitId, {}), now);
    const row = await this.d.log.transaction(async (trx) => {
      const r = await this.d.repos.supervision.insert('inspections', {
        unit_id: unitId, inspector_id: actor.userId, profile_id: profile.id, started_at: now, checklist: JSON.stringify(checklist), observations: '{}', evaluated_at: now, state: 'open', closed_at: null, note,
      }, trx);
      await this.gate.record(trx, actor, `inspection:${r.id} start`, { unit: unitId, failed: checklist.filter((i) => i.status === 'fail').map((i) => i.key) }, scope);
      return r;
    });
    return this.view(row);
  }

  async get(actor: Actor, id: number): Promise<InspectionView> {
    const { row, unitPath } = await this.load(id);
    // The unit sees its own inspections; reading them is reading basic information.
    await this.gate.check(actor, 'read-system', { paths: [unitPath] }, 'registry_view', `inspection:${id}`);
    return this.view(row);
  }

  async list(actor: Actor, f: { unitId?: number } = {}): Promise<InspectionView[]> {
    const rows = f.unitId !== undefined ? await this.d.repos.supervision.where('inspections', 'unit_id', f.unitId) : await this.all();
    const paths = new Map((await this.d.repos.organisations.getMany([...new Set(rows.map((r) => r.unit_id))])).map((o) => [o.id, o.path]));
    const mine = rows.filter((r) => this.gate.allows(actor, 'read-system', [paths.get(r.unit_id) ?? '\0']));
    return Promise.all(mine.reverse().map((r) => this.view(r)));
  }

  /** Records what the inspector saw on site (training, duty rosters) and re-evaluates the checklist. */
  async observe(actor: Actor, id: number, key: ObservedKey, input: { ok: boolean; note: string }): Promise<InspectionView> {
    const { row, scope } = await this.supervised(actor, id, 'observe');
    const observations: Observations = { ...json<Observations>(row.observations), [key]: input };
    return this.evaluate(actor, row, observations, scope);
  }

  /** Re-evaluates the checklist against the data as it is now (after a correction, say). */
  async reevaluate(actor: Actor, id: number): Promise<InspectionView> {
    const { row, scope } = await this.supervised(actor, id, 'evaluate');
    return this.evaluate(actor, row, json(row.observations), scope);
  }

  async addFinding(actor: Actor, id: number, input: { itemKey: ChecklistKey; description: string; articles?: string[] }): Promise<InspectionView> {
    const { row, scope } = await this.supervised(actor, id, 'finding');
    const item = json<ChecklistItem[]>(row.checklist).find((i) => i.key === input.itemKey);
    if (!CHECKLIST_KEYS.includes(input.itemKey) || !item) throw Errors.validation(`"${input.itemKey}" is not a checklist item`, [{ path: 'itemKey', message: CHECKLIST_KEYS.join(', ') }]);
    const articles = input.articles?.length ? input.articles : item.articles;
    const bad = articles.filter((a) => !ARTICLE_ID.test(a));
    if (bad.length) throw Errors.validation('articles look like "AH-17(3)"', bad.map((a) => ({ path: 'articles', message: a })));
    if (!articles.length) throw Errors.validation('a finding cites the article it breaches', [{ path: 'articles', message: 'required' }]);
    await this.d.log.transaction(async (trx) => {
      const f = await this.d.repos.supervision.insert('inspection_findings', { inspection_id: id, item_key: input.itemKey, articles: JSON.stringify(articles), description: input.description, created_at: this.d.clock.now(), created_by: actor.userId }, trx);
      await this.gate.record(trx, actor, `inspection:${id} finding:${f.id}`, { item: input.itemKey, articles }, scope);
    });
    return this.view((await this.d.repos.supervision.get('inspections', id))!);
  }

  /** 责令限期改正: the police set the period — no regulation gives it a number. */
  async order(actor: Actor, id: number, input: { findingIds: number[]; dueAt: number; requirement: string }): Promise<RectificationView> {
    const { row, scope } = await this.supervised(actor, id, 'order');
    const findings = await this.d.repos.supervision.where('inspection_findings', 'inspection_id', id);
    const chosen = findings.filter((f) => input.findingIds.includes(f.id));
    if (!input.findingIds.length || chosen.length !== new Set(input.findingIds).size) throw Errors.validation('an order names findings of this inspection', [{ path: 'findingIds', message: 'unknown finding' }]);
    const now = this.d.clock.now();
    if (input.dueAt <= now) throw Errors.validation('the deadline to correct lies in the future', [{ path: 'dueAt', message: 'not in the future' }]);
    const articles = [...new Set(chosen.flatMap((f) => json<string[]>(f.articles)))];
    const r = await this.d.log.transaction(async (trx) => {
      const o = await this.d.repos.supervision.insert('rectifications', {
        inspection_id: id, unit_id: row.unit_id, finding_ids: JSON.stringify(input.findingIds), articles: JSON.stringify(articles), requirement: input.requirement,
        ordered_at: now, ordered_by: actor.userId, due_at: input.dueAt, state: 'open', reported_at: null, reported_by: null, report_note: null, closed_at: null, closed_by: null, follow_ups: '[]',
      }, trx);
      await this.gate.record(trx, actor, `rectification:${o.id} order`, { inspection: id, dueAt: input.dueAt, articles }, scope);
      return o;
    });
    return this.rectificationView(r);
  }

  /** Orders not yet closed that one may read: a unit its own, a supervisor those in reach. */
  async openOrders(actor: Actor): Promise<RectificationView[]> {
    const rows = await this.d.repos.supervision.openRectifications();
    const paths = new Map((await this.d.repos.organisations.getMany([...new Set(rows.map((r) => r.unit_id))])).map((o) => [o.id, o.path]));
    return Promise.all(rows.filter((r) => this.gate.allows(actor, 'read-system', [paths.get(r.unit_id) ?? '\0'])).map((r) => this.rectificationView(r)));
  }

  /** The unit reports what it corrected. */
  async report(actor: Actor, rid: number, note: string): Promise<RectificationView> {
    const r = await this.rectification(rid);
    const unit = await this.d.registry.organisations.get(r.unit_id);
    const scope = await this.gate.check(actor, 'manage-system', { paths: [unit.path] }, 'registry_change', `rectification:${rid} report`);
    const state = nextRectificationState(r.state as RectificationState, 'report');
    await this.d.log.transaction(async (trx) => {
      if (!(await this.d.repos.supervision.update('rectifications', rid, { state, reported_at: this.d.clock.now(), reported_by: actor.userId, report_note: note }, trx, r.state))) throw Errors.conflict('the order changed meanwhile');
      await this.gate.record(trx, actor, `rectification:${rid} report`, {}, scope);
    });
    return this.rectificationView((await this.rectification(rid)));
  }

  /** The police follow up: corrected closes the order, not corrected sends it back. */
  async followUp(actor: Actor, rid: number, input: { corrected: boolean; note: string }): Promise<RectificationView> {
    const r = await this.rectification(rid);
    const unit = await this.d.registry.organisations.get(r.unit_id);
    const scope = await this.gate.check(actor, 'supervise', { paths: [unit.path] }, 'registry_change', `rectification:${rid} follow-up`);
    const now = this.d.clock.now();
    const state = nextRectificationState(r.state as RectificationState, input.corrected ? 'close' : 'reopen');
    const followUps = [...json<RectificationView['followUps']>(r.follow_ups), { at: now, by: actor.userId, outcome: input.corrected ? 'corrected' : 'not-corrected', note: input.note }];
    await this.d.log.transaction(async (trx) => {
      const set = input.corrected ? { state, closed_at: now, closed_by: actor.userId, follow_ups: JSON.stringify(followUps) } : { state, follow_ups: JSON.stringify(followUps) };
      if (!(await this.d.repos.supervision.update('rectifications', rid, set, trx, r.state))) throw Errors.conflict('the order changed meanwhile');
      await this.gate.record(trx, actor, `rectification:${rid} follow-up`, { corrected: input.corrected }, scope);
    });
    return this.rectificationView(await this.rectification(rid));
  }

  /** Records a penalty, refused (and registered) outside what the profile's article allows. */
  async penalty(actor: Actor, id: number, input: { article: string; payer: FinePayer; amountYuan: number; rectificationId?: number | null; seriousReason?: string | null; note: string }): Promise<PenaltyView> {
    const { row, scope } = await this.supervised(actor, id, 'penalty');
    const profile = this.d.catalogue.require(row.profile_id);
    let order = null;
    if (input.rectificationId != null) {
      const r = await this.rectification(input.rectificationId);
      if (r.inspection_id !== id) throw Errors.validation('the order belongs to another inspection', [{ path: 'rectificationId', message: 'not of this inspection' }]);
      order = { dueAt: r.due_at, correctedInTime: correctedInTime({ state: r.state as RectificationState, dueAt: r.due_at, reportedAt: r.reported_at, closedAt: r.closed_at }) };
    }
    const now = this.d.clock.now();
    const check = checkPenalty(profile, input, order, now);
    if (!check.ok) return this.gate.refuse(actor, check.error, `inspection:${id} penalty`, scope);
    const p = await this.d.log.transaction(async (trx) => {
      const x = await this.d.repos.supervision.insert('penalties', {
        inspection_id: id, rectification_id: input.rectificationId ?? null, unit_id: row.unit_id, article: input.article, payer: input.payer, amount_yuan: input.amountYuan,
        fine_condition: check.fine.condition?.en ?? null, serious_reason: input.seriousReason ?? null, decided_at: now, decided_by: actor.userId, note: input.note,
      }, trx);
      await this.gate.record(trx, actor, `inspection:${id} penalty:${x.id}`, { article: input.article, payer: input.payer, amountYuan: input.amountYuan }, scope);
      return x;
    });
    return penaltyView(p, appealRights(profile));
  }

  async close(actor: Actor, id: number): Promise<InspectionView> {
    const { row, scope } = await this.supervised(actor, id, 'close');
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.update('inspections', id, { state: 'closed', closed_at: this.d.clock.now() }, trx, 'open');
      await this.gate.record(trx, actor, `inspection:${id} close`, {}, scope);
    });
    return this.view({ ...row, state: 'closed' });
  }

  async rectificationView(r: RectificationRow): Promise<RectificationView> {
    const now = this.d.clock.now();
    const dates = { state: r.state as RectificationState, dueAt: r.due_at, reportedAt: r.reported_at, closedAt: r.closed_at };
    return {
      id: r.id, inspectionId: r.inspection_id, unitId: r.unit_id, findingIds: json(r.finding_ids), articles: json(r.articles), requirement: r.requirement,
      orderedAt: r.ordered_at, dueAt: r.due_at, state: dates.state, overdue: isRectificationOverdue(dates, now), correctedInTime: correctedInTime(dates),
      reportedAt: r.reported_at, reportNote: r.report_note, closedAt: r.closed_at, followUps: json(r.follow_ups),
    };
  }

  private async evaluate(actor: Actor, row: InspectionRow, observations: Observations, scope: Scope): Promise<InspectionView> {
    if (row.state !== 'open') throw Errors.conflict(`inspection ${row.id} is closed`);
    const profile = this.d.catalogue.require(row.profile_id);
    const now = this.d.clock.now();
    const checklist = buildChecklist(profile, await unitFacts(this.d, row.unit_id, observations), now);
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.update('inspections', row.id, { checklist: JSON.stringify(checklist), observations: JSON.stringify(observations), evaluated_at: now }, trx);
      await this.gate.record(trx, actor, `inspection:${row.id} evaluate`, { failed: checklist.filter((i) => i.status === 'fail').map((i) => i.key) }, scope);
    });
    return this.view((await this.d.repos.supervision.get('inspections', row.id))!);
  }

  private async all(): Promise<InspectionRow[]> {
    return this.d.repos.supervision.all('inspections');
  }

  private async load(id: number) {
    const row = await this.d.repos.supervision.get('inspections', id);
    if (!row) throw Errors.notFound(`inspection ${id} does not exist`);
    return { row, unitPath: (await this.d.registry.organisations.get(row.unit_id)).path };
  }

  private async supervised(actor: Actor, id: number, what: string) {
    const l = await this.load(id);
    const scope = await this.gate.check(actor, 'supervise', { paths: [l.unitPath] }, 'registry_change', `inspection:${id} ${what}`);
    return { ...l, scope };
  }

  private async rectification(rid: number): Promise<RectificationRow> {
    const r = await this.d.repos.supervision.get('rectifications', rid);
    if (!r) throw Errors.notFound(`rectification order ${rid} does not exist`);
    return r;
  }

  private async view(row: InspectionRow): Promise<InspectionView> {
    const findings = await this.d.repos.supervision.where('inspection_findings', 'inspection_id', row.id);
    const orders = await this.d.repos.supervision.where('rectifications', 'inspection_id', row.id);
    const penalties = await this.d.repos.supervision.where('penalties', 'inspection_id', row.id);
    return {
      id: row.id, unitId: row.unit_id, inspectorId: row.inspector_id, profileId: row.profile_id, startedAt: row.started_at, evaluatedAt: row.evaluated_at, state: row.state, note: row.note,
      checklist: json(row.checklist), observations: json(row.observations),
      findings: findings.map((f) => ({ id: f.id, itemKey: f.item_key as ChecklistKey, articles: json(f.articles), description: f.description, createdAt: f.created_at })),
      rectifications: await Promise.all(orders.map((o) => this.rectificationView(o))),
      penalties: penalties.map((p) => penaltyView(p, appealRights(this.d.catalogue.require(row.profile_id)))),
    };
  }
}

const penaltyView = (p: PenaltyRow, appeal: AppealRights): PenaltyView => ({
  id: p.id, inspectionId: p.inspection_id, rectificationId: p.rectification_id, unitId: p.unit_id, article: p.article, payer: p.payer as FinePayer, amountYuan: Number(p.amount_yuan),
  fineCondition: p.fine_condition, seriousReason: p.serious_reason, decidedAt: p.decided_at, note: p.note, appeal,
});
