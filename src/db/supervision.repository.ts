// Lifecycle and supervision (issue 8): systems, their cameras, acceptance, filings, relocation
// notices, documents, the archive's parties, inspections, findings, rectification orders,
// penalties and complaints; plus the read-only queries over the registry, the recording index,
// the register and the health roll-ups that inspections and the compliance report need.
import { sql, type Generated, type Insertable, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import { chunks } from './chunks.js';
import type { Database } from './schema.js';

type Id = Generated<number>;
type Ms = number;

export interface SystemTable {
  id: Id; name: string; region_id: number; funding: string;
  builder_unit_id: number | null; user_unit_id: number | null; managing_unit_id: number | null; maintainer_unit_id: number | null;
  built_before_rules: number; rules_effective_at: Ms | null; state: string; acceptance: string | null;
  accepted_at: Ms | null; in_service_at: Ms | null; removed_at: Ms | null; created_at: Ms; updated_at: Ms;
}
export interface SystemCameraTable { camera_id: number; system_id: number }
export interface SystemAcceptanceTable { id: Id; system_id: number; at: Ms; result: string; organised_by: string; note: string; recorded_by: number | null; recorded_at: Ms }
export interface SupervisionDocumentTable {
  id: Id; system_id: number; purpose: string; category: string; ref_id: number | null; title: string;
  sha256: string; type: string; size: number; added_at: Ms; added_by: number | null;
}
export interface FilingTable {
  id: Id; system_id: number; submitted_at: Ms; submitted_by: number | null; profile_id: string;
  due_at: Ms | null; deadline_article: string | null; deadline_basis: string; device_types: string; points: string;
  received_at: Ms | null; received_by: number | null; visit_due_at: Ms | null; visit_article: string | null; visit_basis: string | null;
  visited_at: Ms | null; visited_by: number | null; visit_note: string | null;
}
export interface RelocationTable {
  id: Id; system_id: number; kind: string; camera_ids: string; profile_id: string; notice_at: Ms; planned_at: Ms;
  in_time: number; notice_days: number | null; notice_article: string | null; notice_reason: string; plan: string;
  works_at: Ms | null; disposition: string | null; disposition_note: string | null; disposition_at: Ms | null; disposition_by: number | null;
  supervised_at: Ms | null; supervised_by: number | null; filed_by: number | null;
}
export interface ArchivePartyTable { id: Id; system_id: number; role: string; firm: string; licence: string; technicians: string; added_at: Ms; added_by: number | null }
export interface InspectionTable {
  id: Id; unit_id: number; inspector_id: number; profile_id: string; started_at: Ms; checklist: string; observations: string;
  evaluated_at: Ms; state: string; closed_at: Ms | null; note: string;
}
export interface InspectionFindingTable { id: Id; inspection_id: number; item_key: string; articles: string; description: string; created_at: Ms; created_by: number | null }
export interface RectificationTable {
  id: Id; inspection_id: number; unit_id: number; finding_ids: string; articles: string; requirement: string;
  ordered_at: Ms; ordered_by: number | null; due_at: Ms; state: string; reported_at: Ms | null; reported_by: number | null;
  report_note: string | null; closed_at: Ms | null; closed_by: number | null; follow_ups: string;
}
export interface PenaltyTable {
  id: Id; inspection_id: number; rectification_id: number | null; unit_id: number; article: string; payer: string; amount_yuan: number;
  fine_condition: string | null; serious_reason: string | null; decided_at: Ms; decided_by: number | null; note: string;
}
export interface ComplaintTable {
  id: Id; received_at: Ms; region_id: number | null; about: string; text: string; name: string | null; contact: string | null;
  source_address: string | null; state: string; handled_at: Ms | null; handled_by: number | null; outcome: string | null;
}

/** 0022: records an inspection reads (design review, emergency plan, security checks, training, rosters). */
export interface DutyRecordTable {
  id: Id; kind: string; unit_id: number; system_id: number | null; title: string; held_at: Ms; valid_until: Ms | null;
  participants: string; document_sha256: string | null; articles: string; recorded_by: number; recorded_at: Ms;
}

export interface SupervisionTables {
  systems: SystemTable;
  system_cameras: SystemCameraTable;
  system_acceptances: SystemAcceptanceTable;
  supervision_documents: SupervisionDocumentTable;
  filings: FilingTable;
  relocations: RelocationTable;
  archive_parties: ArchivePartyTable;
  inspections: InspectionTable;
  inspection_findings: InspectionFindingTable;
  rectifications: RectificationTable;
  penalties: PenaltyTable;
  complaints: ComplaintTable;
  duty_records: DutyRecordTable;
}

export type SystemRow = Selectable<SystemTable>;
export type AcceptanceRow = Selectable<SystemAcceptanceTable>;
export type DocumentRow = Selectable<SupervisionDocumentTable>;
export type FilingRow = Selectable<FilingTable>;
export type RelocationRow = Selectable<RelocationTable>;
export type PartyRow = Selectable<ArchivePartyTable>;
export type InspectionRow = Selectable<InspectionTable>;
export type FindingRow = Selectable<InspectionFindingTable>;
export type RectificationRow = Selectable<RectificationTable>;
export type PenaltyRow = Selectable<PenaltyTable>;
export type ComplaintRow = Selectable<ComplaintTable>;
export type DutyRecordRow = Selectable<DutyRecordTable>;

type Q = Kysely<Database> | Transaction<Database>;
type Table = keyof SupervisionTables;

/** Camera fields an inspection reads. */
export interface SystemCamera {
  id: number; name: string; gbId: string; deviceType: string; status: string; inServiceDate: string | null;
  signage: boolean; placeCategory: string; regionId: number; longitude: number | null; latitude: number | null; address: string;
}

/**
 * The generic helpers below pick their table by a type parameter, which Kysely's builder types
 * cannot follow; their signatures carry the row types instead.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const loose = (q: Q) => q as unknown as Kysely<any>;

export class SupervisionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  // ---- generic rows: every table here has an integer id ----

  async insert<T extends Exclude<Table, 'system_cameras'>>(table: T, row: Insertable<SupervisionTables[T]>, q: Q = this.db): Promise<Selectable<SupervisionTables[T]>> {
    // Kysely cannot follow a table name chosen by a type parameter; the row type above is checked.
    return (await loose(q).insertInto(table).values(row).returningAll().executeTakeFirstOrThrow()) as Selectable<SupervisionTables[T]>;
  }

  async get<T extends Exclude<Table, 'system_cameras'>>(table: T, id: number, q: Q = this.db): Promise<Selectable<SupervisionTables[T]> | undefined> {
    return (await loose(q).selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst()) as Selectable<SupervisionTables[T]> | undefined;
  }

  /** Updates one row; with `whereState`, only while it is still in that state (false when raced). */
  async update<T extends Exclude<Table, 'system_cameras'>>(table: T, id: number, set: Updateable<SupervisionTables[T]>, q: Q = this.db, whereState?: string): Promise<boolean> {
    let u = loose(q).updateTable(table as string).set(set as never).where('id', '=', id);
    if (whereState !== undefined) u = u.where('state', '=', whereState);
    const r = await u.executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Rows of a table where `column` equals `value`, oldest first. */
  async where<T extends Exclude<Table, 'system_cameras'>>(table: T, column: string, value: number | string, q: Q = this.db): Promise<Selectable<SupervisionTables[T]>[]> {
    return (await loose(q).selectFrom(table).selectAll().where(column, '=', value).orderBy('id').execute()) as Selectable<SupervisionTables[T]>[];
  }

  /** Every row of a table, oldest first. */
  async all<T extends Exclude<Table, 'system_cameras'>>(table: T, q: Q = this.db): Promise<Selectable<SupervisionTables[T]>[]> {
    return (await loose(q).selectFrom(table).selectAll().orderBy('id').execute()) as Selectable<SupervisionTables[T]>[];
  }

  // ---- systems and their cameras ----

  async systems(f: { regionPaths?: string[]; unitId?: number } = {}): Promise<SystemRow[]> {
    let q = this.db.selectFrom('systems').innerJoin('organisations as o', 'o.id', 'systems.region_id').selectAll('systems');
    if (f.unitId !== undefined) {
      const u = f.unitId;
      q = q.where((eb) => eb.or([eb('systems.builder_unit_id', '=', u), eb('systems.user_unit_id', '=', u), eb('systems.managing_unit_id', '=', u), eb('systems.maintainer_unit_id', '=', u)]));
    }
    if (f.regionPaths) {
      const paths = f.regionPaths;
      if (!paths.length) return [];
      if (!paths.includes('')) q = q.where((eb) => eb.or(paths.map((p) => eb('o.path', 'like', `${p}%`))));
    }
    return q.orderBy('systems.id').execute();
  }

  async cameraIdsOf(systemId: number, q: Q = this.db): Promise<number[]> {
    const rows = await q.selectFrom('system_cameras').select('camera_id').where('system_id', '=', systemId).orderBy('camera_id').execute();
    return rows.map((r) => Number(r.camera_id));
  }

  /** Which system each camera belongs to. */
  async systemOfCameras(cameraIds: number[], q: Q = this.db): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const ids of chunks(cameraIds)) {
      const rows = await q.selectFrom('system_cameras').selectAll().where('camera_id', 'in', ids).execute();
      for (const r of rows) out.set(Number(r.camera_id), Number(r.system_id));
    }
    return out;
  }

  async attachCameras(systemId: number, cameraIds: number[], q: Q = this.db): Promise<void> {
    for (const part of chunks(cameraIds)) if (part.length) await q.insertInto('system_cameras').values(part.map((camera_id) => ({ camera_id, system_id: systemId }))).execute();
  }

  async detachCameras(systemId: number, cameraIds: number[], q: Q = this.db): Promise<void> {
    for (const part of chunks(cameraIds)) if (part.length) await q.deleteFrom('system_cameras').where('system_id', '=', systemId).where('camera_id', 'in', part).execute();
  }

  async cameras(cameraIds: number[]): Promise<SystemCamera[]> {
    const out: SystemCamera[] = [];
    for (const ids of chunks(cameraIds)) {
      const rows = await this.db
        .selectFrom('cameras')
        .select(['id', 'name', 'gb_id', 'device_type', 'status', 'in_service_date', 'signage', 'place_category', 'region_id', 'longitude', 'latitude', 'address'])
        .where('id', 'in', ids)
        .orderBy('id')
        .execute();
      for (const r of rows) {
        out.push({
          id: Number(r.id), name: r.name, gbId: r.gb_id, deviceType: r.device_type, status: r.status, inServiceDate: r.in_service_date, signage: Number(r.signage) === 1,
          placeCategory: r.place_category, regionId: Number(r.region_id), longitude: r.longitude, latitude: r.latitude, address: r.address,
        });
      }
    }
    return out;
  }

  /** Cameras a unit owns, uses, manages or maintains (an inspection looks at all of them). */
  async cameraIdsOfUnit(unitId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('cameras')
      .select('id')
      .where((eb) => eb.or([eb('owner_unit_id', '=', unitId), eb('user_unit_id', '=', unitId), eb('managing_unit_id', '=', unitId), eb('maintainer_unit_id', '=', unitId)]))
      .orderBy('id')
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Every camera in service with its region, for the compliance report. */
  async camerasInService(): Promise<{ id: number; regionId: number; inServiceDate: string | null }[]> {
    const rows = await this.db.selectFrom('cameras').select(['id', 'region_id', 'in_service_date']).where('status', '=', 'in_service').orderBy('id').execute();
    return rows.map((r) => ({ id: Number(r.id), regionId: Number(r.region_id), inServiceDate: r.in_service_date }));
  }

  // ---- documents ----

  async documents(systemId: number, purpose?: string): Promise<DocumentRow[]> {
    let q = this.db.selectFrom('supervision_documents').selectAll().where('system_id', '=', systemId);
    if (purpose) q = q.where('purpose', '=', purpose);
    return q.orderBy('id').execute();
  }

  // ---- register and health figures (read only) ----

  /** Register entries naming any of these cameras (through the register's camera index). */
  async registerEntries(cameraIds: number[]): Promise<number> {
    const seqs = new Set<number>();
    for (const ids of chunks(cameraIds)) {
      const rows = await this.db.selectFrom('audit_refs').select('seq').where('kind', '=', 'camera').where('ref', 'in', ids).execute();
      for (const r of rows) seqs.add(Number(r.seq));
    }
    return seqs.size;
  }

  /** The newest day of health figures for these cameras: how many were good of how many (cameras down under confirmed force majeure, HRB-25(3), left out). */
  async goodRate(cameraIds: number[]): Promise<{ day: string; good: number; total: number } | null> {
    if (!cameraIds.length) return null;
    let day: string | null = null;
    for (const ids of chunks(cameraIds)) {
      const r = await this.db.selectFrom('health_daily').select((eb) => eb.fn.max('day').as('day')).where('camera_id', 'in', ids).executeTakeFirst();
      if (r?.day && (day === null || r.day > day)) day = r.day;
    }
    if (day === null) return null;
    let good = 0;
    let total = 0;
    for (const ids of chunks(cameraIds)) {
      const r = await this.db
        .selectFrom('health_daily')
        .select([(eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.sum<number>('good').as('good')])
        .where('day', '=', day)
        .where('camera_id', 'in', ids)
        .where('excused', '=', 0)
        .executeTakeFirst();
      total += Number(r?.n ?? 0);
      good += Number(r?.good ?? 0);
    }
    return { day, good, total };
  }

  // ---- lists for the supervisors ----

  async openRectifications(unitIds?: number[]): Promise<RectificationRow[]> {
    let q = this.db.selectFrom('rectifications').selectAll().where('state', '!=', 'closed');
    if (unitIds) {
      if (!unitIds.length) return [];
      q = q.where('unit_id', 'in', unitIds);
    }
    return q.orderBy('due_at').execute();
  }

  /** Complaints received since `since` from one address, or about one region (null: about none). */
  async countComplaints(since: number, by: { sourceAddress: string } | { regionId: number | null }, q: Kysely<Database> | Transaction<Database> = this.db): Promise<number> {
    let query = q.selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).where('received_at', '>=', since);
    if ('sourceAddress' in by) query = query.where('source_address', '=', by.sourceAddress);
    else query = by.regionId === null ? query.where('region_id', 'is', null) : query.where('region_id', '=', by.regionId);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  async complaints(regionPaths: string[]): Promise<ComplaintRow[]> {
    if (!regionPaths.length) return [];
    const everything = regionPaths.includes('');
    const rows = await this.db
      .selectFrom('complaints')
      .leftJoin('organisations as o', 'o.id', 'complaints.region_id')
      .selectAll('complaints')
      .select('o.path')
      .orderBy('complaints.id', 'desc')
      .limit(500)
      .execute();
    // A complaint naming no region reaches only platform-wide supervisors.
    return rows.filter((r) => everything || (r.path !== null && regionPaths.some((p) => r.path!.startsWith(p)))).map(({ path: _p, ...c }) => c);
  }

  async countWhere(table: 'filings' | 'inspections', column: string, value: number): Promise<number> {
    const r = await loose(this.db).selectFrom(table).select(sql<number>`count(*)`.as('n')).where(column, '=', value).executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
