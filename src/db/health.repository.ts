// Camera health (issue 7): diagnostics, reference views, alarms, daily roll-ups and removal
// notices; plus the read-only queries over the recording index the health role needs. Work
// orders have their own repository (work-order.repository.ts).
import { sql, type Generated, type Insertable, type Kysely, type Selectable } from 'kysely';
import { chunks } from './chunks.js';
import { camerasWithin, organisationsWithin, scoped, type EventPageFilter } from './event-page.js';
import type { Database } from './schema.js';
import type { WorkOrderTable } from './work-order.repository.js';

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
  /** 0019: offline camera-time inside confirmed force-majeure spans, left out of total_ms. */
  excluded_ms: Generated<number>;
  /** 0019: 1 when the camera was down under confirmed force majeure at the evaluation instant (out of the good rate). */
  excused: Generated<number>;
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
export type AlarmRow = Selectable<AlarmTable>;
export type NoticeRow = Selectable<CameraNoticeTable>;
export type NewDiagnostic = Omit<DiagnosticRow, 'id'>;
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

const num = (v: number | null) => (v === null ? null : Number(v));
const toDiagnostic = (r: Selectable<HealthDiagnosticTable>): DiagnosticRow => ({ ...r, id: Number(r.id), camera_id: Number(r.camera_id), at: Number(r.at), ok: Number(r.ok) === 1 });
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

  /** Alarms of cameras raised in [from, to), newest first, one page (the event list across cameras). */
  async alarmsAcross(f: EventPageFilter): Promise<AlarmRow[]> {
    let q = this.db.selectFrom('alarms').selectAll().where('at', '>=', f.from).where('at', '<', f.to);
    q = q.where((eb) => {
      const onCamera = [eb('camera_id', 'is not', null)];
      if (f.cameraIds) onCamera.push(eb('camera_id', 'in', f.cameraIds.length ? f.cameraIds : [-1]));
      if (scoped(f)) onCamera.push(eb('camera_id', 'in', camerasWithin(this.db, f.scopePaths)));
      const either = [eb.and(onCamera)];
      if (f.withoutCamera && !f.cameraIds) {
        const routed = [eb('camera_id', 'is', null), eb('organisation_id', 'is not', null)];
        if (scoped(f)) routed.push(eb('organisation_id', 'in', organisationsWithin(this.db, f.scopePaths)));
        either.push(eb.and(routed));
        if (f.withoutCamera.platformWide) either.push(eb.and([eb('camera_id', 'is', null), eb('organisation_id', 'is', null)]));
      }
      return eb.or(either);
    });
    if (f.kinds) q = q.where('kind', 'in', f.kinds.length ? f.kinds : ['']);
    if (f.severities) q = q.where('severity', 'in', f.severities.length ? f.severities : ['']);
    const b = f.before;
    if (b) q = q.where((eb) => eb.or([eb('at', '<', b.at), eb.and([eb('at', '=', b.at), eb('id', '<', b.id)])]));
    const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(f.limit).execute();
    return rows.map(toAlarm);
  }

  async acknowledgeAlarm(id: number, by: number, at: number): Promise<boolean> {
    const r = await this.db.updateTable('alarms').set({ acknowledged_at: at, acknowledged_by: by }).where('id', '=', id).where('acknowledged_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  // ---- daily roll-ups and notices ----

  async saveDaily(rows: Insertable<HealthDailyTable>[]): Promise<void> {
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
    return rows.map((r) => ({ ...r, camera_id: Number(r.camera_id), region_id: Number(r.region_id), unit_id: num(r.unit_id), online_ms: Number(r.online_ms), total_ms: Number(r.total_ms), good: Number(r.good), excluded_ms: Number(r.excluded_ms ?? 0), excused: Number(r.excused ?? 0) }));
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
