// Legal holds (migration 0005): footage of a camera kept past its period until released.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type HoldState = 'active' | 'release_requested' | 'released';

export interface LegalHoldTable {
  id: Generated<number>;
  camera_id: number;
  range_from: number | null;
  range_to: number | null;
  case_ref: string;
  reason: string;
  state: HoldState;
  placed_by: number;
  placed_at: number;
  release_requested_by: number | null;
  release_requested_at: number | null;
  release_reason: string | null;
  released_by: number | null;
  released_at: number | null;
}

export interface LegalHoldTables {
  legal_holds: LegalHoldTable;
}

export type LegalHoldRow = Selectable<LegalHoldTable>;

export class LegalHoldRepository {
  constructor(readonly db: Kysely<Database>) {}

  async holds(states: HoldState[] = ['active', 'release_requested']): Promise<LegalHoldRow[]> {
    return this.db.selectFrom('legal_holds').selectAll().where('state', 'in', states).orderBy('id').execute();
  }

  async hold(id: number): Promise<LegalHoldRow | undefined> {
    return this.db.selectFrom('legal_holds').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async holdsOfCamera(cameraId: number): Promise<LegalHoldRow[]> {
    return this.db.selectFrom('legal_holds').selectAll().where('camera_id', '=', cameraId).orderBy('id').execute();
  }

  async insertHold(trx: Transaction<Database>, h: Omit<LegalHoldRow, 'id'>): Promise<LegalHoldRow> {
    return trx.insertInto('legal_holds').values(h).returningAll().executeTakeFirstOrThrow();
  }

  /** Moves a hold from one state to the next; false when it was no longer in `from`. */
  async updateHold(trx: Transaction<Database>, id: number, from: HoldState, set: Partial<Omit<LegalHoldRow, 'id'>>): Promise<boolean> {
    const r = await trx.updateTable('legal_holds').set(set).where('id', '=', id).where('state', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The ranges a camera's holds keep (active or awaiting release), read in the caller's transaction. */
  async heldRanges(trx: Transaction<Database>, cameraId: number): Promise<{ from: number | null; to: number | null }[]> {
    const rows = await trx.selectFrom('legal_holds').select(['range_from', 'range_to']).where('camera_id', '=', cameraId).where('state', 'in', ['active', 'release_requested']).execute();
    return rows.map((h) => ({ from: h.range_from, to: h.range_to }));
  }
}
