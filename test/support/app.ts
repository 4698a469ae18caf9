// A real app over a fresh database of either dialect, with the shipped jurisdiction profiles.
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { DialectName, Db } from '../../src/db/database.js';
import { createRepositories } from '../../src/db/repositories.js';
import { createRegistry, type Registry } from '../../src/registry/index.js';
import { loadProfileRules } from '../../src/registry/profile-rules.adapter.js';
import { freshDatabase } from './databases.js';

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  registry: Registry;
  rules: ReturnType<typeof loadProfileRules>['rules'];
  view: ReturnType<typeof loadProfileRules>['view'];
  close(): Promise<void>;
}

export async function testApp(dialect: DialectName, defaultProfile = 'national'): Promise<TestApp> {
  const db = await freshDatabase(dialect);
  const { rules, view } = loadProfileRules(undefined, defaultProfile);
  const registry = createRegistry(createRepositories(db), rules, fixedClock(Date.UTC(2026, 10, 1)));
  const app = await buildApp({ db, registry, profiles: view, version: 'test', logger: false });
  return {
    app,
    db,
    registry,
    rules,
    view,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
