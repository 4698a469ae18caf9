// The console's two languages must say the same things: identical key sets, no empty text, and
// every key the code asks for present in both.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/project-root.js';
import { CAMERA_STATUSES, DEVICE_TYPES, FUNDING, PLATFORM_LEVELS, UNIT_ROLES } from '../../web/src/api/types.js';

const dir = join(projectRoot(), 'web', 'src');
const load = (lng: string) => JSON.parse(readFileSync(join(dir, 'i18n', `${lng}.json`), 'utf8')) as Record<string, unknown>;

/** Leaf keys as dotted paths, with their text; empty objects count as leaves so both must have them. */
function leaves(obj: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && Object.keys(v).length) for (const [kk, vv] of leaves(v as Record<string, unknown>, key)) out.set(kk, vv);
    else out.set(key, v);
  }
  return out;
}

function sources(path: string): string[] {
  return readdirSync(path).flatMap((e) => {
    const p = join(path, e);
    return statSync(p).isDirectory() ? sources(p) : /\.tsx?$/.test(e) ? [p] : [];
  });
}

describe('console translations', () => {
  const zh = leaves(load('zh'));
  const en = leaves(load('en'));

  it('zh.json and en.json have identical key sets', () => {
    expect([...zh.keys()].sort()).toEqual([...en.keys()].sort());
  });

  it('every text is a non-empty string (or an intentionally empty group)', () => {
    for (const [lng, map] of [['zh', zh], ['en', en]] as const) {
      for (const [k, v] of map) {
        if (typeof v === 'object' && v !== null) continue;
        expect(typeof v === 'string' && v.trim().length > 0, `${lng}: ${k}`).toBe(true);
      }
    }
  });

  it('the Chinese file is Chinese and the English file is not', () => {
    expect(zh.get('nav.cameras')).toBe('摄像机');
    expect(en.get('nav.cameras')).toBe('Cameras');
    const cjk = /[\u4e00-\u9fff]/;
    const chineseInEnglish = [...en].filter(([, v]) => typeof v === 'string' && cjk.test(v)).map(([k]) => k);
    expect(chineseInEnglish).toEqual([]);
  });

  it('every literal key the code uses exists', () => {
    const used = new Set<string>();
    for (const file of sources(dir)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.]*)'/g)) used.add(m[1]!);
      for (const m of text.matchAll(/\blabel: '((?:nav)\.[\w.]+)'/g)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(50);
    const missing = [...used].filter((k) => !zh.has(k));
    expect(missing).toEqual([]);
  });

  it('every value of the enumerations the API sends has a label', () => {
    const groups: [string, readonly string[]][] = [
      ['enum.deviceType', DEVICE_TYPES],
      ['enum.funding', FUNDING],
      ['enum.status', CAMERA_STATUSES],
      ['enum.level', PLATFORM_LEVELS],
      ['enum.role', UNIT_ROLES],
    ];
    for (const [prefix, values] of groups) for (const v of values) expect(zh.has(`${prefix}.${v}`), `${prefix}.${v}`).toBe(true);
  });
});
