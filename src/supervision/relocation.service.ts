// Removal and relocation (R7.3): a notice filed the profile's days ahead with the rebuild or
// replacement plan (AH-15, HB-11, HRB-19); what happens to the stored footage, recorded by the
// unit and supervised by the police (AH-15); coverage back within the profile's hours (HRB-19),
// judged from the recorder's index.
import type { Actor } from '../access/actor.js';
import type { RelocationRow } from '../db/supervision.repository.js';
import { Errors } from '../errors.js';
import { changeScope, Gate, json, profileOf, requireSystem, systemPaths, type SupervisionDeps } from './deps.js';
import { checkNotice, coverageRestore, type CoverageRestore, type FootageDisposition, type NoticeKind } from './relocation-rules.js';

export interface RelocationView {
  id: number; systemId: number; kind: NoticeKind; cameraIds: number[]; profileId: string;
  noticeAt: number; plannedAt: number; inTime: boolean; noticeDays: number | null; noticeArticle: string | null; noticeReason: string;
  plan: string; worksAt: number | null;
  disposition: string | null; dispositionNote: string | null; supervisedAt: number | null;
  /** For relocations once the works are done: when the recorder saw the place again. */
  coverage: CoverageRestore | null;
}

export class RelocationService {
  private readonly gate: Gate;
  constructor(private readonly d: SupervisionDeps) {
    this.gate = new Gate(d);
  }

  async notice(actor: Actor, systemId: number, input: { kind: NoticeKind; cameraIds: number[]; plannedAt: number; plan: string }): Promise<RelocationView> {
    const s = await requireSystem(this.d, systemId);
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, s, input.cameraIds), 'registry_change', `system:${systemId} ${input.kind} notice`);
    const own = new Set(await this.d.repos.supervision.cameraIdsOf(systemId));
    const stray = input.cameraIds.filter((c) => !own.has(c));
    if (stray.length) throw Errors.validation('the notice names cameras of this system only', stray.map((c) => ({ path: 'cameraIds', message: `camera ${c} is not in system ${systemId}` })));
    const { profile } = await profileOf(this.d, s.region_id);
    const now = this.d.clock.now();
    if (input.plannedAt <= now) throw Errors.validation('the works are planned for a future date', [{ path: 'plannedAt', message: 'not in the future' }]);
    // A late notice is still recorded: it is a fact the police need, flagged with its article.
    const n = checkNotice(profile, input.kind, now, input.plannedAt);
    const row = await this.d.log.transaction(async (trx) => {
      const r = await this.d.repos.supervision.insert('relocations', {
        system_id: systemId, kind: input.kind, camera_ids: JSON.stringify(input.cameraIds), profile_id: profile.id, notice_at: now, planned_at: input.plannedAt,
        in_time: n.inTime ? 1 : 0, notice_days: n.noticeDays, notice_article: n.article, notice_reason: n.reason, plan: input.plan,
        works_at: null, disposition: null, disposition_note: null, disposition_at: null, disposition_by: null, supervised_at: null, supervised_by: null, filed_by: actor.userId,
      }, trx);
      await this.gate.record(trx, actor, `relocation:${r.id} notice`, { kind: input.kind, plannedAt: input.plannedAt, inTime: n.inTime, article: n.article }, scope);
      return r;
    });
    return this.view(row);
  }

  /** The works took place: coverage must come back from here (relocation), the cameras leave service (removal). */
  async worksDone(actor: Actor, id: number, at: number): Promise<RelocationView> {
    const { r, s } = await this.load(id);
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, s, json(r.camera_ids)), 'registry_change', `relocation:${id} works`);
    if (r.works_at !== null) throw Errors.conflict(`the works of notice ${id} are already recorded`);
    if (at > this.d.clock.now()) throw Errors.validation('works cannot be recorded before they happen', [{ path: 'at', message: 'in the future' }]);
    const cameraIds = json<number[]>(r.camera_ids);
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.update('relocations', id, { works_at: at }, trx);
      await this.gate.record(trx, actor, `relocation:${id} works`, { at }, scope);
    });
    if (r.kind === 'removal') {
      for (const c of cameraIds) {
        await this.d.registry.cameras.update(c, { status: 'removed' }, (trx, change) =>
          this.d.log.append(trx, actor, { action: 'registry_change', outcome: 'success', cameraIds: [c], target: `camera:${c} update`, detail: { ...change.detail, relocation: id } }),
        );
      }
    }
    return this.view((await this.d.repos.supervision.get('relocations', id))!);
  }

  /** The unit records what happens to the footage the cameras stored. */
  async dispose(actor: Actor, id: number, input: { disposition: FootageDisposition; note: string }): Promise<RelocationView> {
    const { r, s } = await this.load(id);
    const scope = await this.gate.check(actor, 'manage-system', await changeScope(this.d, s), 'registry_change', `relocation:${id} disposition`);
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.update('relocations', id, { disposition: input.disposition, disposition_note: input.note, disposition_at: this.d.clock.now(), disposition_by: actor.userId }, trx);
      await this.gate.record(trx, actor, `relocation:${id} disposition`, { disposition: input.disposition }, { ...scope, cameraIds: json(r.camera_ids) });
    });
    return this.view((await this.d.repos.supervision.get('relocations', id))!);
  }

  /** The police supervise the handling of the stored footage (AH-15). */
  async supervise(actor: Actor, id: number): Promise<RelocationView> {
    const { r, s } = await this.load(id);
    const scope = await this.gate.check(actor, 'supervise', { paths: await systemPaths(this.d, s) }, 'registry_change', `relocation:${id} supervise`);
    if (r.disposition === null) throw Errors.conflict('nothing to supervise yet: the unit has not recorded what happens to the footage');
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.supervision.update('relocations', id, { supervised_at: this.d.clock.now(), supervised_by: actor.userId }, trx);
      await this.gate.record(trx, actor, `relocation:${id} supervise`, {}, { ...scope, cameraIds: json(r.camera_ids) });
    });
    return this.view((await this.d.repos.supervision.get('relocations', id))!);
  }

  async list(actor: Actor, systemId: number): Promise<RelocationView[]> {
    const s = await requireSystem(this.d, systemId);
    await this.gate.check(actor, 'read-system', { paths: await systemPaths(this.d, s) }, 'registry_view', `system:${systemId} relocations`);
    const rows = await this.d.repos.supervision.where('relocations', 'system_id', systemId);
    return Promise.all(rows.map((r) => this.view(r)));
  }

  private async load(id: number) {
    const r = await this.d.repos.supervision.get('relocations', id);
    if (!r) throw Errors.notFound(`notice ${id} does not exist`);
    const s = await requireSystem(this.d, r.system_id);
    return { r, s };
  }

  private async view(r: RelocationRow): Promise<RelocationView> {
    const cameraIds = json<number[]>(r.camera_ids);
    let coverage: CoverageRestore | null = null;
    if (r.kind === 'relocation' && r.works_at !== null) {
      const first = await this.d.repos.recordingIndex.firstRecordedAfter(cameraIds, r.works_at);
      coverage = coverageRestore(this.d.catalogue.require(r.profile_id), r.works_at, first, this.d.clock.now());
    }
    return {
      id: r.id, systemId: r.system_id, kind: r.kind as NoticeKind, cameraIds, profileId: r.profile_id,
      noticeAt: r.notice_at, plannedAt: r.planned_at, inTime: r.in_time === 1, noticeDays: r.notice_days, noticeArticle: r.notice_article, noticeReason: r.notice_reason,
      plan: r.plan, worksAt: r.works_at, disposition: r.disposition, dispositionNote: r.disposition_note, supervisedAt: r.supervised_at, coverage,
    };
  }
}
