// Storage of access requests and their officers.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

export interface AccessRequestTable {
  id: Generated<number>;
  kind: string;
  state: string;
  requester_id: number;
  requester_kind: string;
  requesting_unit: string;
  purpose: string;
  case_number: string | null;
  destination: string;
  custodian_id: number;
  profile_id: string;
  camera_ids: string;
  range_from: number;
  range_to: number;
  validity_ms: number;
  valid_until: number | null;
  document_sha256: string | null;
  document_type: string | null;
  approvals: string;
  decision_reason: string | null;
  decided_by: number | null;
  created_at: number;
  updated_at: number;
}

export interface AccessRequestOfficerTable {
  request_id: number;
  position: number;
  user_id: number;
  work_id: string;
  confirmed_at: number | null;
}

export interface AccessRequestTables {
  access_requests: AccessRequestTable;
  access_request_officers: AccessRequestOfficerTable;
}

export type AccessRequestRow = Omit<Selectable<AccessRequestTable>, 'camera_ids' | 'approvals'> & {
  camera_ids: number[];
  approvals: { userId: number; role: 'approver' | 'supervisor'; side?: 'requester' | 'custodian'; at: number }[];
  officers: { userId: number; workId: string; confirmedAt: number | null }[];
};

export type NewAccessRequest = Omit<AccessRequestRow, 'id' | 'officers'>;

type Q = Kysely<Database> | Transaction<Database>;
const num = (v: number | null) => (v === null ? null : Number(v));

export class AccessRequestRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(r: NewAccessRequest, officers: { userId: number; workId: string }[], q: Q = this.db): Promise<number> {
    const row = await q
      .insertInto('access_requests')
      .values({ ...r, camera_ids: JSON.stringify(r.camera_ids), approvals: JSON.stringify(r.approvals) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    await this.setOfficers(id, officers, q);
    return id;
  }

  async setOfficers(id: number, officers: { userId: number; workId: string }[], q: Q = this.db): Promise<void> {
    await q.deleteFrom('access_request_officers').where('request_id', '=', id).execute();
    if (officers.length) {
      await q
        .insertInto('access_request_officers')
        .values(officers.map((o, i) => ({ request_id: id, position: i, user_id: o.userId, work_id: o.workId, confirmed_at: null })))
        .execute();
    }
  }

  async update(id: number, patch: Partial<NewAccessRequest>, q: Q = this.db): Promise<void> {
    const { camera_ids, approvals, ...rest } = patch;
    await q
      .updateTable('access_requests')
      .set({ ...rest, ...(camera_ids ? { camera_ids: JSON.stringify(camera_ids) } : {}), ...(approvals ? { approvals: JSON.stringify(approvals) } : {}) })
      .where('id', '=', id)
      .execute();
  }

  /**
   * Updates only if nobody changed the request since it was read (`updated_at` as read), so two
   * approvers deciding at once cannot both win. Returns whether the row was updated.
   */
  async updateIf(id: number, readAt: number, patch: Partial<NewAccessRequest>, q: Q = this.db): Promise<boolean> {
    const { camera_ids, approvals, ...rest } = patch;
    const r = await q
      .updateTable('access_requests')
      .set({ ...rest, ...(camera_ids ? { camera_ids: JSON.stringify(camera_ids) } : {}), ...(approvals ? { approvals: JSON.stringify(approvals) } : {}) })
      .where('id', '=', id)
      .where('updated_at', '=', readAt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async confirmOfficer(id: number, userId: number, at: number, q: Q = this.db): Promise<void> {
    await q.updateTable('access_request_officers').set({ confirmed_at: at }).where('request_id', '=', id).where('user_id', '=', userId).execute();
  }

  async get(id: number, q: Q = this.db): Promise<AccessRequestRow | undefined> {
    const r = await q.selectFrom('access_requests').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    const officers = await q.selectFrom('access_request_officers').selectAll().where('request_id', '=', id).orderBy('position').execute();
    return {
      ...r,
      id: Number(r.id),
      requester_id: Number(r.requester_id),
      custodian_id: Number(r.custodian_id),
      range_from: Number(r.range_from),
      range_to: Number(r.range_to),
      validity_ms: Number(r.validity_ms),
      valid_until: num(r.valid_until),
      decided_by: num(r.decided_by),
      created_at: Number(r.created_at),
      updated_at: Number(r.updated_at),
      camera_ids: JSON.parse(r.camera_ids) as number[],
      approvals: JSON.parse(r.approvals) as AccessRequestRow['approvals'],
      officers: officers.map((o) => ({ userId: Number(o.user_id), workId: o.work_id, confirmedAt: num(o.confirmed_at) })),
    };
  }

  /** Requests a user made or is an officer on, newest first. */
  async idsInvolving(userId: number, q: Q = this.db): Promise<number[]> {
    const rows = await q
      .selectFrom('access_requests')
      .select('id')
      .where((eb) => eb.or([eb('requester_id', '=', userId), eb('id', 'in', eb.selectFrom('access_request_officers').select('request_id').where('user_id', '=', userId))]))
      .orderBy('id', 'desc')
      .limit(500)
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** Requests whose custodian lies under one of these paths, newest first. */
  async idsForCustodians(scopes: string[], q: Q = this.db): Promise<number[]> {
    if (!scopes.length) return [];
    let query = q.selectFrom('access_requests').innerJoin('organisations', 'organisations.id', 'access_requests.custodian_id').select('access_requests.id');
    if (!scopes.includes('')) query = query.where((eb) => eb.or(scopes.map((s) => eb('organisations.path', 'like', `${s}%`))));
    const rows = await query.orderBy('access_requests.id', 'desc').limit(500).execute();
    return rows.map((r) => Number(r.id));
  }

  /** Requests made by someone holding a role within these scopes (the requester's side decides, AH-21, WH-25). */
  async idsForRequesterScopes(scopes: string[], q: Q = this.db): Promise<number[]> {
    if (!scopes.length) return [];
    let query = q
      .selectFrom('access_requests')
      .innerJoin('role_grants', 'role_grants.user_id', 'access_requests.requester_id')
      .innerJoin('organisations', 'organisations.id', 'role_grants.organisation_id')
      .select('access_requests.id')
      .distinct();
    if (!scopes.includes('')) query = query.where((eb) => eb.or(scopes.map((s) => eb('organisations.path', 'like', `${s}%`))));
    const rows = await query.orderBy('access_requests.id', 'desc').limit(500).execute();
    return rows.map((r) => Number(r.id));
  }

  /** Approved or in-use requests naming this camera that the user takes part in. */
  async usableFor(userId: number, cameraId: number, q: Q = this.db): Promise<AccessRequestRow[]> {
    const ids = await this.idsInvolving(userId, q);
    const out: AccessRequestRow[] = [];
    for (const id of ids) {
      const r = await this.get(id, q);
      if (r && (r.state === 'approved' || r.state === 'in_use') && r.camera_ids.includes(cameraId)) out.push(r);
    }
    return out;
  }
}
