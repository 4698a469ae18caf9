// A query of a hot path built and compiled by Kysely once, then run again with new values. Kysely
// builds an operation tree and compiles it to SQL text for every query; for the short statements
// a device's registration runs (its row read, its row written, a keepalive) that building was a
// tenth of the platform's CPU in a profile of 1,000 devices registering. The SQL of these queries
// depends on their shape only, so it is compiled once, with a distinct stand-in for each argument,
// and each run puts the arguments where their stand-ins were. Statements whose shape depends on
// the values (optional columns, lists) must not use this: a shape check at the first compile
// refuses a builder that drops an argument, and every later run reuses that first shape.
import { createQueryId, type Compilable, type CompiledQuery, type Kysely, type QueryResult, type Transaction } from 'kysely';
import type { Database } from './schema.js';

type Q = Kysely<Database> | Transaction<Database>;

/** What each argument is: the stand-in compiled in its place has that type. */
export type ArgKind = 'string' | 'number';

type ArgsOf<K extends readonly ArgKind[]> = { [I in keyof K]: K[I] extends 'string' ? string : K[I] extends 'number' ? number : never };
/** The values a run passes: a string or number argument may also be null where the column takes one. */
type RunArgs<K extends readonly ArgKind[]> = { [I in keyof K]: K[I] extends 'string' ? string | null : K[I] extends 'number' ? number | null : never };

/** Stand-ins no caller's value is: a control character string, and numbers far below any id or time. */
function standIn(kind: ArgKind, i: number): string | number {
  return kind === 'string' ? `\u0000vigil-arg-${i}\u0000` : -(2 ** 52) + i;
}

export class ReusedQuery<K extends readonly ArgKind[], R> {
  private compiled: CompiledQuery<R> | undefined;
  /** For each parameter of the compiled SQL: the argument it takes (a number), or a constant of the query. */
  private slots: ({ arg: number } | { value: unknown })[] = [];

  /**
   * `build` makes the query from its arguments; it is called once, with stand-ins, on `db` (the
   * repository's own database: the SQL is in its dialect, and runs there or in its transactions).
   */
  constructor(
    private readonly db: Kysely<Database>,
    private readonly kinds: K,
    private readonly build: (db: Kysely<Database>, args: ArgsOf<K>) => Compilable<R>,
  ) {}

  private compile(): CompiledQuery<R> {
    const standIns = this.kinds.map((k, i) => standIn(k, i));
    const compiled = this.build(this.db, standIns as unknown as ArgsOf<K>).compile();
    const used = new Set<number>();
    this.slots = compiled.parameters.map((p) => {
      const arg = standIns.indexOf(p as string | number);
      if (arg < 0) return { value: p };
      used.add(arg);
      return { arg };
    });
    if (used.size !== standIns.length) {
      throw new Error(`a reused query must take every argument as a parameter; it took ${used.size} of ${standIns.length}: ${compiled.sql}`);
    }
    this.compiled = compiled;
    return compiled;
  }

  /** Runs the query with these arguments on `q` (the database or one of its transactions). */
  run(args: RunArgs<K>, q: Q = this.db): Promise<QueryResult<R>> {
    const c = this.compiled ?? this.compile();
    const parameters = this.slots.map((s) => ('arg' in s ? args[s.arg] : s.value));
    return q.executeQuery<R>({ query: c.query, queryId: createQueryId(), sql: c.sql, parameters });
  }

  /** The first row, or undefined. */
  async first(args: RunArgs<K>, q: Q = this.db): Promise<R | undefined> {
    return (await this.run(args, q)).rows[0];
  }
}
