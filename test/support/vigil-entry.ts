// How a test starts the `vigil` command as a process: the built command (bin/vigil.cjs over
// dist/, what a user runs) when dist/ was built from the sources as they are now, as `npm test`
// makes sure of before it runs the tests; otherwise the TypeScript sources under tsx, so a
// developer who edits a file and runs one test file tests the edit. The built command starts in
// about half the CPU time of tsx, and the CLI and two-Vigils tests start dozens of processes.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = join(import.meta.dirname, '..', '..');
const STAMP = join(ROOT, 'dist', '.build-stamp');
const TSX = pathToFileURL(join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

/** The newest modification time of the files the build compiles (src/, tests excluded). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let built: boolean | undefined;

/** Whether dist/ holds the sources as they are now (its build stamp is newer than every source). */
export function builtIsCurrent(): boolean {
  built ??= existsSync(STAMP) && statSync(STAMP).mtimeMs >= newestSource(join(ROOT, 'src'));
  return built;
}

/** node's arguments that run `vigil` (followed by the command's own arguments). */
export function vigilEntry(): string[] {
  return builtIsCurrent() ? [join(ROOT, 'bin', 'vigil.cjs')] : ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts')];
}
