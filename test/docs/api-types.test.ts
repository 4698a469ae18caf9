// The console's API types (web/src/api/generated/openapi.d.ts) are the ones the server's OpenAPI
// document gives today: a route whose schema changed without the file being regenerated fails here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiTypes, GENERATED } from '../../scripts/api-types.js';

describe("the console's API types", () => {
  it('are the ones the OpenAPI document gives (run `npx tsx scripts/api-types.ts` after changing a route schema)', async () => {
    const committed = readFileSync(GENERATED, 'utf8');
    const fresh = await apiTypes();
    if (committed !== fresh) {
      const a = committed.split('\n');
      const b = fresh.split('\n');
      let line = 0;
      while (line < a.length && a[line] === b[line]) line++;
      expect.fail(
        `web/src/api/generated/openapi.d.ts differs from the server's OpenAPI document from line ${line + 1} ` +
          `(committed: ${JSON.stringify(a[line] ?? '(end)')}, server: ${JSON.stringify(b[line] ?? '(end)')}). ` +
          'Run `npx tsx scripts/api-types.ts` and commit the result.',
      );
    }
  }, 120_000);
});
