// Writes docs/LEGAL.md from the profile files: `npx tsx scripts/generate-legal.ts`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderLegalDoc } from '../src/domain/legal-doc.js';
import { loadProfiles } from '../src/domain/profile-loader.js';
import { projectRoot } from '../src/project-root.js';

writeFileSync(join(projectRoot(), 'docs', 'LEGAL.md'), renderLegalDoc(loadProfiles()));
