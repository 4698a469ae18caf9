// The console with a media plane, for the wall and playback browser tests: the real recorder
// database and simulator cameras, the real access rules, the watching routes (live, playback,
// timeline) and the built console served from the same origin, as the serve role will.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAccess, type Access } from '../../src/access/index.js';
import type { Role } from '../../src/access/permissions.js';
import { gbUseCases } from '../../src/gb28181/use-cases.js';
import { SegmentStore } from '../../src/recorder/segment-store/segment-store.js';
import { pino as makeLogger } from 'pino';
import { buildApp } from '../../src/api/app.js';
import { consolePlugin } from '../../src/api/plugins/console.js';
import { streamAuthority } from '../../src/access/stream-authority.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { configSchema } from '../../src/config/config.schema.js';
import { systemClock } from '../../src/domain/clock.js';
import { LiveService } from '../../src/live/live-service.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { StreamRegister } from '../../src/live/stream-register.js';
import { RecordingIndex } from '../../src/db/recording-index.repository.js';
import { PlaybackService } from '../../src/playback/playback-service.js';
import { TimelineService } from '../../src/playback/timeline-service.js';
import { projectRoot } from '../../src/project-root.js';
import { createRegistry } from '../../src/registry/index.js';
import { loadProfileRules } from '../../src/registry/profile-rules.adapter.js';
import { recorderHarness, type RecorderHarness } from '../support/recorder-harness.js';
import type { Person } from '../support/browser.js';
import { testSources } from '../support/sources.js';

export interface WatchServer {
  url: string;
  harness: RecorderHarness;
  access: Access;
  /** Live view: its stream register lists the streams open now. */
  live: LiveService;
  /** A person with a password and `role` over the cameras' region. */
  person(login: string, role: Role): Promise<Person>;
  close(): Promise<void>;
}

export async function startWatchServer(sourceUrls: string[]): Promise<WatchServer> {
  const harness = await recorderHarness(sourceUrls);
  const { rules, view, catalogue } = loadProfileRules(undefined, 'national');
  const registry = createRegistry(harness.repos, rules, systemClock, testSources(harness.dataDir));
  const access = createAccess({
    repos: harness.repos,
    audit: new AuditLog(harness.db, { keys: PlatformKeys.ephemeral(), clock: systemClock }),
    clock: systemClock,
    dataDir: harness.dataDir,
    settings: configSchema.parse({}).access,
    keys: { csrf: randomBytes(32), stream: randomBytes(32) },
    accessProfile: (id) => catalogue.require(id).access,
    effectiveProfileId: (orgId) => registry.organisations.effectiveProfileId(orgId),
  });
  const register = new StreamRegister(streamAuthority(access));
  const hub = new StreamHub({ sources: testSources(harness.dataDir), sourceUrl: async (id) => (await harness.repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 1000 });
  const live = new LiveService(hub, register);
  const index = new RecordingIndex(harness.db.kysely);
  const webRoot = join(projectRoot(), 'dist', 'web');
  const app: FastifyInstance = await buildApp({
    db: harness.db,
    registry,
    profiles: view,
    access,
    version: 'test',
    logger: false,
    media: { live, playback: new PlaybackService(index, harness.dataDir, register), timeline: new TimelineService(index, harness.repos.fencedFootage) },
    // As an API process without the GB/T 28181 platform serves them: every tile asks whether it takes PTZ.
    gb28181: gbUseCases({ repos: harness.repos, log: access.log, logger: makeLogger({ level: 'silent' }), clock: { now: () => Date.now() }, store: new SegmentStore(harness.dataDir), recorder: { fileSeconds: 600, fragmentMaxMs: 1000 }, runtime: () => undefined, settings: configSchema.parse({}).gb28181 }),
    plugins: [consolePlugin(webRoot)],
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const regionId = (await harness.repos.cameras.get(harness.cameraIds[0]!))!.regionId;
  return {
    url,
    harness,
    access,
    live,
    async person(login, role) {
      const password = `pw-${randomBytes(9).toString('hex')}`;
      const { user } = await access.users.create(null, { login, displayName: login, password, organisationId: regionId });
      await access.users.grant(null, user.id, role, regionId);
      return { id: user.id, login, password, workId: null, displayName: login };
    },
    async close() {
      await live.close();
      await app.close();
      await harness.close();
      rmSync(harness.dataDir, { recursive: true, force: true });
    },
  };
}
