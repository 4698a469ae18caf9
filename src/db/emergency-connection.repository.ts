// Emergency connections while open (migration 0039): the one owner of the emergency_connections
// table. A row is written with the request going in use, renewed by the process holding it, taken
// over by compare-and-set on its `alive_at` when its holder went silent, and ended once.
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from './schema.js';

export interface EmergencyConnectionTable {
  request_id: number;
  upper_sip_id: string;
  opened_at: number;
  until_at: number;
  opened_by: number;
  holder: string;
  alive_at: number;
  ended_at: number | null;
}

export interface EmergencyConnectionTables {
  emergency_connections: EmergencyConnectionTable;
}

export interface EmergencyConnection {
  requestId: number;
  upperSipId: string;
  openedAt: number;
  until: number;
  openedBy: number;
  holder: string;
  aliveAt: number;
  endedAt: number | null;
}

type Q = Kysely<Database> | Transaction<Database>;

const toConnection = (r: Selectable<EmergencyConnectionTable>): EmergencyConnection => ({
  requestId: Number(r.request_id), upperSipId: r.upper_sip_id, openedAt: Number(r.opened_at), until: Number(r.until_at), openedBy: Number(r.opened_by),
  holder: r.holder, aliveAt: Number(r.alive_at), endedAt: r.ended_at === null ? null : Number(r.ended_at),
});

export class EmergencyConnectionRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A connection opened (again, after one of the same request ended: the row is replaced). */
  async open(c: Omit<EmergencyConnection, 'endedAt'>, q: Q = this.db): Promise<void> {
    await q.deleteFrom('emergency_connections').where('request_id', '=', c.requestId).execute();
    await q.insertInto('emergency_connections').values({
      request_id: c.requestId, upper_sip_id: c.upperSipId, opened_at: c.openedAt, until_at: c.until, opened_by: c.openedBy, holder: c.holder, alive_at: c.aliveAt, ended_at: null,
    }).execute();
  }

  async get(requestId: number, q: Q = this.db): Promise<EmergencyConnection | undefined> {
    const row = await q.selectFrom('emergency_connections').selectAll().where('request_id', '=', requestId).executeTakeFirst();
    return row && toConnection(row);
  }

  /** Open connections whose holder last renewed before `before`. */
  async orphans(before: number, q: Q = this.db): Promise<EmergencyConnection[]> {
    const rows = await q.selectFrom('emergency_connections').selectAll().where('ended_at', 'is', null).where('alive_at', '<', before).orderBy('request_id').execute();
    return rows.map(toConnection);
  }

  /** Takes a connection over when it is still as seen (`aliveAt`, open); false when another did first. */
  async claim(requestId: number, seenAliveAt: number, holder: string, now: number, q: Q = this.db): Promise<boolean> {
    const r = await q.updateTable('emergency_connections').set({ holder, alive_at: now })
      .where('request_id', '=', requestId).where('alive_at', '=', seenAliveAt).where('ended_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The holder says it still holds these. */
  async renew(requestIds: number[], holder: string, now: number, q: Q = this.db): Promise<void> {
    if (!requestIds.length) return;
    await q.updateTable('emergency_connections').set({ alive_at: now }).where('request_id', 'in', requestIds).where('holder', '=', holder).where('ended_at', 'is', null).execute();
  }

  /** Ends it; false when it had ended already. */
  async end(requestId: number, at: number, q: Q = this.db): Promise<boolean> {
    const r = await q.updateTable('emergency_connections').set({ ended_at: at }).where('request_id', '=', requestId).where('ended_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
