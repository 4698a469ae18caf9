// A real API server with the watching routes over a real simulator, recorder database and the
// real access rules: people with roles, API tokens, stream tokens from POST /stream-tokens and
// revocations through the access code's hub. For the browser-level media tests and the benchmark.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { createAccess, type Access } from '../../src/access/index.js';
import type { Role } from '../../src/access/permissions.js';
import { ROLE_PERMISSIONS } from '../../src/access/permissions.js';
import { buildApp } from '../../src/api/app.js';
import { streamAuthority } from '../../src/access/stream-authority.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { configSchema } from '../../src/config/config.schema.js';
import type { DialectName } from '../../src/db/database.js';
import { systemClock } from '../../src/domain/clock.js';
import { createSource } from '../../src/ingest/index.js';
import type { MediaSource, SourceOptions } from '../../src/ingest/source.js';
import { LiveService, type LiveServiceOptions } from '../../src/live/live-service.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { StreamRegister } from '../../src/live/stream-register.js';
import { RecordingIndex } from '../../src/db/recording-index.repository.js';
import { PlaybackService } from '../../src/playback/playback-service.js';
import { TimelineService } from '../../src/playback/timeline-service.js';
import { createRegistry } from '../../src/registry/index.js';
import { loadProfileRules } from '../../src/registry/profile-rules.adapter.js';
import { recorderHarness, type RecorderHarness } from '../support/recorder-harness.js';
import { testSources } from '../support/sources.js';

export interface ApiClient {
  userId: number;
  tokenId: number;
  bearer: string;
  /** A stream token from POST /api/v1/stream-tokens, or the refusal's status. */
  streamToken(cameraId: number, kind: 'live' | 'playback', range?: { from: number; to: number }): Promise<string>;
}

export interface MediaServer {
  url: string;
  app: FastifyInstance;
  harness: RecorderHarness;
  access: Access;
  /** The access register the API writes to. */
  audit: AuditLog;
  hub: StreamHub;
  live: LiveService;
  playback: PlaybackService;
  /** Sources the hub opened, by URL. */
  opened: string[];
  /** A person with `role` over the cameras' region (or elsewhere) and an API token. */
  client(login: string, role: Role, where: 'cameras' | 'elsewhere'): Promise<ApiClient>;
  close(): Promise<void>;
}

export async function startMediaServer(sourceUrls: (string | null)[], options: { lingerMs?: number; live?: LiveServiceOptions; dialect?: DialectName } = {}): Promise<MediaServer> {
  const harness = await recorderHarness(sourceUrls, { dialect: options.dialect });
  const { rules, view, catalogue } = loadProfileRules(undefined, 'national');
  const registry = createRegistry(harness.repos, rules, systemClock, testSources(harness.dataDir));
  const audit = new AuditLog(harness.db, { keys: PlatformKeys.ephemeral(), clock: systemClock });
  const access = createAccess({
    repos: harness.repos,
    audit,
    clock: systemClock,
    dataDir: harness.dataDir,
    settings: configSchema.parse({}).access,
    keys: { csrf: randomBytes(32), stream: randomBytes(32) },
    accessProfile: (id) => catalogue.require(id).access,
    effectiveProfileId: (orgId) => registry.organisations.effectiveProfileId(orgId),
  });
  const register = new StreamRegister(streamAuthority(access));
  const opened: string[] = [];
  const hub = new StreamHub({
    sources: testSources(harness.dataDir),
    sourceUrl: async (id) => (await harness.repos.cameras.get(id))?.sourceUrl ?? undefined,
    createSource: (url: string, o: SourceOptions): MediaSource => {
      opened.push(url);
      return createSource(url, o);
    },
    lingerMs: options.lingerMs ?? 1000,
    logger: harness.logger,
  });
  // As the platform opens it (services/watching.ts): packets made for the configured path MTU.
  const live = new LiveService(hub, register, { webrtc: { pathMtu: configSchema.parse({}).live.pathMtu }, ...options.live });
  const index = new RecordingIndex(harness.db.kysely);
  const playback = new PlaybackService(index, harness.dataDir, register);
  const app = await buildApp({
    db: harness.db,
    registry,
    profiles: view,
    access,
    version: 'test',
    logger: false,
    media: { live, playback, timeline: new TimelineService(index, harness.repos.fencedFootage) },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const camera = await harness.repos.cameras.get(harness.cameraIds[0]!);
  let elsewhere: number | undefined;
  return {
    url,
    app,
    harness,
    access,
    audit,
    hub,
    live,
    playback,
    opened,
    async client(login, role, where) {
      if (where === 'elsewhere' && elsewhere === undefined) {
        elsewhere = (await harness.repos.organisations.create({ kind: 'platform', name: 'Other city', level: 'city', regionCode: '340200' }, Date.now())).id;
      }
      const org = where === 'cameras' ? camera!.regionId : elsewhere!;
      const { user } = await access.users.create(null, { login, displayName: login, password: randomBytes(12).toString('hex'), organisationId: org });
      await access.users.grant(null, user.id, role, org);
      const t = await access.users.createToken(null, user.id, { name: 'media tests', permissions: [...ROLE_PERMISSIONS[role]], organisationId: org, expiresInDays: 1 });
      const bearer = t.token;
      return {
        userId: user.id,
        tokenId: t.id,
        bearer,
        async streamToken(cameraId, kind, range) {
          const res = await fetch(`${url}/api/v1/stream-tokens`, {
            method: 'POST',
            headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
            body: JSON.stringify({ cameraId, kind, ...(range ?? {}) }),
          });
          const body = (await res.json()) as { token?: string };
          if (res.status !== 201 || !body.token) throw Object.assign(new Error(`stream token refused: ${res.status}`), { status: res.status });
          return body.token;
        },
      };
    },
    async close() {
      await live.close();
      await app.close();
      await harness.close();
      rmSync(harness.dataDir, { recursive: true, force: true });
    },
  };
}
