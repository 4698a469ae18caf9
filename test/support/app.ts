// A real app over a fresh database of either dialect, with the shipped jurisdiction profiles.
// `app.inject` signs requests as a platform-wide system administrator (an API token) unless the
// request brings its own credentials; `raw` is the app with no credentials added.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import type { GbRuntime } from '../../src/gb28181/open.js';
import { gbUseCases, type GbUseCases } from '../../src/gb28181/use-cases.js';
import { buildApp } from '../../src/api/app.js';
import { createAccess, type Access, type AccessSettings } from '../../src/access/index.js';
import { ROLE_PERMISSIONS } from '../../src/access/permissions.js';
import { AuditLog } from '../../src/audit/audit-log.js';
import { PlatformKeys } from '../../src/audit/platform-key.js';
import { configSchema } from '../../src/config/config.schema.js';
import { fixedClock } from '../../src/domain/clock.js';
import type { DialectName, Db } from '../../src/db/database.js';
import { createRepositories, type Repositories } from '../../src/db/repositories.js';
import { createRegistry, type Registry } from '../../src/registry/index.js';
import { loadProfileRules } from '../../src/registry/profile-rules.adapter.js';
import type { ProfileCatalogue } from '../../src/domain/profile-loader.js';
import { createSupervision, type Supervision } from '../../src/supervision/index.js';
import type { ComplaintLimits } from '../../src/supervision/complaint.service.js';
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { createHealth, type Health } from '../../src/health/index.js';
import type { EvidenceRouteDeps } from '../../src/api/routes/integrity/evidence-deps.js';
import { SecurityLog } from '../../src/access/security-log.js';
import { ReleaseService } from '../../src/release/release.service.js';
import { Masker } from '../../src/release/masker.js';
import { ExportService } from '../../src/export/export.service.js';
import { IntegrityService } from '../../src/integrity/integrity.service.js';
import { MerkleLog } from '../../src/integrity/merkle-log.js';
import { SegmentStore } from '../../src/recorder/segment-store/segment-store.js';
import { LegalHoldService } from '../../src/retention/legal-hold.service.js';
import { StorageMonitor } from '../../src/retention/storage-monitor.js';
import { DEFAULT_THRESHOLDS } from '../../src/storage/disk-usage.js';
import { freshDatabase } from './databases.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { testSources } from './sources.js';
import type { SourceGuard } from '../../src/ingest/source-guard.js';
import type { MediaRouteDeps } from '../../src/api/routes/live/media-plugin.js';
import { streamAuthority } from '../../src/access/stream-authority.js';
import { LiveService } from '../../src/live/live-service.js';
import { StreamHub } from '../../src/live/stream-hub.js';
import { StreamRegister } from '../../src/live/stream-register.js';
import { RecordingIndex } from '../../src/db/recording-index.repository.js';
import { PlaybackService } from '../../src/playback/playback-service.js';
import { TimelineService } from '../../src/playback/timeline-service.js';
import { ShareService } from '../../src/cascade/share.service.js';
import { EmergencyService } from '../../src/cascade/emergency.service.js';
import { platformProblem } from '../../src/cascade/emergency.js';
import type { Config } from '../../src/config/config.js';

/** The test app's own SIP ID as a lower platform, and the upper it may connect on demand (nobody answers there). */
export const TEST_LOWER_SIP_ID = '34010400002000000001';
export const TEST_ON_DEMAND_UPPER = '34000000002000000009';

export interface TestApp {
  /** The app; requests without credentials are sent as the platform administrator. */
  app: FastifyInstance;
  /** The same app, requests sent exactly as given. */
  raw: FastifyInstance;
  db: Db;
  repos: Repositories;
  registry: Registry;
  access: Access;
  supervision: Supervision;
  audit: AuditLog;
  /** Holds, exports, the Merkle log and the disk monitor behind the evidence routes. */
  evidence: EvidenceRouteDeps & { merkle: MerkleLog; store: SegmentStore };
  /** Camera health behind the status, diagnostics, work-order and alarm routes; its schedule is never started. */
  health: Health;
  /** Shares (共享) behind the share routes and the cascade. */
  shares: ShareService;
  /** Emergency connections (接入) behind their routes, over `o.cascade` (default: one onDemand upper nobody answers). */
  emergency: EmergencyService;
  clock: ReturnType<typeof fixedClock>;
  dataDir: string;
  /** The camera source policy the registry and health use. */
  sources: SourceGuard;
  adminId: number;
  rules: ReturnType<typeof loadProfileRules>['rules'];
  view: ReturnType<typeof loadProfileRules>['view'];
  /** The GB/T 28181 use cases behind the API; they reach devices through `gb.runtime` once a test sets it (gbWorld does). */
  gb: GbUseCases & { runtime?: GbRuntime };
  /** Live view, playback and the timeline, with `o.media`. */
  media?: MediaRouteDeps;
  /** The jurisdiction profiles the app was given. */
  catalogue: ProfileCatalogue;
  close(): Promise<void>;
}

/**
 * `o.access` overrides settings of the access rules. By default the API request limit is lifted:
 * tests send thousands of requests from one address at one instant of a fixed clock, as no real
 * client does (test/access/limits.test.ts tests the limit itself). `o.sources`: the camera source
 * policy's networks and media folders (default: the tests', loopback included). `o.media`: the live,
 * playback and timeline routes too, over services that start nothing until a viewer asks.
 */
export async function testApp(dialect: DialectName, defaultProfile = 'national', o: { access?: Partial<AccessSettings>; complaints?: ComplaintLimits; sources?: { networks?: string[]; fileRoots?: string[] }; media?: boolean; cascade?: Config['cascade']; databaseUrl?: string; devicePlayback?: Partial<Config['gb28181']['devicePlayback']> } = {}): Promise<TestApp> {
  // `databaseUrl`: a database another process shares (its dialect is the URL's).
  const db = o.databaseUrl ? openDatabase(o.databaseUrl) : await freshDatabase(dialect);
  if (o.databaseUrl) await migrateToLatest(db);
  const cascade = o.cascade ?? configSchema.parse({ cascade: { sipId: TEST_LOWER_SIP_ID, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '市公安局应急平台', sipId: TEST_ON_DEMAND_UPPER, address: '127.0.0.1', port: 9, password: 'unanswered', onDemand: true }] } }).cascade;
  const { rules, view, catalogue } = loadProfileRules(undefined, defaultProfile);
  const clock = fixedClock(Date.UTC(2026, 10, 1));
  const repos = createRepositories(db);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-app-'));
  const guard = testSources(dataDir, o.sources);
  const registry = createRegistry(repos, rules, clock, guard);
  const audit = new AuditLog(db, { keys: PlatformKeys.ephemeral(), clock });
  const access = createAccess({
    repos,
    audit,
    clock,
    dataDir,
    settings: { ...configSchema.parse({}).access, apiRequestsPerMinute: 1_000_000, ...o.access },
    keys: { csrf: randomBytes(32), stream: randomBytes(32) },
    accessProfile: (id) => catalogue.require(id).access,
    effectiveProfileId: (orgId) => registry.organisations.effectiveProfileId(orgId),
    connectProblem: (sipId) => platformProblem(cascade, sipId),
  });
  const supervision = createSupervision({
    repos, registry, catalogue, clock, log: access.log, dataDir, ...(o.complaints ? { complaints: o.complaints } : {}),
    // As context.ts wires it; health is built below and only called later.
    openWorkOrder: async (cameraId, userId, note) => {
      const r = await health.workOrders.openForFinding(await registry.cameras.get(cameraId), userId, note);
      return { id: r.order.id, opened: r.opened };
    },
  });
  const evidence = evidenceOf(repos, access, audit, clock, dataDir, catalogue);
  // As src/services/context.ts assembles it; start() is left to the 'health' role, so no cycle runs here.
  const health = createHealth({
    repo: repos.health,
    index: repos.recordingIndex,
    workOrders: repos.workOrders,
    forceMajeure: repos.forceMajeure,
    register: access.log,
    subjects: access.subjects,
    cameras: (ids) => repos.cameras.getMany(ids),
    dataDir,
    settings: configSchema.parse({}).health,
    sources: guard,
    clock,
    logger: pino({ level: 'silent' }),
    profileFor: async (regionId) => catalogue.require(await registry.organisations.effectiveProfileId(regionId)),
    metrics: new MetricsRegistry(),
  });
  const media = o.media ? mediaOf(db, repos, access, guard, dataDir) : undefined;
  const shares = new ShareService({ repos, log: access.log, clock, grantAuthority: async (orgId) => catalogue.require(await registry.organisations.effectiveProfileId(orgId)).access.shareGrantAuthority });
  const gbHook: { runtime?: GbRuntime } = {};
  const gb = Object.assign(gbHook, gbUseCases({
    repos, log: access.log, logger: pino({ level: 'silent' }), clock, store: new SegmentStore(dataDir), recorder: { fileSeconds: 600, fragmentMaxMs: 1000 }, runtime: () => gbHook.runtime,
    settings: configSchema.parse({ gb28181: { backfill: { stallSeconds: 10 }, ...(o.devicePlayback ? { devicePlayback: o.devicePlayback } : {}) } }).gb28181,
    // Device playback is watched through the media plane's hub; without one, a hub of its own (as an API process has).
    live: media?.live ?? { hub: new StreamHub({ sources: guard, sourceUrl: async () => undefined }), register: new StreamRegister(streamAuthority(access)) },
  }));
  const silent = pino({ level: 'silent' });
  const emergency = new EmergencyService({
    settings: cascade, repos, requests: access.requests, log: access.log, clock, logger: silent, where: 'API',
    cascade: { defaultSipId: TEST_LOWER_SIP_ID, deviceName: 'test lower', utcOffsetMinutes: 480, repos, shares, clock, logger: silent, dataDir, timers: { T1: 100, T2: 400 } },
  });
  const raw = await buildApp({ db, registry, profiles: view, access, version: 'test', logger: false, supervision, evidence, health: { health, dataDir }, shares: { shares }, emergency, ...(media ? { media } : {}),
    // GB/T 28181 routes as an API process without the platform in it serves them: the use cases decide, the device is unreachable.
    gb28181: gb,
  });
  const { user } = await access.users.create(null, { login: 'test-admin', displayName: 'Test administrator', password: randomBytes(12).toString('hex') });
  await access.users.grant(null, user.id, 'system_administrator', null);
  const { token } = await access.users.createToken(null, user.id, {
    name: 'tests',
    permissions: [...ROLE_PERMISSIONS.system_administrator],
    organisationId: null,
    expiresInDays: 366,
  });
  const app = asAdmin(raw, token);
  return {
    app,
    raw,
    db,
    repos,
    registry,
    access,
    supervision,
    audit,
    evidence,
    health,
    shares,
    emergency,
    clock,
    dataDir,
    sources: guard,
    adminId: user.id,
    rules,
    view,
    gb,
    ...(media ? { media } : {}),
    catalogue,
    async close() {
      await emergency.close();
      await health.close();
      await raw.close();
      await gb.close();
      await media?.live?.close();
      await evidence.store.close();
      await db.close();
    },
  };
}

/** The evidence services as src/services/evidence.ts assembles them, over the test's database. */
let masker: Promise<Masker> | undefined;
const sharedMasker = () => (masker ??= Masker.open());

function evidenceOf(repos: Repositories, access: Access, audit: AuditLog, clock: ReturnType<typeof fixedClock>, dataDir: string, catalogue: ProfileCatalogue): TestApp['evidence'] {
  const logger = pino({ level: 'silent' });
  const store = new SegmentStore(dataDir);
  const absolute = (p: string) => store.absolute(p);
  const log = new SecurityLog(audit);
  const merkle = new MerkleLog({ repo: repos.integrityLog, index: repos.recordingIndex, keys: audit.keys, clock, logger, absolute });
  return {
    store, merkle, keys: audit.keys, dataDir, absolute, thresholds: DEFAULT_THRESHOLDS,
    holds: new LegalHoldService(repos, log, clock),
    integrity: new IntegrityService({ repo: repos.integrityLog, index: repos.recordingIndex, access, log, keys: audit.keys, absolute }),
    exports: new ExportService({ repos, access, log, merkle, keys: audit.keys, clock, logger, dataDir, absolute }),
    // The masker loads its models when a release first needs them (most tests never do).
    releases: new ReleaseService({ repos, access, log, merkle, keys: audit.keys, clock, logger, dataDir, absolute, masker: sharedMasker, profile: (id) => catalogue.require(id) }),
    storage: new StorageMonitor({ dir: dataDir, repo: repos.storageAlarms, clock, logger }),
  };
}

/** Live view, playback and the timeline as the recorder role's process assembles them. */
function mediaOf(db: Db, repos: Repositories, access: Access, sources: SourceGuard, dataDir: string): MediaRouteDeps {
  const register = new StreamRegister(streamAuthority(access));
  const hub = new StreamHub({ sources, sourceUrl: async (id) => (await repos.cameras.get(id))?.sourceUrl ?? undefined, lingerMs: 1000 });
  const index = new RecordingIndex(db.kysely);
  return { live: new LiveService(hub, register, { webrtc: { pathMtu: configSchema.parse({}).live.pathMtu } }), playback: new PlaybackService(index, dataDir, register), timeline: new TimelineService(index, repos.fencedFootage) };
}

function asAdmin(raw: FastifyInstance, token: string): FastifyInstance {
  return new Proxy(raw, {
    get(target, prop, receiver) {
      if (prop !== 'inject') return Reflect.get(target, prop, receiver);
      return (opts: InjectOptions | string) => {
        const o: InjectOptions = typeof opts === 'string' ? { url: opts } : { ...opts };
        const headers = { ...(o.headers ?? {}) } as Record<string, string>;
        if (!headers.authorization && !headers.cookie) headers.authorization = `Bearer ${token}`;
        return target.inject({ ...o, headers });
      };
    },
  });
}
