// Duty records (issue 17 item 9): a unit records its design reviews, emergency plans, security
// checks, training and duty rosters, each citing the articles of its profile; an inspection reads
// them (checklist.ts). Recording is a change to the unit's own basic information, registered.
import type { Actor } from '../access/actor.js';
import type { DutyRecordRow } from '../db/supervision.repository.js';
import { Errors } from '../errors.js';
import { Gate, json, profileOf, requireSystem, type SupervisionDeps } from './deps.js';
import { dutyArticles } from './duties.js';
import { DUTY_OF_KIND, DUTY_RECORD_KINDS, dutyRecordProblem, inForce, type DutyRecordKind } from './duty-records.js';

export interface DutyRecordInput {
  kind: DutyRecordKind;
  unitId: number;
  systemId?: number | null;
  title: string;
  heldAt: number;
  validUntil?: number | null;
  participants?: string;
  /** A document already in the archive store (its SHA-256), if any. */
  documentSha256?: string | null;
}

export interface DutyRecordView {
  id: number; kind: DutyRecordKind; unitId: number; systemId: number | null; title: string; heldAt: number; validUntil: number | null;
  participants: string; documentSha256: string | null; articles: string[]; inForce: boolean; recordedBy: number; recordedAt: number;
}

export class DutyRecordService {
  private readonly gate: Gate;
  constructor(private readonly d: SupervisionDeps) {
    this.gate = new Gate(d);
  }

  async record(actor: Actor, input: DutyRecordInput): Promise<DutyRecordView> {
    if (!DUTY_RECORD_KINDS.includes(input.kind)) throw Errors.validation(`"${input.kind}" is not a kind of duty record`, [{ path: 'kind', message: DUTY_RECORD_KINDS.join(', ') }]);
    const unit = await this.d.registry.organisations.get(input.unitId);
    const scope = await this.gate.check(actor, 'manage-system', { paths: [unit.path] }, 'registry_change', `organisation:${input.unitId} ${input.kind} record`);
    if (unit.kind !== 'unit') throw Errors.validation('duty records are kept by a unit', [{ path: 'unitId', message: 'is a platform' }]);
    const systemId = input.systemId ?? null;
    if (systemId !== null) {
      const s = await requireSystem(this.d, systemId);
      const units = [s.builder_unit_id, s.user_unit_id, s.managing_unit_id, s.maintainer_unit_id].filter((x) => x !== null).map(Number);
      if (!units.includes(unit.id)) throw Errors.validation('the system is not one of this unit\'s', [{ path: 'systemId', message: `system ${systemId} names no role for organisation ${unit.id}` }]);
    }
    const now = this.d.clock.now();
    const problem = dutyRecordProblem({ kind: input.kind, systemId, heldAt: input.heldAt, validUntil: input.validUntil ?? null, title: input.title }, now);
    if (problem) throw Errors.validation(`the ${input.kind} record ${problem.message}`, [problem]);
    const { profile } = await profileOf(this.d, unit.id);
    const articles = dutyArticles(DUTY_OF_KIND[input.kind], profile);
    const row = await this.d.log.transaction(async (trx) => {
      const r = await this.d.repos.supervision.insert('duty_records', {
        kind: input.kind, unit_id: unit.id, system_id: systemId, title: input.title.trim(), held_at: input.heldAt, valid_until: input.validUntil ?? null,
        participants: input.participants?.trim() ?? '', document_sha256: input.documentSha256 ?? null, articles: JSON.stringify(articles), recorded_by: actor.userId, recorded_at: now,
      }, trx);
      await this.gate.record(trx, actor, `duty-record:${r.id} ${input.kind}`, { unit: unit.id, system: systemId, articles }, scope);
      return r;
    });
    return view(row, now);
  }

  async list(actor: Actor, unitId: number): Promise<DutyRecordView[]> {
    const unit = await this.d.registry.organisations.get(unitId);
    await this.gate.check(actor, 'read-system', { paths: [unit.path] }, 'registry_view', `organisation:${unitId} duty records`);
    const now = this.d.clock.now();
    return (await this.d.repos.supervision.where('duty_records', 'unit_id', unitId)).map((r) => view(r, now));
  }
}

function view(r: DutyRecordRow, now: number): DutyRecordView {
  return {
    id: r.id, kind: r.kind as DutyRecordKind, unitId: Number(r.unit_id), systemId: r.system_id === null ? null : Number(r.system_id), title: r.title, heldAt: Number(r.held_at),
    validUntil: r.valid_until === null ? null : Number(r.valid_until), participants: r.participants, documentSha256: r.document_sha256, articles: json(r.articles),
    inForce: inForce({ heldAt: Number(r.held_at), validUntil: r.valid_until === null ? null : Number(r.valid_until) }, now), recordedBy: Number(r.recorded_by), recordedAt: Number(r.recorded_at),
  };
}
