// Shares (migration 0024): the one owner of the shares, share_cameras and share_groups tables.
// A share's cameras are its own plus the current members of its groups, resolved when asked.
import { sql, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from './schema.js';

export interface ShareTable {
  id: Generated<number>;
  organisation_id: number;
  recipient_kind: string;
  recipient_ref: string;
  recipient_name: string;
  rights: string;
  purpose: string;
  approval_document: string;
  valid_from: number;
  valid_to: number;
  granted_by: number;
  granted_at: number;
  revoked_by: number | null;
  revoked_at: number | null;
  revoke_reason: string | null;
}

export interface ShareTables {
  shares: ShareTable;
  share_cameras: { share_id: number; camera_id: number };
  share_groups: { share_id: number; group_id: number };
}

export interface ShareRecord {
  id: number;
  organisationId: number;
  recipientKind: string;
  recipientRef: string;
  recipientName: string;
  rights: string[];
  purpose: string;
  approvalDocument: string;
  validFrom: number;
  validTo: number;
  grantedBy: number;
  grantedAt: number;
  revokedBy: number | null;
  revokedAt: number | null;
  revokeReason: string | null;
  cameraIds: number[];
  groupIds: number[];
}

export type NewShareRecord = Omit<ShareRecord, 'id' | 'revokedBy' | 'revokedAt' | 'revokeReason'>;

type Q = Kysely<Database> | Transaction<Database>;
const num = (v: number | null) => (v === null ? null : Number(v));

export class ShareRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async insert(s: NewShareRecord, q: Q = this.db): Promise<number> {
    const row = await q
      .insertInto('shares')
      .values({
        organisation_id: s.organisationId, recipient_kind: s.recipientKind, recipient_ref: s.recipientRef, recipient_name: s.recipientName,
        rights: JSON.stringify(s.rights), purpose: s.purpose, approval_document: s.approvalDocument, valid_from: s.validFrom, valid_to: s.validTo,
        granted_by: s.grantedBy, granted_at: s.grantedAt, revoked_by: null, revoked_at: null, revoke_reason: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const id = Number(row.id);
    if (s.cameraIds.length) await q.insertInto('share_cameras').values(s.cameraIds.map((c) => ({ share_id: id, camera_id: c }))).execute();
    if (s.groupIds.length) await q.insertInto('share_groups').values(s.groupIds.map((g) => ({ share_id: id, group_id: g }))).execute();
    return id;
  }

  /** Revokes a share not yet revoked; false when it already was. */
  async revoke(id: number, by: number, at: number, reason: string, q: Q = this.db): Promise<boolean> {
    const r = await q.updateTable('shares').set({ revoked_by: by, revoked_at: at, revoke_reason: reason }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async get(id: number, q: Q = this.db): Promise<ShareRecord | undefined> {
    const row = await q.selectFrom('shares').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? (await this.withScope([row], q))[0] : undefined;
  }

  /** Shares of these organisations (by id), newest first. */
  async list(f: { organisationIds?: number[]; recipientKind?: string; recipientRef?: string; limit: number }, q: Q = this.db): Promise<ShareRecord[]> {
    let s = q.selectFrom('shares').selectAll();
    if (f.organisationIds) s = f.organisationIds.length ? s.where('organisation_id', 'in', f.organisationIds) : s.where(sql<boolean>`1 = 0`);
    if (f.recipientKind) s = s.where('recipient_kind', '=', f.recipientKind);
    if (f.recipientRef) s = s.where('recipient_ref', '=', f.recipientRef);
    return this.withScope(await s.orderBy('id', 'desc').limit(f.limit).execute(), q);
  }

  /** Shares to one recipient that are not revoked and whose span contains `at`. */
  /**
   * Changes when a share is granted or revoked, and when one starts or ends at `at` (how many are
   * in force then): what a recipient may see can only change with it, or with the cameras.
   */
  async changeStamp(at: number, q: Q = this.db): Promise<string> {
    const all = await q.selectFrom('shares').select((e) => [e.fn.countAll<number>().as('n'), e.fn.max('id').as('last'), e.fn.count<number>('revoked_at').as('revoked')]).executeTakeFirst();
    const active = await q.selectFrom('shares').select((e) => e.fn.countAll<number>().as('n')).where('revoked_at', 'is', null).where('valid_from', '<=', at).where('valid_to', '>', at).executeTakeFirst();
    return `${Number(all?.n ?? 0)}:${Number(all?.last ?? 0)}:${Number(all?.revoked ?? 0)}:${Number(active?.n ?? 0)}`;
  }

  async activeFor(recipientKind: string, recipientRef: string, at: number, q: Q = this.db): Promise<ShareRecord[]> {
    const rows = await q
      .selectFrom('shares')
      .selectAll()
      .where('recipient_kind', '=', recipientKind)
      .where('recipient_ref', '=', recipientRef)
      .where('revoked_at', 'is', null)
      .where('valid_from', '<=', at)
      .where('valid_to', '>', at)
      .orderBy('id')
      .execute();
    return this.withScope(rows, q);
  }

  /** Current members of these groups (the group part of a share's cameras). */
  async groupMembers(groupIds: number[], q: Q = this.db): Promise<number[]> {
    if (!groupIds.length) return [];
    const rows = await q.selectFrom('camera_group_members').select('camera_id').where('group_id', 'in', groupIds).execute();
    return [...new Set(rows.map((r) => Number(r.camera_id)))];
  }

  private async withScope(rows: Selectable<ShareTable>[], q: Q): Promise<ShareRecord[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => Number(r.id));
    const cams = await q.selectFrom('share_cameras').select(['share_id', 'camera_id']).where('share_id', 'in', ids).orderBy('camera_id').execute();
    const groups = await q.selectFrom('share_groups').select(['share_id', 'group_id']).where('share_id', 'in', ids).orderBy('group_id').execute();
    return rows.map((r) => {
      const id = Number(r.id);
      return {
        id, organisationId: Number(r.organisation_id), recipientKind: r.recipient_kind, recipientRef: r.recipient_ref, recipientName: r.recipient_name,
        rights: JSON.parse(r.rights) as string[], purpose: r.purpose, approvalDocument: r.approval_document, validFrom: Number(r.valid_from), validTo: Number(r.valid_to),
        grantedBy: Number(r.granted_by), grantedAt: Number(r.granted_at), revokedBy: num(r.revoked_by), revokedAt: num(r.revoked_at), revokeReason: r.revoke_reason,
        cameraIds: cams.filter((c) => Number(c.share_id) === id).map((c) => Number(c.camera_id)),
        groupIds: groups.filter((g) => Number(g.share_id) === id).map((g) => Number(g.group_id)),
      };
    });
  }
}
