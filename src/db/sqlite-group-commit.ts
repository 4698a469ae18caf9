// Group commit for SQLite's one connection. Transactions run one at a time over it, and a commit
// writes every page the transaction touched to the write-ahead log: for a register entry (its
// row, the row's indexes, the search index, the head) COMMIT was two thirds of SQLite's time in a
// profile of 32 concurrent single-entry actions. Here, when a transaction that wrote ends while
// others wait for the connection, its end is a RELEASE of its savepoint, not a COMMIT: the next
// waiting transaction runs inside the same SQLite transaction, and the COMMIT comes once nobody
// waits (or GROUP_MAX transactions are in), writing each page once for all of them.
//
// What each caller sees is unchanged: its transaction is a savepoint, so a failure rolls back its
// own statements only; its `transaction().execute()` resolves only after the COMMIT that holds
// its writes, and rejects if that COMMIT (or a failure that undoes the whole SQLite transaction)
// fails. A transaction alone — nobody waiting — is BEGIN … COMMIT as before. A group forms only
// behind a transaction that wrote: it then holds the write lock, so later members read the latest
// data (no snapshot another process's commit could make stale). A statement outside any
// transaction commits the open group first, so what it reads or writes is never part of it.
//
// The connection is handed to waiters in order (first come, first served), and only the next
// waiter is woken at each hand-over (kysely's own driver woke every waiter at every release).
//
// Two things follow for callers. A transaction must not wait, inside its callback, for another
// transaction's promise that began before it (its commit may be the one the group waits for). And
// a transaction that waits on something slow inside its callback (held the connection already, so
// every other statement waited) now also delays the acknowledgement of those grouped before it.
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, SqliteDialect, type DatabaseConnection, type Driver, type QueryResult } from 'kysely';
import type { CachingSqliteDatabase } from './sqlite-statements.js';

/** Most transactions committed together. */
export const GROUP_MAX = 64;

interface Member {
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** One hold of the connection, from acquire to release. */
class Lease implements DatabaseConnection {
  released = false;
  /** Between beginTransaction and its commit or rollback. */
  inTransaction = false;
  /** Its transaction ended with a RELEASE and waits for the group's COMMIT. */
  member: Promise<void> | null = null;

  constructor(private readonly driver: GroupCommitSqliteDriver) {}

  executeQuery<R>(q: CompiledQuery): Promise<QueryResult<R>> {
    return Promise.resolve(this.driver.run<R>(this, q));
  }

  async *streamQuery<R>(q: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!this.inTransaction) this.driver.commitGroup();
    const stmt = this.driver.db.prepare(q.sql) as unknown as BetterSqlite3.Statement;
    if (!stmt.reader) throw new Error('SQLite streams only queries that return rows');
    for (const row of stmt.iterate(q.parameters as unknown[])) yield { rows: [row as R] };
  }
}

export class GroupCommitSqliteDriver implements Driver {
  private locked = false;
  private readonly waiting: (() => void)[] = [];
  /** The open SQLite transaction's finished members, waiting for its COMMIT; null: none open. */
  private group: Member[] | null = null;
  /** Whether the open SQLite transaction has written (holds the write lock). */
  private wrote = false;
  /** COMMITs run, transactions they committed, and how many of those shared theirs with another. */
  readonly stats = { commits: 0, transactions: 0, grouped: 0 };

  constructor(
    readonly db: CachingSqliteDatabase,
    private readonly raw: BetterSqlite3.Database,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.locked) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.locked = true;
    return new Lease(this);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    this.release(connection as Lease);
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (this.group === null) {
      this.exec('BEGIN');
      this.group = [];
      this.wrote = false;
    }
    this.exec('SAVEPOINT vigil_group_member');
    lease.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    if (lease.member) return lease.member;
    lease.inTransaction = false;
    try {
      this.exec('RELEASE vigil_group_member');
    } catch (e) {
      this.fail(e);
      throw e;
    }
    const group = this.group!;
    if (!this.wrote || this.waiting.length === 0 || group.length + 1 >= GROUP_MAX) {
      // Nobody to share the commit with: COMMIT now, for this one and those before it.
      group.push({ resolve: () => undefined, reject: () => undefined });
      this.commitGroup();
      // The group may have ended in a failure that named this transaction too.
      return;
    }
    // Others wait: the next one runs in this SQLite transaction; this caller hears at its COMMIT.
    lease.member = new Promise<void>((resolve, reject) => group.push({ resolve, reject }));
    this.release(lease);
    return lease.member;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const lease = connection as Lease;
    // Its RELEASE went through, then the group's COMMIT failed: nothing of it is left to undo.
    if (lease.member || !lease.inTransaction) return;
    lease.inTransaction = false;
    if (!this.raw.inTransaction) {
      // SQLite undid the whole transaction (an I/O error, a full disk): the group with it.
      this.fail(new Error('SQLite rolled back the transaction this one shared its commit with'));
      return;
    }
    this.exec('ROLLBACK TO vigil_group_member');
    this.exec('RELEASE vigil_group_member');
    if (this.group!.length === 0 && !this.wrote) {
      this.exec('ROLLBACK');
      this.group = null;
    }
  }

  // A caller's own savepoints, inside its transaction's.
  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`SAVEPOINT ${quoted(name)}`));
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`ROLLBACK TO ${quoted(name)}`));
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(`RELEASE ${quoted(name)}`));
  }

  async destroy(): Promise<void> {
    try {
      this.commitGroup();
    } finally {
      this.db.close();
    }
  }

  /** Runs a statement for `lease`: outside a transaction, after committing any open group. */
  run<R>(lease: Lease, q: CompiledQuery): QueryResult<R> {
    if (!lease.inTransaction) this.commitGroup();
    const stmt = this.db.prepare(q.sql) as unknown as BetterSqlite3.Statement;
    const params = q.parameters as unknown[];
    // RETURNING makes a writing statement a reader too: what counts is whether it writes.
    if (lease.inTransaction && !stmt.readonly) this.wrote = true;
    try {
      if (stmt.reader) return { rows: stmt.all(params) as R[] };
      const { changes, lastInsertRowid } = stmt.run(params);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (e) {
      // A failure that ended the whole transaction ends the group: its members did not commit.
      if (lease.inTransaction && !this.raw.inTransaction) this.fail(e);
      throw e;
    }
  }

  /** COMMITs the open group, if any, and tells its members. */
  commitGroup(): void {
    const group = this.group;
    if (group === null) return;
    try {
      this.exec('COMMIT');
    } catch (e) {
      this.fail(e);
      throw e;
    }
    this.group = null;
    this.stats.commits++;
    this.stats.transactions += group.length;
    if (group.length > 1) this.stats.grouped += group.length;
    for (const m of group) m.resolve();
  }

  /** The open transaction is lost or cannot commit: undo what is left of it; its members fail. */
  private fail(e: unknown): void {
    const group = this.group;
    this.group = null;
    if (this.raw.inTransaction) this.raw.prepare('ROLLBACK').run();
    for (const m of group ?? []) m.reject(e);
  }

  private release(lease: Lease): void {
    if (lease.released) return;
    lease.released = true;
    const next = this.waiting.shift();
    if (next) {
      next();
      return;
    }
    // Nobody waits: the open group, if any, commits before the connection is free.
    try {
      this.commitGroup();
    } finally {
      this.locked = false;
    }
  }

  private exec(text: string): void {
    (this.db.prepare(text) as unknown as BetterSqlite3.Statement).run();
  }
}

function quoted(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Kysely's SQLite dialect over GroupCommitSqliteDriver. */
export class GroupCommitSqliteDialect extends SqliteDialect {
  readonly driver: GroupCommitSqliteDriver;

  constructor(db: CachingSqliteDatabase, raw: BetterSqlite3.Database) {
    super({ database: db });
    this.driver = new GroupCommitSqliteDriver(db, raw);
  }

  override createDriver(): Driver {
    return this.driver;
  }
}
