// The import rules of src/: no cycle between its top-level folders, nothing below `services/`, `api/`
// and `cli/` importing them, no production code importing the simulator, no I/O in `domain/`.
// The rules are `.dependency-cruiser.cjs`; this test runs dependency-cruiser over src/ and fails on any
// violation, then folds the module graph to top-level folders and fails on any cycle between them.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root.js';

interface Cruise {
  modules: { source: string; dependencies: { resolved: string; coreModule: boolean }[] }[];
  summary: { violations: { rule: { name: string }; from: string; to: string }[] };
}

const root = projectRoot();

function cruise(): Cruise {
  const bin = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
  const out = execFileSync(process.execPath, [bin, 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: root,
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out.toString('utf8')) as Cruise;
}

/** The top-level folder of src/ a module is in, or undefined for src/*.ts and anything outside src/. */
function folderOf(path: string): string | undefined {
  return /^src\/([^/]+)\//.exec(path)?.[1];
}

/** Folder → folders it imports, over production modules. */
export function folderGraph(c: Cruise): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const m of c.modules) {
    const from = folderOf(m.source);
    if (!from) continue;
    for (const d of m.dependencies) {
      const to = folderOf(d.resolved);
      if (!to || to === from || d.coreModule) continue;
      const edges = graph.get(from) ?? new Map<string, string>();
      if (!edges.has(to)) edges.set(to, `${m.source} → ${d.resolved}`);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Strongly connected groups of more than one folder (Tarjan). */
export function cycles(graph: Map<string, Map<string, string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  const nodes = new Set([...graph.keys(), ...[...graph.values()].flatMap((e) => [...e.keys()])]);
  for (const v of [...nodes].sort()) if (!index.has(v)) visit(v);
  return groups;
}

describe('the import rules of src/', () => {
  let result: Cruise;
  beforeAll(() => {
    result = cruise();
  }, 120_000);

  it('has no import that breaks a rule of .dependency-cruiser.cjs', () => {
    const broken = result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(broken).toEqual([]);
  });

  it('has no cycle between top-level folders', () => {
    const graph = folderGraph(result);
    // Each folder pair of a cycle, with one import that makes it, so the failure says where to look.
    const found = cycles(graph).map((group) => {
      const inGroup = new Set(group);
      const edges = group.flatMap((a) => [...(graph.get(a) ?? [])].filter(([b]) => inGroup.has(b)).map(([, why]) => why));
      return { folders: group.join(', '), imports: edges };
    });
    expect(found).toEqual([]);
  });

  it('sees a cycle when there is one', () => {
    // The check above can fail: a graph with a loop is reported as one group.
    const graph = new Map([
      ['a', new Map([['b', 'a.ts → b.ts']])],
      ['b', new Map([['c', 'b.ts → c.ts']])],
      ['c', new Map([['a', 'c.ts → a.ts']])],
      ['d', new Map([['a', 'd.ts → a.ts']])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
  });
});
