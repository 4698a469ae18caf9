// README's configuration table is generated from the config schema; this fails when someone adds,
// removes or changes a field (or its variable, default or range) without regenerating it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configTable, END, readmeWithTable, START } from '../../scripts/config-table.js';
import { ENV_MAP } from '../../src/config/config.js';
import { projectRoot } from '../../src/project-root.js';

const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');

describe("README's configuration table", () => {
  it('is the one the schema gives (run `npx tsx scripts/config-table.ts --write` after changing the schema)', () => {
    expect(readme.slice(readme.indexOf(START), readme.indexOf(END) + END.length)).toBe(configTable());
  });

  it('names every VIGIL_ variable the configuration reads', () => {
    for (const name of Object.keys(ENV_MAP)) expect(configTable()).toContain(`\`${name}\``);
  });

  it('sees a table that has drifted', () => {
    const drifted = readmeWithTable(readme).replace('| `600` |', '| `300` |');
    expect(drifted.slice(drifted.indexOf(START), drifted.indexOf(END) + END.length)).not.toBe(configTable());
  });
});
