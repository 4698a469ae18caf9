// Camera health (issue 7): diagnostics, reference views, work orders, alarms, daily roll-ups and
// removal notices; plus the read-only queries over the recording index the health role needs.
import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import type { Database } from './schema.js';

export interface HealthDiagnosticTable {
  id: Generated<number>;
  camera_id: number;
  at: number;
  source: string;
  ok: number;
  findings: string;
  measures: string;
  snapshot: string | null;
}
export interface HealthReferenceTable {
  camera_id: number;
  signature: string;
  snapshot: string | null;
  set_at: number;
  set_by: number | null;
  reason: string;
}
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
export interface AlarmTable {
  id: Generated<number>;
  at: number;
  kind: string;
  severity: string;
  camera_id: number | null;
  organisation_id: number | null;
  title: string;
  detail: string;
  snapshot: string | null;
  clip_from: number | null;
  clip_to: number | null;
  reported_by: number | null;
  work_order_id: number | null;
  acknowledged_at: number | null;
  acknowledged_by: number | null;
}
export interface HealthDailyTable {
  day: string;
  camera_id: number;
  region_id: number;
  unit_id: number | null;
  online_ms: number;
  total_ms: number;
  good: number;
}
export interface CameraNoticeTable {
  id: Generated<number>;
  camera_id: number;
  kind: string;
  notice_at: number;
  planned_at: number;
  in_time: number;
  notice_days: number | null;
  article: string | null;
  reason: string;
  profile_id: string;
  filed_by: number | null;
}

export interface HealthTables {
  health_diagnostics: HealthDiagnosticTable;
  health_references: HealthReferenceTable;
  work_orders: WorkOrderTable;
  alarms: AlarmTable;
  health_daily: HealthDailyTable;
  camera_notices: CameraNoticeTable;
}

export type DiagnosticRow = Omit<Selectable<HealthDiagnosticTable>, 'ok'> & { ok: boolean };
export type WorkOrderRow = Selectable<WorkOrderTable>;
export type AlarmRow = Selectable<AlarmTable>;
export type NoticeRow = Selectable<CameraNoticeTable>;
export type NewDiagnostic = Omit<DiagnosticRow, 'id'>;
type Later = 'id' | 'note' | 'escalated_at' | 'closed_at' | 'closed_by' | 'proof_diagnostic_id' | 'responded_at' | 'responded_by' | 'police_escalated_at' | 'escalation_level' | 'plan';
type Routed = 'respond_by' | 'police_due_at' | 'managing_unit_id' | 'region_id';
export type NewWorkOrder = Omit<WorkOrderRow, Later | Routed> & Partial<Pick<WorkOrderRow, Routed>> & { note?: string; plan?: string };
export type NewAlarm = Omit<AlarmRow, 'id' | 'acknowledged_at' | 'acknowledged_by'>;

/** A camera the health role looks after: registered and in service (or marked faulty). */
export interface WatchedCamera {
  id: number;
  regionId: number;
  maintainerUnitId: number | null;
  /** Where an overdue work order goes first (管理单位); null: straight to the region's police. */
  managingUnitId?: number | null;
  sourceUrl: string | null;
  createdAt: number;
}

/** A keyframe fragment of the recording index with what is needed to read it from disk. */
export interface KeyframeRef {
  fileId: number;
  path: string;
  initSize: number;
  byteOffset: number;
  size: number;
  startMs: number;
  endMs: number;
}

export interface LinkEventRow {
  cameraId: number;
  kind: 'connected' | 'disconnected';
  atMs: number;
}

const num = (v: number | null) => (v === null ? null : Number(v));
const toDiagnostic = (r: Selectable<HealthDiagnosticTable>): DiagnosticRow => ({ ...r, id: Number(r.id), camera_id: Number(r.camera_id), at: Number(r.at), ok: Number(r.ok) === 1 });
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
const toAlarm = (r: AlarmRow): AlarmRow => ({
  ...r,
  id: Number(r.id),
  at: Number(r.at),
  camera_id: num(r.camera_id),
  organisation_id: num(r.organisation_id),
  clip_from: num(r.clip_from),
  clip_to: num(r.clip_to),
  reported_by: num(r.reported_by),
  work_order_id: num(r.work_order_id),
  acknowledged_at: num(r.acknowledged_at),
  acknowledged_by: num(r.acknowledged_by),
});

// SQLite binds at most 32766 variables per statement; id lists are cut well below that.
const CHUNK = 900;
function chunks<T>(list: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

export class HealthRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async watchedCameras(): Promise<WatchedCamera[]> {
    const rows = await this.db
      .selectFrom('cameras')
      .select(['id', 'region_id', 'maintainer_unit_id', 'managing_unit_id', 'source_url', 'created_at'])
      .where('status', 'in', ['in_service', 'fault'])
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: Number(r.id), regionId: Number(r.region_id), maintainerUnitId: num(r.maintainer_unit_id), managingUnitId: num(r.managing_unit_id), sourceUrl: r.source_url, createdAt: Number(r.created_at) }));
  }

  // ---- recording index (read only) ----

  /** The camera's newest keyframe fragments, newest first. */
  async latestKeyframes(cameraId: number, limit: number): Promise<KeyframeRef[]> {
    const rows = await this.db
      .selectFrom('recording_fragments as f')
      .innerJoin('recording_files as r', 'r.id', 'f.file_id')
      .select(['f.file_id', 'r.path', 'r.init_size', 'f.byte_offset', 'f.size', 'f.start_ms', 'f.end_ms'])
      .where('f.camera_id', '=', cameraId)
      .where('f.keyframe', '=', 1)
      .orderBy('f.start_ms', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      fileId: Number(r.file_id), path: r.path, initSize: Number(r.init_size), byteOffset: Number(r.byte_offset), size: Number(r.size), startMs: Number(r.start_ms), endMs: Number(r.end_ms),
    }));
  }

  /** Per camera: the end of its newest recorded data. */
  async lastDataEnd(cameraIds: number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const ids of chunks(cameraIds)) {
      const rows = await this.db
        .selectFrom('recording_files')
        .select(['camera_id', (eb) => eb.fn.max('ended_at').as('end')])
        .where('camera_id', 'in', ids)
        .groupBy('camera_id')
        .execute();
      for (const r of rows) out.set(Number(r.camera_id), Number(r.end));
    }
    return out;
  }

  /** Recorded stretches (files) overlapping [from, to). */
  async recordedIntervals(cameraId: number, from: number, to: number): Promise<{ startMs: number; endMs: number }[]> {
    const rows = await this.db
      .selectFrom('recording_files')
      .select(['started_at', 'ended_at'])
      .where('camera_id', '=', cameraId)
      .where('started_at', '<', to)
      .where('ended_at', '>', from)
      .orderBy('started_at')
      .execute();
    return rows.map((r) => ({ startMs: Number(r.started_at), endMs: Number(r.ended_at) }));
  }

  /** Connect and disconnect events in [from, to), and the last one before `from` per camera. */
  async linkEvents(cameraIds: number[], from: number, to: number): Promise<{ before: Map<number, LinkEventRow>; events: LinkEventRow[] }> {
    const before = new Map<number, LinkEventRow>();
    const events: LinkEventRow[] = [];
    const kinds = ['connected', 'disconnected'] as const;
    for (const ids of chunks(cameraIds)) {
      const inRange = await this.db
        .selectFrom('camera_events')
        .select(['camera_id', 'kind', 'start_ms'])
        .where('camera_id', 'in', ids)
        .where('kind', 'in', kinds)
        .where('start_ms', '>=', from)
        .where('start_ms', '<', to)
        .orderBy('start_ms')
        .orderBy('id')
        .execute();
      for (const r of inRange) events.push({ cameraId: Number(r.camera_id), kind: r.kind as LinkEventRow['kind'], atMs: Number(r.start_ms) });
      const last = await this.db
        .selectFrom('camera_events as e')
        .select(['e.camera_id', 'e.kind', 'e.start_ms'])
        .where('e.camera_id', 'in', ids)
        .where('e.kind', 'in', kinds)
        .where('e.id', 'in', (eb) =>
          eb.selectFrom('camera_events').select((x) => x.fn.max('id').as('id')).where('camera_id', 'in', ids).where('kind', 'in', kinds).where('start_ms', '<', from).groupBy('camera_id'),
        )
        .execute();
      for (const r of last) before.set(Number(r.camera_id), { cameraId: Number(r.camera_id), kind: r.kind as LinkEventRow['kind'], atMs: Number(r.start_ms) });
    }
    return { before, events };
  }

  // ---- diagnostics and references ----

  async insertDiagnostic(d: NewDiagnostic): Promise<DiagnosticRow> {
    const row = await this.db.insertInto('health_diagnostics').values({ ...d, ok: d.ok ? 1 : 0 }).returningAll().executeTakeFirstOrThrow();
    return toDiagnostic(row);
  }

  async diagnostic(id: number): Promise<DiagnosticRow | undefined> {
    const row = await this.db.selectFrom('health_diagnostics').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDiagnostic(row);
  }

  async diagnostics(cameraId: number, limit: number): Promise<DiagnosticRow[]> {
    const rows = await this.db.selectFrom('health_diagnostics').selectAll().where('camera_id', '=', cameraId).orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toDiagnostic);
  }

  /** Per camera, its newest diagnostic at or before `at`. */
  async latestDiagnostics(cameraIds: number[], at: number): Promise<Map<number, DiagnosticRow>> {
    const out = new Map<number, DiagnosticRow>();
    for (const ids of chunks(cameraIds)) {
      const rows = await this.db
        .selectFrom('health_diagnostics')
        .selectAll()
        .where('id', 'in', (eb) => eb.selectFrom('health_diagnostics').select((x) => x.fn.max('id').as('id')).where('camera_id', 'in', ids).where('at', '<=', at).groupBy('camera_id'))
        .execute();
      for (const r of rows) out.set(Number(r.camera_id), toDiagnostic(r));
    }
    return out;
  }

  async reference(cameraId: number): Promise<Selectable<HealthReferenceTable> | undefined> {
    return this.db.selectFrom('health_references').selectAll().where('camera_id', '=', cameraId).executeTakeFirst();
  }

  async setReference(r: Selectable<HealthReferenceTable>): Promise<void> {
    await this.db.deleteFrom('health_references').where('camera_id', '=', r.camera_id).execute();
    await this.db.insertInto('health_references').values(r).execute();
  }

  // ---- work orders ----

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

  // ---- alarms ----

  async insertAlarm(a: NewAlarm): Promise<AlarmRow> {
    return toAlarm(await this.db.insertInto('alarms').values(a).returningAll().executeTakeFirstOrThrow());
  }

  async alarm(id: number): Promise<AlarmRow | undefined> {
    const row = await this.db.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toAlarm(row);
  }

  async alarms(f: { afterId?: number; kind?: string; limit: number }): Promise<AlarmRow[]> {
    let q = this.db.selectFrom('alarms').selectAll();
    if (f.afterId !== undefined) q = q.where('id', '>', f.afterId);
    if (f.kind) q = q.where('kind', '=', f.kind);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map(toAlarm);
  }

  async acknowledgeAlarm(id: number, by: number, at: number): Promise<boolean> {
    const r = await this.db.updateTable('alarms').set({ acknowledged_at: at, acknowledged_by: by }).where('id', '=', id).where('acknowledged_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  // ---- daily roll-ups and notices ----

  async saveDaily(rows: Selectable<HealthDailyTable>[]): Promise<void> {
    if (!rows.length) return;
    await this.db.transaction().execute(async (trx) => {
      for (const part of chunks(rows)) {
        await trx.deleteFrom('health_daily').where('day', '=', part[0]!.day).where('camera_id', 'in', part.map((r) => r.camera_id)).execute();
        for (let i = 0; i < part.length; i += 100) await trx.insertInto('health_daily').values(part.slice(i, i + 100)).execute();
      }
    });
  }

  async daily(days: string[]): Promise<Selectable<HealthDailyTable>[]> {
    if (!days.length) return [];
    const rows = await this.db.selectFrom('health_daily').selectAll().where('day', 'in', days).execute();
    return rows.map((r) => ({ ...r, camera_id: Number(r.camera_id), region_id: Number(r.region_id), unit_id: num(r.unit_id), online_ms: Number(r.online_ms), total_ms: Number(r.total_ms), good: Number(r.good) }));
  }

  async notices(f: { cameraIds?: number[]; limit: number }): Promise<NoticeRow[]> {
    let q = this.db.selectFrom('camera_notices').selectAll();
    if (f.cameraIds) q = f.cameraIds.length ? q.where('camera_id', 'in', f.cameraIds) : q.where(sql<boolean>`1 = 0`);
    const rows = await q.orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), camera_id: Number(r.camera_id), notice_at: Number(r.notice_at), planned_at: Number(r.planned_at), in_time: Number(r.in_time), notice_days: num(r.notice_days), filed_by: num(r.filed_by) }));
  }

  async insertNotice(n: Omit<NoticeRow, 'id'>): Promise<NoticeRow> {
    const r = await this.db.insertInto('camera_notices').values(n).returningAll().executeTakeFirstOrThrow();
    return { ...r, id: Number(r.id), camera_id: Number(r.camera_id), notice_at: Number(r.notice_at), planned_at: Number(r.planned_at), notice_days: num(r.notice_days), filed_by: num(r.filed_by) };
  }
}
