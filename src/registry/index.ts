import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import type { SourceGuard } from '../ingest/source-guard.js';
import { CameraChanges } from './camera-changes.js';
import { CameraGroupService } from './camera-group.service.js';
import { CameraImporter } from './camera-import.js';
import { CameraService } from './camera.service.js';
import { CoverageService } from './coverage.service.js';
import { OrganisationService } from './organisation.service.js';
import type { ProfileRules } from './profile-rules.js';

export interface Registry {
  organisations: OrganisationService;
  cameras: CameraService;
  importer: CameraImporter;
  groups: CameraGroupService;
  coverage: CoverageService;
  /** Committed camera changes of this process, for the recorder. */
  changes: CameraChanges;
}

/** `sources` is the camera source policy every registered or changed source must pass (issue 14). */
export function createRegistry(repos: Repositories, rules: ProfileRules, clock: Clock, sources: SourceGuard): Registry {
  const organisations = new OrganisationService(repos, rules, clock);
  const changes = new CameraChanges();
  const cameras = new CameraService(repos, organisations, rules, clock, sources, changes);
  return {
    organisations,
    cameras,
    changes,
    importer: new CameraImporter(repos, cameras, rules, clock, changes),
    groups: new CameraGroupService(repos, clock),
    coverage: new CoverageService(repos, rules),
  };
}
