#!/usr/bin/env node
// The `vigil` command: runs the built CLI (npm start builds it; or `npm run build`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('vigil is not built yet: run `npm run build` (or `npm start`) first.\n');
  process.exit(1);
}
await import(main);
