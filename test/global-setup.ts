// One throwaway PostgreSQL for the whole run; each test file makes its own database in it, as a
// copy of the run's migrated template (test/support/database-templates.ts), and SQLite databases
// are copies of the run's migrated file.
import type { TestProject } from 'vitest/node';
import { startPostgres, type ThrowawayPostgres } from './support/postgres.js';
import { makeTemplates, type DatabaseTemplates } from './support/database-templates.js';

let server: ThrowawayPostgres | undefined;
let templates: DatabaseTemplates | undefined;

export default async function setup(project: TestProject) {
  server = await startPostgres();
  templates = await makeTemplates(server.url);
  project.provide('postgresUrl', server.url);
  project.provide('postgresTemplate', templates.postgresName);
  project.provide('sqliteTemplate', templates.sqlitePath);
  return async () => {
    await server?.stop();
    templates?.remove();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    /** The migrated database on that server that test databases are copied from. */
    postgresTemplate: string;
    /** The migrated SQLite file that test databases are copied from. */
    sqliteTemplate: string;
  }
}
