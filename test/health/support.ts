// Health wired over a recorder harness or a test app: real profiles, real ffmpeg, thresholds from
// the configuration defaults.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { configSchema } from '../../src/config/config.schema.js';
import type { Clock } from '../../src/domain/clock.js';
import { loadProfiles } from '../../src/domain/profile-loader.js';
import { SecurityLog } from '../../src/access/security-log.js';
import { subjectsOf } from '../../src/access/subjects.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import type { Repositories } from '../../src/db/repositories.js';
import { createHealth, type Health, type HealthSettings } from '../../src/health/index.js';
import { testSources } from '../support/sources.js';

export const catalogue = loadProfiles();

export function healthFor(o: {
  repos: Repositories;
  dataDir: string;
  clock: Clock;
  profileId?: string | ((regionId: number) => Promise<string>);
  settings?: Partial<HealthSettings>;
  metrics?: Registry;
  /** The access register; by default one over the same database with a key of its own. */
  register?: SecurityLog;
}): Health {
  const defaults = configSchema.parse({}).health;
  const profileOf = typeof o.profileId === 'function' ? o.profileId : async () => (o.profileId as string | undefined) ?? 'national';
  return createHealth({
    repo: o.repos.health,
    index: o.repos.recordingIndex,
    workOrders: o.repos.workOrders,
    forceMajeure: o.repos.forceMajeure,
    register: o.register ?? new SecurityLog(new AuditLog(o.repos.db, { keys: PlatformKeys.ephemeral(), clock: o.clock })),
    subjects: subjectsOf(o.repos),
    cameras: (ids) => o.repos.cameras.getMany(ids),
    dataDir: o.dataDir,
    settings: { ...defaults, ...o.settings },
    sources: testSources(o.dataDir),
    clock: o.clock,
    logger: pino({ level: 'silent' }),
    profileFor: async (regionId) => catalogue.require(await profileOf(regionId)),
    metrics: o.metrics ?? new Registry(),
  });
}
