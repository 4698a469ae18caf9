// Repair work orders (issue 7): opened on a diagnosis or by hand, one active per camera, moved
// only from the state they are in, escalated a level at a time (maintainer, managing unit, police).
import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface WorkOrderTable {
  id: Generated<number>;
  camera_id: number;
  maintainer_unit_id: number | null;
  cause: string;
  state: string;
  opened_at: number;
  opened_by: number | null;
  due_at: number | null;
  deadline_hours: number | null;
  deadline_article: string | null;
  deadline_basis: string;
  profile_id: string;
  findings: string;
  diagnostic_id: number | null;
  escalated_at: number | null;
  closed_at: number | null;
  closed_by: number | null;
  proof_diagnostic_id: number | null;
  note: Generated<string>;
  // 0009: "at once" made checkable — response, escalation ladder, routing, the plan as JSON.
  respond_by: number | null;
  responded_at: number | null;
  responded_by: number | null;
  police_due_at: number | null;
  police_escalated_at: number | null;
  escalation_level: Generated<number>;
  managing_unit_id: number | null;
  region_id: number | null;
  plan: Generated<string>;
}
export type WorkOrderRow = Selectable<WorkOrderTable>;
type Later = 'id' | 'note' | 'escalated_at' | 'closed_at' | 'closed_by' | 'proof_diagnostic_id' | 'responded_at' | 'responded_by' | 'police_escalated_at' | 'escalation_level' | 'plan';
type Routed = 'respond_by' | 'police_due_at' | 'managing_unit_id' | 'region_id';
export type NewWorkOrder = Omit<WorkOrderRow, Later | Routed> & Partial<Pick<WorkOrderRow, Routed>> & { note?: string; plan?: string };

const num = (v: number | null) => (v === null ? null : Number(v));
const toOrder = (r: WorkOrderRow): WorkOrderRow => ({
  ...r,
  id: Number(r.id),
  camera_id: Number(r.camera_id),
  maintainer_unit_id: num(r.maintainer_unit_id),
  opened_at: Number(r.opened_at),
  opened_by: num(r.opened_by),
  due_at: num(r.due_at),
  deadline_hours: num(r.deadline_hours),
  diagnostic_id: num(r.diagnostic_id),
  escalated_at: num(r.escalated_at),
  respond_by: num(r.respond_by),
  responded_at: num(r.responded_at),
  responded_by: num(r.responded_by),
  police_due_at: num(r.police_due_at),
  police_escalated_at: num(r.police_escalated_at),
  escalation_level: Number(r.escalation_level ?? 0),
  managing_unit_id: num(r.managing_unit_id),
  region_id: num(r.region_id),
  closed_at: num(r.closed_at),
  closed_by: num(r.closed_by),
  proof_diagnostic_id: num(r.proof_diagnostic_id),
});

export class WorkOrderRepository {
  constructor(private readonly db: Kysely<Database>) {}


  async insertWorkOrder(o: NewWorkOrder): Promise<WorkOrderRow> {
    return toOrder(await this.db.insertInto('work_orders').values(o).returningAll().executeTakeFirstOrThrow());
  }

  async workOrder(id: number): Promise<WorkOrderRow | undefined> {
    const row = await this.db.selectFrom('work_orders').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toOrder(row);
  }

  /** The camera's order still open (or escalated), if any: one at a time per camera. */
  async activeWorkOrder(cameraId: number): Promise<WorkOrderRow | undefined> {
    const row = await this.db.selectFrom('work_orders').selectAll().where('camera_id', '=', cameraId).where('state', '!=', 'closed').orderBy('id', 'desc').limit(1).executeTakeFirst();
    return row && toOrder(row);
  }

  async workOrders(f: { state?: string; cameraIds?: number[]; limit: number; offset: number }): Promise<WorkOrderRow[]> {
    let q = this.db.selectFrom('work_orders').selectAll();
    if (f.state) q = q.where('state', '=', f.state);
    if (f.cameraIds) q = f.cameraIds.length ? q.where('camera_id', 'in', f.cameraIds) : q.where(sql<boolean>`1 = 0`);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).offset(f.offset).execute();
    return rows.map(toOrder);
  }

  /** Open orders whose deadline has passed. */
  async overdueWorkOrders(now: number): Promise<WorkOrderRow[]> {
    const rows = await this.db.selectFrom('work_orders').selectAll().where('state', '=', 'open').where('due_at', 'is not', null).where('due_at', '<', now).execute();
    return rows.map(toOrder);
  }

  /**
   * Orders that may be due for their next escalation step at `now`: not closed, and past the
   * repair or response deadline (level 0) or the police deadline (level 1). The pure rule
   * (deadlines.ts nextEscalation) decides; this only narrows the rows.
   */
  async escalationCandidates(now: number): Promise<WorkOrderRow[]> {
    const rows = await this.db
      .selectFrom('work_orders')
      .selectAll()
      .where('state', '!=', 'closed')
      .where((eb) =>
        eb.or([
          eb.and([eb('escalation_level', '=', 0), eb.or([eb('due_at', '<', now), eb.and([eb('respond_by', '<', now), eb('responded_at', 'is', null)])])]),
          eb.and([eb('escalation_level', '=', 1), eb('police_due_at', '<', now)]),
        ]),
      )
      .orderBy('id')
      .execute();
    return rows.map(toOrder);
  }

  /** Records the maintainer's response once; false when already responded or closed. */
  async respondToWorkOrder(id: number, by: number, at: number): Promise<boolean> {
    const r = await this.db.updateTable('work_orders').set({ responded_at: at, responded_by: by }).where('id', '=', id).where('responded_at', 'is', null).where('state', '!=', 'closed').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Moves an order one step up its ladder; false when it was no longer at `fromLevel` (raced) or closed. */
  async escalateWorkOrder(id: number, fromLevel: number, set: Partial<Pick<WorkOrderRow, 'escalated_at' | 'police_escalated_at'>> & { escalation_level: number }): Promise<boolean> {
    const r = await this.db.updateTable('work_orders').set({ ...set, state: 'escalated' }).where('id', '=', id).where('escalation_level', '=', fromLevel).where('state', '!=', 'closed').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async countWorkOrders(): Promise<{ state: string; overdue: boolean; count: number }[]> {
    const rows = await this.db
      .selectFrom('work_orders')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', '!=', 'closed')
      .groupBy('state')
      .execute();
    return rows.map((r) => ({ state: r.state, overdue: r.state === 'escalated', count: Number(r.n) }));
  }

  /** Orders not closed, by escalation level (0 maintainer, 1 managing unit, 2 police). */
  async countByEscalation(): Promise<{ level: number; count: number }[]> {
    const rows = await this.db
      .selectFrom('work_orders')
      .select(['escalation_level', (eb) => eb.fn.countAll<number>().as('n')])
      .where('state', '!=', 'closed')
      .groupBy('escalation_level')
      .execute();
    return rows.map((r) => ({ level: Number(r.escalation_level), count: Number(r.n) }));
  }

  /** Moves an order from one state to another; false when it was no longer in `from` (raced). */
  async transitionWorkOrder(id: number, from: string, set: Partial<Pick<WorkOrderRow, 'state' | 'escalated_at' | 'closed_at' | 'closed_by' | 'proof_diagnostic_id' | 'note'>>): Promise<boolean> {
    const r = await this.db.updateTable('work_orders').set(set).where('id', '=', id).where('state', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
