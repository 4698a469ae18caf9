import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../project-root.js';
import { renderLegalDoc } from './legal-doc.js';
import { loadProfiles } from './profile-loader.js';

describe('docs/LEGAL.md', () => {
  const doc = renderLegalDoc(loadProfiles());

  it('is what the profile files generate (run `npx tsx scripts/generate-legal.ts` after changing a profile)', () => {
    expect(readFileSync(join(projectRoot(), 'docs', 'LEGAL.md'), 'utf8')).toBe(doc);
  });

  it('names every profile with its status and dates, and every value with its article', () => {
    for (const id of ['national', 'national-law', 'national-draft-2016', 'anhui', 'harbin', 'hubei', 'weihai']) expect(doc).toContain(`(\`${id}\``);
    expect(doc).toContain('Status: **in-force**, in force from 2025-04-01');
    expect(doc).toContain('Status: **expired**, in force from 2015-01-01 to 2024-11-30');
    expect(doc).toMatch(/\| retention: key anti-terror targets, days \| 90 \| CTL-32 \(第三十二条\) \| national-law \|/);
    expect(doc).toMatch(/\| filing: legacy systems, days \| 90 \| CN799-14 \(第十四条\) \| national \|/);
    expect(doc).toContain('CN799-27¶2 (第二十七条第二款)');
  });
});
