// What the processes of a cluster share besides the index (migration 0035, issue 22): the one
// owner of cluster_keys (secret keys every node must agree on, made once by whichever process
// first asks) and cluster_events (the event stream every API node reads, whatever node published).
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface ClusterKeyTable {
  name: string;
  secret: string;
  created_at: number;
}

export interface ClusterEventTable {
  id: import('kysely').Generated<number>;
  origin: string;
  at: number;
  body: string;
}

export interface ClusterTables {
  cluster_keys: ClusterKeyTable;
  cluster_events: ClusterEventTable;
}

export interface StoredClusterEvent {
  id: number;
  origin: string;
  at: number;
  body: string;
}

export class ClusterRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The shared secret called `name`: made (32 random bytes) by the first process that asks, read
   * by every other. Two processes asking at once agree: the insert that loses does nothing.
   */
  async key(name: string, now: number): Promise<Buffer> {
    await this.db
      .insertInto('cluster_keys')
      .values({ name, secret: randomBytes(32).toString('base64'), created_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('cluster_keys').select('secret').where('name', '=', name).executeTakeFirstOrThrow();
    return Buffer.from(row.secret, 'base64');
  }

  async appendEvent(origin: string, at: number, body: string): Promise<number> {
    const row = await this.db.insertInto('cluster_events').values({ origin, at, body }).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** Events with an id above `afterId`, oldest first. */
  async eventsAfter(afterId: number, limit: number): Promise<StoredClusterEvent[]> {
    const rows = await this.db.selectFrom('cluster_events').selectAll().where('id', '>', afterId).orderBy('id').limit(limit).execute();
    return rows.map((r) => ({ id: Number(r.id), origin: r.origin, at: Number(r.at), body: r.body }));
  }

  /** The highest event id now (a reader starting now begins after it). */
  async lastEventId(): Promise<number> {
    const row = await this.db.selectFrom('cluster_events').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst();
    return Number(row?.id ?? 0);
  }

  /** Events older than `before` are gone: a console that was away longer reloads its pages. */
  async pruneEvents(before: number): Promise<number> {
    const r = await this.db.deleteFrom('cluster_events').where('at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
