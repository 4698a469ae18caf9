// Where the test suite's time goes: the slowest test files of the last run, from the reports
// vitest.config.ts has it write (test-results/main.json and alone.json).
//   npx tsx scripts/test-times.ts [N]     the N slowest files (default 25) and the totals
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot as root } from '../src/project-root.js';

const projectRoot = root();

interface FileResult {
  name: string;
  startTime: number;
  endTime: number;
  status: string;
  assertionResults: { status: string; duration?: number | null }[];
}

const top = Number(process.argv[2] ?? 25);
const rows: { pass: string; file: string; seconds: number; tests: number; status: string }[] = [];
for (const pass of ['main', 'alone']) {
  const path = join(projectRoot, 'test-results', `${pass}.json`);
  if (!existsSync(path)) continue;
  const report = JSON.parse(readFileSync(path, 'utf8')) as { testResults: FileResult[] };
  for (const f of report.testResults) {
    rows.push({ pass, file: f.name.replace(projectRoot + '/', ''), seconds: (f.endTime - f.startTime) / 1000, tests: f.assertionResults.length, status: f.status });
  }
}
if (rows.length === 0) {
  process.stderr.write('no report yet: run the tests first (npm test, or npx vitest run …)\n');
  process.exit(1);
}
rows.sort((a, b) => b.seconds - a.seconds);
const width = Math.max(...rows.slice(0, top).map((r) => r.file.length));
process.stdout.write(`${'file'.padEnd(width)}  pass   seconds  tests  status\n`);
for (const r of rows.slice(0, top)) {
  process.stdout.write(`${r.file.padEnd(width)}  ${r.pass.padEnd(5)}  ${r.seconds.toFixed(1).padStart(7)}  ${String(r.tests).padStart(5)}  ${r.status}\n`);
}
for (const pass of ['main', 'alone']) {
  const of = rows.filter((r) => r.pass === pass);
  if (of.length) process.stdout.write(`${pass}: ${of.length} files, ${of.reduce((s, r) => s + r.seconds, 0).toFixed(0)} s summed over files\n`);
}
