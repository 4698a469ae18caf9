// One throwaway PostgreSQL for the whole run; each test file makes its own database in it.
import type { TestProject } from 'vitest/node';
import { startPostgres, type ThrowawayPostgres } from './support/postgres.js';

let server: ThrowawayPostgres | undefined;

export default async function setup(project: TestProject) {
  server = await startPostgres();
  project.provide('postgresUrl', server.url);
  return async () => {
    await server?.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}
