// PostgreSQL LISTEN/NOTIFY as a "read the tables again now" signal between processes (issue 22),
// never as data: a notification lost while a listener reconnects costs only the wait until that
// process's next periodic read, because every reader's correctness comes from the tables. On
// SQLite there is one process, and nothing to wake.
import pg from 'pg';
import { sql } from 'kysely';
import type { Db } from './database.js';

type Listener = () => void;

export class Wakeups {
  private client: pg.Client | undefined;
  private connecting: Promise<void> | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly onError: (e: unknown) => void = () => undefined,
  ) {}

  /** Wakes every process listening on `channel` (after the caller's change committed). */
  async notify(channel: string): Promise<void> {
    if (this.db.dialect !== 'postgres') return;
    await sql`select pg_notify(${channel}, '')`.execute(this.db.kysely);
  }

  /** Calls `cb` on every notification on `channel` until the returned function is called. */
  listen(channel: string, cb: Listener): () => void {
    if (this.db.dialect !== 'postgres' || this.closed) return () => undefined;
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      if (this.client) void this.client.query(`listen ${ident(channel)}`).catch(this.onError);
    }
    set.add(cb);
    void this.connect();
    return () => {
      set.delete(cb);
      if (set.size) return;
      this.listeners.delete(channel);
      if (this.client) void this.client.query(`unlisten ${ident(channel)}`).catch(() => undefined);
      if (!this.listeners.size) void this.disconnect();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.disconnect();
  }

  private connect(): Promise<void> {
    if (this.client || this.closed) return Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.db.url });
      client.on('notification', (n) => {
        for (const cb of this.listeners.get(n.channel) ?? []) cb();
      });
      client.on('error', (e) => {
        this.onError(e);
        this.lost(client);
      });
      client.on('end', () => this.lost(client));
      try {
        await client.connect();
        for (const channel of this.listeners.keys()) await client.query(`listen ${ident(channel)}`);
        this.client = client;
        // Anything notified while no connection listened is caught by waking everyone once now.
        for (const set of this.listeners.values()) for (const cb of set) cb();
      } catch (e) {
        this.onError(e);
        await client.end().catch(() => undefined);
        this.scheduleRetry();
      }
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || !this.listeners.size || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.connect();
    }, 1000);
    this.retry.unref();
  }

  private async disconnect(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    await this.connecting;
    const c = this.client;
    this.client = undefined;
    await c?.end().catch(() => undefined);
  }
}

/** Channel names are ours (letters and underscores); quoted as identifiers all the same. */
function ident(channel: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`bad channel name ${channel}`);
  return `"${channel}"`;
}
