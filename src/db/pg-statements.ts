// Named prepared statements reused by SQL text, for PostgreSQL. node-postgres sends each
// parameterised query as an unnamed statement, which the server parses and plans anew every
// time; a named one is parsed once per connection, then only bound and executed. Kysely's
// driver hands over plain text and values, so this pool names the statements itself: the most
// recently used texts have a name each, as CachingSqliteDatabase keeps SQLite's statements.
// (The register's concurrent appends, bench/audit.bench.ts's first phase alone: 6,072-6,482 ->
// 6,803-7,255 actions/s, PostgreSQL at 0.84-0.85 of a core instead of 0.93-0.95.)
//
// A transaction's BEGIN is not sent on its own either: it goes in the same write as the
// transaction's first statement (one Sync for both, as libpq's pipeline mode would send them), so
// an action that writes one row costs two round trips (statement, COMMIT) instead of three. Under
// load every round trip is a wait for the scheduler on both sides.
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';

/** What node-postgres's connection offers a query being submitted (the extended protocol's messages). */
interface PgWire {
  parse(m: { text: string; name?: string; types?: unknown[] }): void;
  bind(m: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(m: { portal?: string; rows?: number }): void;
  submittedNamedStatements: Record<string, string>;
}

/**
 * A named statement preceded by BEGIN in one pipeline: Parse (when the connection has not yet),
 * then BEGIN as the unnamed statement (Parse, Bind, Execute), then the statement's Bind, Describe,
 * Execute and the one Sync. The server runs them in order and answers once ready; BEGIN's command
 * completion is not a result of the statement's. If the statement fails, the transaction is left
 * failed, exactly as if BEGIN had gone first: the caller rolls back.
 */
class BeginThenQuery extends pg.Query {
  private beginAnswered = false;

  prepare(connection: PgWire): void {
    const self = this as unknown as { name: string; text: string; types?: unknown[]; hasBeenParsed(c: PgWire): boolean };
    if (!self.hasBeenParsed(connection)) {
      connection.parse({ text: self.text, name: self.name, types: self.types });
      connection.submittedNamedStatements[self.name] = self.text;
    }
    connection.parse({ text: 'BEGIN', name: '' });
    connection.bind({ portal: '', statement: '', values: [] });
    connection.execute({ portal: '', rows: 0 });
    (pg.Query.prototype as unknown as { prepare(c: PgWire): void }).prepare.call(this, connection);
  }

  handleCommandComplete(msg: unknown, connection: unknown): void {
    if (!this.beginAnswered) {
      this.beginAnswered = true;
      return;
    }
    (pg.Query.prototype as unknown as { handleCommandComplete(m: unknown, c: unknown): void }).handleCommandComplete.call(this, msg, connection);
  }
}

/** Kysely's text for a plain BEGIN (an isolation level or access mode is sent as it is). */
const BEGIN = /^begin$/i;
const ENDS = /^(commit|rollback)$/i;
const begun = { command: 'BEGIN', rowCount: null, rows: [], fields: [] };

/** Texts with a name at once; the least recently used one loses its name first. */
const DEFAULT_CAPACITY = 500;

export class NamingPgPool implements PostgresPool {
  /** SQL text → statement name. A name is never reused for another text. */
  private readonly names = new Map<string, string>();
  /** Names each open connection has prepared (server-side memory until it closes). */
  private readonly prepared = new WeakMap<pg.PoolClient, Set<string>>();
  private counter = 0;
  /** For tests and diagnostics. */
  readonly stats = { named: 0, unnamed: 0, recycled: 0, beginsDeferred: 0, beginsPipelined: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    /** A BEGIN asked for and not yet sent: it goes with the next statement. */
    let beginWaits = false;
    const query = async (text: unknown, values?: unknown[]): Promise<unknown> => {
      const plain = typeof text === 'string' && (!values || values.length === 0);
      if (plain && BEGIN.test(text.trim())) {
        if (beginWaits) throw new Error('BEGIN inside a transaction');
        beginWaits = true;
        this.stats.beginsDeferred++;
        return begun;
      }
      if (beginWaits) {
        beginWaits = false;
        // A transaction that ran nothing: its end is nothing to send.
        if (plain && ENDS.test(text.trim())) return { command: text.trim().toUpperCase(), rowCount: null, rows: [], fields: [] };
        if (typeof text === 'string' && !plain) {
          this.stats.beginsPipelined++;
          return this.named(client, text, values!, true);
        }
        await client.query('BEGIN');
      }
      // Cursors (streamed reads) and statements without parameters go as they are: the
      // latter use the simple protocol, one message, with nothing to plan.
      if (typeof text !== 'string' || !values || values.length === 0) {
        this.stats.unnamed++;
        return client.query(text as never, values as never);
      }
      return this.named(client, text, values);
    };
    return {
      query: query as PostgresPoolClient['query'],
      // A connection that has prepared many more statements than are named now holds plans
      // nobody asks for: it is closed instead of returned, and the pool opens a fresh one.
      release: () => {
        beginWaits = false;
        const worn = (this.prepared.get(client)?.size ?? 0) > 2 * this.capacity;
        if (worn) this.stats.recycled++;
        client.release(worn);
      },
    };
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  private async named(client: pg.PoolClient, text: string, values: unknown[], begin = false) {
    const name = this.nameOf(text);
    let mine = this.prepared.get(client);
    if (!mine) this.prepared.set(client, (mine = new Set()));
    mine.add(name);
    this.stats.named++;
    try {
      if (!begin) return await client.query({ name, text, values });
      return await new Promise((resolve, reject) => {
        client.query(new BeginThenQuery({ name, text, values }, undefined, (e: Error | undefined, r: unknown) => (e ? reject(e) : resolve(r))) as never);
      });
    } catch (e) {
      // A table's columns changed under a prepared `SELECT *` (DDL while running, which only
      // migrations do): this call fails, and the text is parsed afresh under a new name next time.
      if ((e as { code?: string }).code === '0A000' && /cached plan/.test(String((e as Error).message))) this.names.delete(text);
      throw e;
    }
  }

  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      name = `vigil_${++this.counter}`;
      if (this.names.size >= this.capacity) this.names.delete(this.names.keys().next().value!);
    } else {
      this.names.delete(text);
    }
    this.names.set(text, name);
    return name;
  }
}
