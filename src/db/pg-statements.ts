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
//
// Such a transaction — nothing sent before its COMMIT, so one statement, atomic on its own —
// holds no connection and no lock until then, and need not commit alone: concurrent ones share
// one transaction and one COMMIT (a "ride", see RIDE_MAX), as SQLite's waiting transactions share
// theirs (sqlite-group-commit.ts). Each caller's promise settles only after the COMMIT that holds
// its statement; if a shared transaction fails, each statement is sent again alone, so each
// caller learns its own outcome. A connection is taken from the pool at a transaction's first
// statement, not at its BEGIN.
import { createRequire } from 'node:module';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import pg from 'pg';

/** What node-postgres's connection offers a query being submitted (the extended protocol's messages). */
interface PgWire {
  parse(m: { text: string; name?: string; types?: unknown[] }): void;
  bind(m: { portal?: string; statement?: string; values?: unknown[]; valueMapper?: (v: unknown) => unknown }): void;
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

/** node-postgres's mapping of a JavaScript value to a parameter's text (Date, Buffer, arrays, JSON…). */
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): unknown };

/** Parses a named statement and nothing else (Parse, Sync): before a ride, which binds it. */
class ParseQuery extends pg.Query {
  constructor(name: string, text: string, callback: (e: Error | undefined) => void) {
    super({ name, text }, undefined, callback);
  }

  prepare(connection: PgWire): void {
    const self = this as unknown as { name: string; text: string };
    connection.parse({ text: self.text, name: self.name });
    connection.submittedNamedStatements[self.name] = self.text;
    connection.sync();
  }
}

/**
 * A ride: BEGIN, each statement (already parsed on this connection) bound and executed, COMMIT,
 * one Sync — one round trip, one transaction. Rows and completions are nobody's results. If a
 * statement fails, the server skips the rest, COMMIT too, and the transaction is left failed.
 */
class RideQuery extends pg.Query {
  constructor(
    private readonly statements: readonly { name: string; values: unknown[] }[],
    callback: (e: Error | undefined) => void,
  ) {
    super({ text: 'COMMIT' }, undefined, callback);
  }

  requiresPreparation(): boolean {
    return true;
  }

  prepare(connection: PgWire): void {
    unnamed(connection, 'BEGIN');
    for (const s of this.statements) {
      connection.bind({ portal: '', statement: s.name, values: s.values, valueMapper: prepareValue });
      connection.execute({ portal: '', rows: 0 });
    }
    unnamed(connection, 'COMMIT');
    connection.sync();
  }

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
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

/**
 * Most transactions in one ride. While a ride is written, the transactions that come wait and go
 * together in the next; RIDES_AT_ONCE rides may be written side by side (on as many connections),
 * so one's flush to disk overlaps the next one's statements.
 */
export const RIDE_MAX = 64;
const RIDES_AT_ONCE = 2;

/** A transaction of one statement, waiting for a ride. */
interface Rider {
  text: string;
  values: unknown[];
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** Texts with a name at once; the least recently used one loses its name first. */
const DEFAULT_CAPACITY = 500;

export class NamingPgPool implements PostgresPool {
  /** SQL text → statement name. A name is never reused for another text. */
  private readonly names = new Map<string, string>();
  /** Names each open connection has prepared (server-side memory until it closes). */
  private readonly prepared = new WeakMap<pg.PoolClient, Set<string>>();
  private counter = 0;
  /** For tests and diagnostics. */
  readonly stats = { named: 0, unnamed: 0, recycled: 0, beginsDeferred: 0, beginsPipelined: 0, sentWithCommit: 0, rides: 0, riders: 0, rideFailures: 0 };
  /** Transactions of one statement waiting for a ride, first come first served. */
  private readonly riders: Rider[] = [];
  private riding = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    /** Taken from the pool at the first statement sent (a BEGIN waits for one, a ride needs none). */
    let client: pg.PoolClient | null = null;
    const acquire = async (): Promise<pg.PoolClient> => {
      if (client) return client;
      const c = await this.pool.connect();
      c.on('error', onError);
      return (client = c);
    };
    // The pool listens for a connection's errors only while it is idle. One the server ends
    // while it is lent out with no statement running (between a transaction's statements) would
    // be an uncaught error that ends the process: heard here, it fails that connection's next
    // statement instead, and the pool drops it when it comes back.
    const onError = () => undefined;
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
      await this.named(await acquire(), h.text, h.values, begin, false);
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
          const h = held;
          held = null;
          const begin = beginWaits;
          beginWaits = false;
          // Nothing else sent: a transaction of one statement, which rides with others.
          if (begin && !client) {
            await this.ride(h.text, h.values);
            return { command: 'COMMIT', rowCount: null, rows: [], fields: [] };
          }
          // The held statement, COMMIT (and BEGIN if it still waits): one round trip.
          if (begin) this.stats.beginsPipelined++;
          this.stats.sentWithCommit++;
          await this.named(await acquire(), h.text, h.values, begin, true);
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
          return this.named(await acquire(), text, values!, true, false);
        }
        await (await acquire()).query('BEGIN');
      }
      // Nothing was ever sent (a ride's end, or a failed one's rollback): nothing to end.
      if (ends && !client) return { command: trimmed.toUpperCase(), rowCount: null, rows: [], fields: [] };
      // Cursors (streamed reads) and statements without parameters go as they are: the
      // latter use the simple protocol, one message, with nothing to plan.
      if (typeof text !== 'string' || !values || values.length === 0) {
        this.stats.unnamed++;
        return (await acquire()).query(text as never, values as never);
      }
      return this.named(await acquire(), text, values);
    };
    return {
      query: query as PostgresPoolClient['query'],
      // A connection that has prepared many more statements than are named now holds plans
      // nobody asks for: it is closed instead of returned, and the pool opens a fresh one.
      release: () => {
        beginWaits = inTransaction = false;
        held = null;
        const c = client;
        client = null;
        if (c) this.giveBack(c, onError);
      },
    };
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  /** What the pool holds now (for a stalled caller's report): connections open, idle, awaited; rides. */
  state(): { total: number; idle: number; waiting: number; riders: number; riding: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount, riders: this.riders.length, riding: this.riding };
  }

  /**
   * Returns a connection to the pool. One that has prepared many more statements than are named
   * now holds plans nobody asks for: it is closed instead, and the pool opens a fresh one.
   */
  private giveBack(client: pg.PoolClient, onError: () => void, failed?: unknown): void {
    const worn = (this.prepared.get(client)?.size ?? 0) > 2 * this.capacity;
    if (worn) this.stats.recycled++;
    client.removeListener('error', onError);
    client.release(failed instanceof Error ? failed : worn);
  }

  /** Commits a transaction of one statement with others waiting (see the header): resolves once committed. */
  private ride(text: string, values: unknown[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let mapped: unknown[];
      try {
        mapped = values.map(prepareValue);
      } catch (e) {
        reject(e);
        return;
      }
      this.riders.push({ text, values: mapped, resolve, reject });
      if (this.riding < RIDES_AT_ONCE) void this.rides();
    });
  }

  /** Writes rides while transactions wait for one. */
  private async rides(): Promise<void> {
    this.riding++;
    try {
      while (this.riders.length > 0) {
        let client: pg.PoolClient;
        try {
          client = await this.pool.connect();
        } catch (e) {
          // No connection: every waiting transaction fails, as its own statement would have.
          for (const r of this.riders.splice(0)) r.reject(e);
          return;
        }
        const onError = () => undefined;
        client.on('error', onError);
        // Those that came while the connection was awaited go too (another ride may have taken all).
        const batch = this.riders.splice(0, RIDE_MAX);
        let broken: unknown;
        try {
          if (batch.length > 0) await this.rideOn(client, batch);
        } catch (e) {
          // The connection itself failed (rideOn settles every rider before it throws).
          broken = e;
        } finally {
          this.giveBack(client, onError, broken);
        }
      }
    } finally {
      this.riding--;
    }
  }

  /** One ride on `client`; if it fails, each rider alone, so each learns its own outcome. */
  private async rideOn(client: pg.PoolClient, batch: Rider[]): Promise<void> {
    const alone = async (r: Rider) => {
      this.stats.sentWithCommit++;
      try {
        await this.named(client, r.text, r.values, true, true);
        r.resolve();
      } catch (e) {
        r.reject(e);
        // A failed statement leaves its transaction failed; a dead connection fails here too.
        await client.query('ROLLBACK');
      }
    };
    try {
      if (batch.length === 1) return await alone(batch[0]!);
      const statements = batch.map((r) => ({ name: this.nameOf(r.text), text: r.text, values: r.values }));
      let mine = this.prepared.get(client);
      if (!mine) this.prepared.set(client, (mine = new Set()));
      const wire = (client as unknown as { connection: PgWire & { parsedStatements: Record<string, string> } }).connection;
      let failed: Error | undefined;
      for (const s of statements) {
        mine.add(s.name);
        if (failed || wire.parsedStatements[s.name] !== undefined) continue;
        // A text the server cannot parse fails here, outside any transaction: each alone, below.
        failed = await new Promise<Error | undefined>((resolve) => {
          client.query(new ParseQuery(s.name, s.text, resolve) as never);
        }) ?? undefined;
      }
      if (failed) {
        for (const r of batch) await alone(r);
        return;
      }
      this.stats.rides++;
      this.stats.riders += batch.length;
      this.stats.sentWithCommit += batch.length;
      failed = await new Promise<Error | undefined>((resolve) => {
        client.query(new RideQuery(statements, resolve) as never);
      }) ?? undefined;
      if (!failed) {
        for (const r of batch) r.resolve();
        return;
      }
      this.stats.rideFailures++;
      await client.query('ROLLBACK');
      for (const r of batch) await alone(r);
    } catch (e) {
      // The connection failed: the riders not settled yet fail with its error.
      for (const r of batch) r.reject(e);
      throw e;
    }
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
