import { readFileSync } from 'node:fs';
import { projectRoot } from './project-root.js';
import { join } from 'node:path';

/** The version in package.json. */
export const VERSION: string = (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
