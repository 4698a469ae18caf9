import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
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
}

export function createRegistry(repos: Repositories, rules: ProfileRules, clock: Clock): Registry {
  const organisations = new OrganisationService(repos, rules, clock);
  const cameras = new CameraService(repos, organisations, rules, clock);
  return {
    organisations,
    cameras,
    importer: new CameraImporter(repos, cameras, rules, clock),
    groups: new CameraGroupService(repos, clock),
    coverage: new CoverageService(repos, rules),
  };
}
