// Camera health (issue 7): diagnostics, reference views, alarms, daily roll-ups and removal
// notices; plus the read-only queries over the recording index the health role needs. Work
// orders have their own repository (work-order.repository.ts).
import { sql, type Generated, type Insertable, type Kysely, type Selectable } from 'kysely';
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
