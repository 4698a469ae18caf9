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
// load every round trip is a wait for the scheduler on both sides. A statement marked WITH_COMMIT
// (the register's entry) goes with the COMMIT instead, so an action that writes only its entry is
// one round trip (BEGIN, INSERT, COMMIT, one Sync); see WITH_COMMIT.
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';

/** What node-postgres's connection offers a query being submitted (the extended protocol's messages). */
interface PgWire {
  parse(m: { text: string; name?: string; types?: unknown[] }): void;
  bind(m: { portal?: string; statement?: string; values?: unknown[] }): void;
  execute(m: { portal?: string; rows?: number }): void;
  sync(): void;
  submittedNamedStatements: Record<string, string>;
}

/**
 * A named statement sent in one pipeline with BEGIN before it, COMMIT after it, or both: Parse
 * (when the connection has not yet), BEGIN as the unnamed statement (Parse, Bind, Execute), the
 * statement's Bind, Describe, Execute, COMMIT as the unnamed statement, and the one Sync. The
 * server runs them in order and answers once ready; BEGIN's and COMMIT's command completions are
 * not results of the statement's. If the statement fails, the server skips everything up to the
 * Sync — COMMIT too — and the transaction is left failed, exactly as if each had gone on its own:
 * the caller rolls back.
 */
class PipelinedQuery extends pg.Query {
  /** Command completions still to come before the statement's own (BEGIN's). */
  private skipBefore: number;

  constructor(
    config: { name: string; text: string; values: unknown[] },
    private readonly begin: boolean,
    private readonly commit: boolean,
    callback: (e: Error | undefined, r: unknown) => void,
  ) {
    super(config, undefined, callback);
    this.skipBefore = begin ? 1 : 0;
  }

  prepare(connection: PgWire): void {
    const self = this as unknown as { name: string; text: string; types?: unknown[]; hasBeenParsed(c: PgWire): boolean };
    if (this.begin) {
      if (!self.hasBeenParsed(connection)) {
        connection.parse({ text: self.text, name: self.name, types: self.types });
        connection.submittedNamedStatements[self.name] = self.text;
      }
      unnamed(connection, 'BEGIN');
    }
    (pg.Query.prototype as unknown as { prepare(c: PgWire): void }).prepare.call(this, connection);
  }

  /** The statement's Execute, then (asked to) COMMIT's, then the Sync pg.Query sends after it. */
  _getRows(connection: PgWire, rows: number | undefined): void {
    if (!this.commit || rows) {
      (pg.Query.prototype as unknown as { _getRows(c: PgWire, r: number | undefined): void })._getRows.call(this, connection, rows);
      return;
    }
    connection.execute({ portal: (this as unknown as { portal?: string }).portal ?? '', rows: 0 });
    unnamed(connection, 'COMMIT');
    connection.sync();
  }

  handleCommandComplete(msg: unknown, connection: unknown): void {
    if (this.skipBefore > 0) {
      this.skipBefore--;
      return;
    }
    // After the statement's own completion, COMMIT's: not a result of the statement.
    if (this.commit && (this as unknown as { _result: { command: string | null } })._result.command) return;
    (pg.Query.prototype as unknown as { handleCommandComplete(m: unknown, c: unknown): void }).handleCommandComplete.call(this, msg, connection);
  }
}

/** A statement without parameters as the unnamed statement and portal: Parse, Bind, Execute. */
function unnamed(connection: PgWire, text: string): void {
  connection.parse({ text, name: '' });
  connection.bind({ portal: '', statement: '', values: [] });
  connection.execute({ portal: '', rows: 0 });
}

/**
 * Put before a statement's text (a comment, so the text stays valid SQL) to have it sent with
 * the transaction's COMMIT rather than at once: the call resolves at once with no rows, and the
 * statement runs at the commit, in one round trip with it. For a write whose result nobody
 * reads, made as the last step of a transaction (the register's entry, AuditLog.append): an
 * action that writes only that costs one round trip (BEGIN, the write and COMMIT) instead of
 * two. Order is kept: any other statement in the transaction sends the held one first. If the
 * held statement fails, the transaction fails at its commit with that statement's error (or at
 * the next statement's), and it is rolled back as if the statement had failed when made; a
 * rollback drops it unsent. Outside a transaction it is sent at once.
 */
export const WITH_COMMIT = '/* with commit */ ';

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
  readonly stats = { named: 0, unnamed: 0, recycled: 0, beginsDeferred: 0, beginsPipelined: 0, sentWithCommit: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    // The pool listens for a connection's errors only while it is idle. One the server ends
    // while it is lent out with no statement running (between a transaction's statements) would
    // be an uncaught error that ends the process: heard here, it fails that connection's next
    // statement instead, and the pool drops it when it comes back.
    const onError = () => undefined;
    client.on('error', onError);
    /** A BEGIN asked for and not yet sent: it goes with the next statement. */
    let beginWaits = false;
    /** Inside a transaction (BEGIN asked for, sent or not). */
    let inTransaction = false;
    /** A statement marked WITH_COMMIT, not yet sent: it goes with the COMMIT, or before the next statement. */
    let held: { text: string; values: unknown[] } | null = null;
    /** Sends the held statement on its own (with BEGIN if that is still waiting). */
    const sendHeld = async () => {
      const h = held!;
      held = null;
      const begin = beginWaits;
      beginWaits = false;
      if (begin) this.stats.beginsPipelined++;
      await this.named(client, h.text, h.values, begin, false);
    };
    const query = async (text: unknown, values?: unknown[]): Promise<unknown> => {
      const plain = typeof text === 'string' && (!values || values.length === 0);
      const trimmed = plain ? (text as string).trim() : '';
      if (plain && BEGIN.test(trimmed)) {
        if (inTransaction) throw new Error('BEGIN inside a transaction');
        beginWaits = inTransaction = true;
        this.stats.beginsDeferred++;
        return begun;
      }
      const ends = plain && ENDS.test(trimmed);
      if (ends) inTransaction = false;
      if (held) {
        if (ends && /^commit$/i.test(trimmed)) {
          // The held statement, COMMIT (and BEGIN if it still waits): one round trip.
          const h = held;
          held = null;
          const begin = beginWaits;
          beginWaits = false;
          if (begin) this.stats.beginsPipelined++;
          this.stats.sentWithCommit++;
          await this.named(client, h.text, h.values, begin, true);
          return { command: 'COMMIT', rowCount: null, rows: [], fields: [] };
        }
        if (ends) held = null;
        else await sendHeld();
      }
      if (typeof text === 'string' && !plain && inTransaction && text.startsWith(WITH_COMMIT)) {
        if (held) await sendHeld();
        held = { text, values: values! };
        return { command: 'DEFERRED', rowCount: null, rows: [], fields: [] };
      }
      if (beginWaits) {
        beginWaits = false;
        // A transaction that ran nothing: its end is nothing to send.
        if (ends) return { command: trimmed.toUpperCase(), rowCount: null, rows: [], fields: [] };
        if (typeof text === 'string' && !plain) {
          this.stats.beginsPipelined++;
          return this.named(client, text, values!, true, false);
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
        beginWaits = inTransaction = false;
        held = null;
        const worn = (this.prepared.get(client)?.size ?? 0) > 2 * this.capacity;
        if (worn) this.stats.recycled++;
        client.removeListener('error', onError);
        client.release(worn);
      },
    };
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  private async named(client: pg.PoolClient, text: string, values: unknown[], begin = false, commit = false) {
    const name = this.nameOf(text);
    let mine = this.prepared.get(client);
    if (!mine) this.prepared.set(client, (mine = new Set()));
    mine.add(name);
    this.stats.named++;
    try {
      if (!begin && !commit) return await client.query({ name, text, values });
      return await new Promise((resolve, reject) => {
        client.query(new PipelinedQuery({ name, text, values }, begin, commit, (e: Error | undefined, r: unknown) => (e ? reject(e) : resolve(r))) as never);
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
