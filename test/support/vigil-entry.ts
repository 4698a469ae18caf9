// How a test starts the `vigil` command as a process: the built command (bin/vigil.cjs over
// dist/, what a user runs) when dist/ was built from the sources as they are now, as `npm test`
// makes sure of before it runs the tests; otherwise the TypeScript sources under tsx, so a
// developer who edits a file and runs one test file tests the edit. The built command starts in
// about half the CPU time of tsx, and the CLI and two-Vigils tests start dozens of processes.
// The tests' own child programs (a recorder to kill, an exporter to kill mid-package) run the
// same way: transpiled beside dist/ over the built modules when those are current.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

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

const compiled = new Map<string, string>();

/**
 * A test's own child program (a TypeScript file under test/, e.g. test/evidence/evidence-child.ts)
 * transpiled beside dist/ with the test modules it imports, its imports of src/ pointed at the
 * built modules: a child that runs no TypeScript loader. Written once per file and process, by
 * rename, so two test workers never see half a file.
 */
export function compiledTestChild(source: string): string {
  return compileTestModule(source);
}

function compileTestModule(source: string): string {
  const done = compiled.get(source);
  if (done) return done;
  const rel = relative(join(ROOT, 'test'), source);
  if (rel.startsWith('..')) throw new Error(`${source} is not a test module`);
  const out = join(ROOT, 'dist', 'test-support', rel.replace(/\.ts$/, '.js'));
  compiled.set(source, out);
  let text = readFileSync(source, 'utf8');
  text = text.replace(/((?:from|import)\s*\(?\s*')(\.{1,2}\/[^']+)(')/g, (_, before: string, spec: string, after: string) => {
    const target = resolve(dirname(source), spec);
    let built: string;
    if (target.startsWith(join(ROOT, 'src') + sep)) built = join(ROOT, 'dist', relative(join(ROOT, 'src'), target));
    else if (target.startsWith(join(ROOT, 'test') + sep)) built = compileTestModule(target.replace(/\.js$/, '.ts'));
    else return before + spec + after;
    const path = relative(dirname(out), built);
    return before + (path.startsWith('.') ? path : `./${path}`) + after;
  });
  const { outputText } = ts.transpileModule(text, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    fileName: source,
  });
  mkdirSync(dirname(out), { recursive: true });
  const temporary = `${out}.${process.pid}.tmp`;
  writeFileSync(temporary, outputText);
  renameSync(temporary, out);
  return out;
}

/** node's arguments that run a test's child program `source` (a .ts file under test/). */
export function testChildEntry(source: string): string[] {
  return builtIsCurrent() ? [compileTestModule(source)] : ['--import', TSX, source];
}
