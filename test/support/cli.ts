// The `vigil` command run as a user runs it, for the CLI tests: a real process (the built command,
// or the TypeScript sources when they are newer than the build: vigil-entry.ts), and a database of
// its own on the dialect under test.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';
import { vigilEntry } from './vigil-entry.js';

const run = promisify(execFile);

/** Runs `vigil ARGS` in `cwd` with exactly `env`; rejects (with stdout/stderr/code) on a non-zero exit. */
export function runVigil(args: readonly string[], env: Record<string, string>, cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [...vigilEntry(), ...args], { env, cwd });
}

/** A fresh PostgreSQL database on the run's throwaway server, or undefined for SQLite (the default). */
export async function cliDatabaseUrl(dialect: 'sqlite' | 'postgres', prefix: string): Promise<string | undefined> {
  if (dialect === 'sqlite') return undefined;
  const server = inject('postgresUrl');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  return server.replace(/\/[^/]*$/, `/${name}`);
}
