// A camera's view obstructed by signs, pipes, trees or other works (HRB-11 para. 2, CN799-23(2),
// CN-15): the inspector records it as a finding of the inspection, citing the profile's articles,
// and a work order opens for the camera so the obstruction is removed and the repair tracked.
import type { Actor } from '../access/actor.js';
import { Errors } from '../errors.js';
import { Gate, type SupervisionDeps } from './deps.js';
import { dutyArticles } from './duties.js';

export const OBSTRUCTIONS = ['sign', 'pipe', 'tree', 'other'] as const;
export type Obstruction = (typeof OBSTRUCTIONS)[number];

/** Opens (or finds the open) work order of a camera; the health module's, wired by the caller. */
export type WorkOrderOpener = (cameraId: number, userId: number, note: string) => Promise<{ id: number; opened: boolean }>;

export interface ObstructionView {
  findingId: number;
  cameraId: number;
  articles: string[];
  workOrderId: number;
  workOrderOpened: boolean;
}

export class ObstructionService {
  private readonly gate: Gate;
  constructor(
    private readonly d: SupervisionDeps,
    private readonly openWorkOrder: WorkOrderOpener,
  ) {
    this.gate = new Gate(d);
  }

  async report(actor: Actor, inspectionId: number, input: { cameraId: number; by: Obstruction; description: string }): Promise<ObstructionView> {
    const row = await this.d.repos.supervision.get('inspections', inspectionId);
    if (!row) throw Errors.notFound(`inspection ${inspectionId} does not exist`);
    const unit = await this.d.registry.organisations.get(row.unit_id);
    const scope = await this.gate.check(actor, 'supervise', { paths: [unit.path], cameraIds: [input.cameraId] }, 'registry_change', `inspection:${inspectionId} obstruction`);
    if (row.state !== 'open') throw Errors.conflict(`inspection ${inspectionId} is closed`);
    if (!OBSTRUCTIONS.includes(input.by)) throw Errors.validation(`"${input.by}" is not a kind of obstruction`, [{ path: 'by', message: OBSTRUCTIONS.join(', ') }]);
    if (!input.description.trim()) throw Errors.validation('say what obstructs the view', [{ path: 'description', message: 'required' }]);
    const cameras = new Set(await this.d.repos.supervision.cameraIdsOfUnit(row.unit_id));
    for (const s of await this.d.repos.supervision.systems({ unitId: row.unit_id })) for (const c of await this.d.repos.supervision.cameraIdsOf(s.id)) cameras.add(c);
    if (!cameras.has(input.cameraId)) throw Errors.validation('the camera is not one of the inspected unit\'s', [{ path: 'cameraId', message: `camera ${input.cameraId} is not the unit's` }]);
    const articles = dutyArticles('unobstructedView', this.d.catalogue.require(row.profile_id));
    if (!articles.length) throw Errors.ruleRefused(`the rules of ${row.profile_id} set no duty against obstructing a camera's view; record it as an ordinary finding`);
    const description = `camera ${input.cameraId}: view obstructed by ${input.by}: ${input.description.trim()}`;
    const finding = await this.d.log.transaction(async (trx) => {
      const f = await this.d.repos.supervision.insert('inspection_findings', {
        inspection_id: inspectionId, item_key: 'unobstructedView', articles: JSON.stringify(articles), description, created_at: this.d.clock.now(), created_by: actor.userId,
      }, trx);
      await this.gate.record(trx, actor, `inspection:${inspectionId} finding:${f.id}`, { item: 'unobstructedView', camera: input.cameraId, by: input.by, articles }, scope);
      return f;
    });
    const order = await this.openWorkOrder(input.cameraId, actor.userId, `${description} (${articles.join(', ')}; inspection ${inspectionId}, finding ${finding.id})`);
    return { findingId: finding.id, cameraId: input.cameraId, articles, workOrderId: order.id, workOrderOpened: order.opened };
  }
}
