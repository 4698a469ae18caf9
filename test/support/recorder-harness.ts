// An in-process recorder on a fresh SQLite database and data folder, for recorder tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { Registry } from 'prom-client';
import { openDatabase, type Db, type DialectName } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { systemClock } from '../../src/domain/clock.js';
import { createRecorderMetrics, type RecorderMetrics } from '../../src/recorder/metrics.js';
import { Recorder, type RecorderOptions, type RecorderSettings } from '../../src/recorder/recorder.js';
import { freshPostgresUrl, freshSqliteUrl } from './databases.js';
import { seedRecordableCameras } from './recorder-cameras.js';
import { testSources } from './sources.js';

export interface RecorderHarness {
  dataDir: string;
  dbUrl: string;
  db: Db;
  repos: Repositories;
  cameraIds: number[];
  metrics: RecorderMetrics;
  registry: Registry;
  /** Log lines the recorder wrote (JSON objects). */
  logs: Record<string, unknown>[];
  logger: Logger;
  recorder(settings?: Partial<RecorderSettings>, options?: RecorderOptions, deps?: { acceptingWrites?: () => boolean }): Recorder;
  close(): Promise<void>;
}

/** SQLite in the data folder by default; `dialect: 'postgres'` takes a fresh database on the test server. */
export async function recorderHarness(sourceUrls: (string | null)[], options: { dialect?: DialectName } = {}): Promise<RecorderHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-rec-'));
  // Under vitest a copy of the run's migrated template; a benchmark (no vitest, no template)
  // migrates its own file, as startTestServer does.
  const template = options.dialect === 'postgres' || process.env.VITEST;
  const dbUrl = options.dialect === 'postgres' ? await freshPostgresUrl() : template ? freshSqliteUrl(join(dataDir, 'vigil.db')) : `sqlite:${join(dataDir, 'vigil.db')}`;
  const db: Db = openDatabase(dbUrl);
  if (!template) await migrateToLatest(db);
  const repos = createRepositories(db);
  const cameraIds = await seedRecordableCameras(repos, sourceUrls);
  const registry = new Registry();
  const metrics = createRecorderMetrics(registry);
  const logs: Record<string, unknown>[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  return {
    dataDir,
    dbUrl,
    db,
    repos,
    cameraIds,
    metrics,
    registry,
    logs,
    logger,
    recorder: (settings = {}, options = {}, deps = {}) =>
      new Recorder(
        {
          dataDir,
          settings: { fileSeconds: 600, fragmentMaxMs: 2000, reconnectMinMs: 200, reconnectMaxMs: 1000, staggerMs: 20, ...settings },
          repo: repos.recordings,
          sources: testSources(dataDir),
          clock: systemClock,
          logger,
          metrics,
          ...deps,
        },
        { noDataTimeoutMs: 3000, connectTimeoutMs: 3000, ...options },
      ),
    close: () => db.close(),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
