// The leak check (test/setup/leak-warnings.ts) can fail: a child vitest runs fixtures that leak
// a FileHandle and overflow an emitter's listeners, and one that only sees unrelated warnings.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

it('fails the files that leak a handle or listeners, and no other', async () => {
  const r = await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(import.meta.dirname, 'fixtures/vitest.fixtures.config.ts'), '--reporter', 'json'], { cwd: ROOT, maxBuffer: 1 << 24 })
    .catch((e: { stdout: string; code: number }) => e);
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { testResults: { name: string; status: string; message: string; assertionResults: { status: string; failureMessages: string[] }[] }[] };
  const of = (name: string) => report.testResults.find((t) => t.name.endsWith(name))!;
  const text = (name: string) => `${of(name).message}\n${of(name).assertionResults.flatMap((a) => a.failureMessages).join('\n')}`;
  expect(of('file-handle.fixture.ts').status).toBe('failed');
  expect(text('file-handle.fixture.ts')).toMatch(/Closing file descriptor \d+ on garbage collection/);
  expect(of('listeners.fixture.ts').status).toBe('failed');
  expect(text('listeners.fixture.ts')).toMatch(/MaxListenersExceededWarning/);
  expect(of('experimental.fixture.ts').status).toBe('passed');
}, 300_000);
