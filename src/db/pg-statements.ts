// Named prepared statements reused by SQL text, for PostgreSQL. node-postgres sends each
// parameterised query as an unnamed statement, which the server parses and plans anew every
// time; a named one is parsed once per connection, then only bound and executed. Kysely's
// driver hands over plain text and values, so this pool names the statements itself: the most
// recently used texts have a name each, as CachingSqliteDatabase keeps SQLite's statements.
// (The register's concurrent appends, bench/audit.bench.ts's first phase alone: 6,072-6,482 ->
// 6,803-7,255 actions/s, PostgreSQL at 0.84-0.85 of a core instead of 0.93-0.95.)
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** Texts with a name at once; the least recently used one loses its name first. */
const DEFAULT_CAPACITY = 500;

export class NamingPgPool implements PostgresPool {
  /** SQL text → statement name. A name is never reused for another text. */
  private readonly names = new Map<string, string>();
  /** Names each open connection has prepared (server-side memory until it closes). */
  private readonly prepared = new WeakMap<pg.PoolClient, Set<string>>();
  private counter = 0;
  /** For tests and diagnostics. */
  readonly stats = { named: 0, unnamed: 0, recycled: 0 };

  constructor(
    private readonly pool: pg.Pool,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  async connect(): Promise<PostgresPoolClient> {
    const client = await this.pool.connect();
    const query = (text: unknown, values?: unknown[]): unknown => {
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
        const worn = (this.prepared.get(client)?.size ?? 0) > 2 * this.capacity;
        if (worn) this.stats.recycled++;
        client.release(worn);
      },
    };
  }

  end(): Promise<void> {
    return this.pool.end();
  }

  private async named(client: pg.PoolClient, text: string, values: unknown[]) {
    const name = this.nameOf(text);
    let mine = this.prepared.get(client);
    if (!mine) this.prepared.set(client, (mine = new Set()));
    mine.add(name);
    this.stats.named++;
    try {
      return await client.query({ name, text, values });
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
