// Opens the database named by a URL: `sqlite:<path>` (embedded default) or `postgres://…`.
// Both dialects share every query through Kysely.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Errors } from '../errors.js';
import type { Database } from './schema.js';
import { NamingPgPool } from './pg-statements.js';
import { BACKSTOP_PAGES, SqliteCheckpointer } from './sqlite-checkpointer.js';
import { GroupCommitSqliteDialect } from './sqlite-group-commit.js';
import { CachingSqliteDatabase } from './sqlite-statements.js';

export type DialectName = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: DialectName;
  url: string;
  /** SQLite file: the thread checkpointing its log. */
  checkpointer?: SqliteCheckpointer | null;
  /** SQLite: COMMITs run, transactions committed, those that shared a COMMIT (sqlite-group-commit.ts). */
  commits?: { commits: number; transactions: number; grouped: number };
  /** PostgreSQL: statements named, BEGINs pipelined, transactions of one statement that shared a COMMIT (pg-statements.ts). */
  statements?: NamingPgPool['stats'];
  /** PostgreSQL: the pool's connections and waiting callers now (for a stall's report). */
  poolState?: () => ReturnType<NamingPgPool['state']>;
  close(): Promise<void>;
}

// int8 and numeric come back from node-pg as strings; our bigints are epoch milliseconds and
// counts, well inside 2^53, so read them as numbers like SQLite does.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export function openDatabase(url: string, options: { poolSize?: number } = {}): Db {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const sqlite = new BetterSqlite3(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // A file's log is checkpointed by a thread of its own (SqliteCheckpointer); the connection
    // itself only past a backstop.
    const checkpointer = path === ':memory:' ? null : new SqliteCheckpointer(path);
    if (checkpointer) sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    // Transactions waiting for the one connection share their COMMIT (sqlite-group-commit.ts).
    const dialect = new GroupCommitSqliteDialect(new CachingSqliteDatabase(sqlite), sqlite);
    const kysely = new Kysely<Database>({ dialect });
    return {
      kysely, dialect: 'sqlite', url, checkpointer, commits: dialect.driver.stats,
      // The thread closes first: the last connection to close folds the log into the file.
      close: async () => {
        await checkpointer?.stop();
        await kysely.destroy();
      },
    };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
    // A restarting server ends the idle connections: the pool drops them and the next query opens
    // a new one (or fails, and its caller retries). Unheard, the error would end the process —
    // and a recorder must keep recording to local disk while the database is away.
    pool.on('error', () => undefined);
    const naming = new NamingPgPool(pool);
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: naming }) });
    return { kysely, dialect: 'postgres', url, statements: naming.stats, poolState: () => naming.state(), close: () => kysely.destroy() };
  }
  throw Errors.config(`database URL must start with sqlite: or postgres://, got "${url.split(':')[0]}:"`);
}
