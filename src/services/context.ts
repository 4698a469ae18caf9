// Opens what every process role needs, once: configuration → logger → database (migrated) →
// jurisdiction profiles → repositories → registry and access; health and supervision when a role
// first asks for them.
import { footageReaderOf } from './object-storage.js';
import { closePeerFootage } from './peer-footage.js';
import { ClusterEventFeed } from '../cluster/event-feed.js';
import type { HealthEvent } from '../health/events.js';
import { absoluteFootagePath } from '../storage/footage-reader.js';
import { mkdirSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { Access } from '../access/index.js';
import { ensureInitialAdmin } from '../access/first-run.js';
import { openAccess } from './access.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Config } from '../config/config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { Wakeups } from '../db/wakeups.js';
import { createRepositories, type Repositories } from '../db/repositories.js';
import type { ProfileCatalogue } from '../domain/profile-loader.js';
import { createHealth, type Health } from '../health/index.js';
import { createSupervision, type Supervision } from '../supervision/index.js';
import { ShareService } from '../cascade/share.service.js';
import { createRegistry, type Registry } from '../registry/index.js';
import { loadProfileRules } from '../registry/profile-rules.adapter.js';
import type { ProfileCatalogueView, ProfileRules } from '../registry/profile-rules.js';
import { Registry as MetricsRegistry } from 'prom-client';
import { VERSION } from '../version.js';
import { sourceGuardFor, type SourceGuard } from '../ingest/source-guard.js';

/** The LISTEN/NOTIFY channel that wakes every process to read the cluster's event table. */
export const EVENTS_CHANNEL = 'vigil_events';

export interface Context {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Db;
  repos: Repositories;
  rules: ProfileRules;
  profiles: ProfileCatalogueView;
  /** Resolved jurisdiction profiles (retention periods and the rest). */
  catalogue: ProfileCatalogue;
  registry: Registry;
  /** The access register (hash-chained audit log). */
  audit: AuditLog;
  /** Accounts, policies, stream tokens and access requests. */
  access: Access;
  version: string;
  /** The process's one Prometheus registry: every role adds its metrics, /metrics shows them all. */
  metrics: MetricsRegistry;
  /** Camera health: status and rates, diagnostics, work orders, alarms (its schedule runs in the 'health' role); built on first use. */
  readonly health: Health;
  /** Lifecycle and supervision (R7, R8); built on first use. */
  readonly supervision: Supervision;
  /** Shares (共享) of cameras with upper platforms, departments and API clients; the cascade role answers from them. */
  shares: ShareService;
  /** The camera source policy every path that opens a source asks (issue 14). */
  sources: SourceGuard;
  /** PostgreSQL LISTEN/NOTIFY wake-ups between processes ('re-read now', never data); absent on SQLite. */
  wakeups?: Wakeups;
  close(): Promise<void>;
}

export async function openContext(config: Config, options: { logger?: Logger; clock?: Clock } = {}): Promise<Context> {
  const logger = options.logger ?? pino({ level: config.log.level, base: { service: 'vigil' } });
  const clock = options.clock ?? systemClock;
  mkdirSync(config.dataDir, { recursive: true });
  const { rules, view, catalogue } = loadProfileRules(config.profilesDir, config.profile, clock);
  // A deployment on a draft or an expired text still starts, but says so first (the law as enacted).
  const standing = view.standing(config.profile);
  if (standing?.warning) logger.warn({ profile: config.profile, status: standing.status, effectiveFrom: standing.effectiveFrom, effectiveTo: standing.effectiveTo }, standing.warning.en);
  const db = openDatabase(config.database.url, { poolSize: config.database.poolSize });
  try {
    const applied = await migrateToLatest(db, { dataDir: config.dataDir });
    if (applied.length) logger.info({ applied, dialect: db.dialect }, 'database migrated');
  } catch (e) {
    await db.close();
    throw e;
  }
  const repos = createRepositories(db);
  const sources = sourceGuardFor(config);
  const registry = createRegistry(repos, rules, clock, sources);
  // Supervision is built on first use, but its acceptance gate holds from the start: a process
  // that never asks for supervision (`vigil camera update`) must not put an unaccepted camera in
  // service. The first check builds supervision, which puts the real gate in place of this one.
  let gateBuilt = false;
  registry.cameras.setServiceGate(async (ids) => {
    if (gateBuilt) return new Map();
    gateBuilt = true;
    void context.supervision;
    return registry.cameras.serviceRefusals(ids);
  });
  // Between processes on PostgreSQL: a 're-read now' signal, never data (src/db/wakeups.ts).
  const wakeups = db.dialect === 'postgres' ? new Wakeups(db, (err) => logger.warn({ err }, 'database wake-ups interrupted: other processes\' changes arrive by polling until they are back')) : undefined;
  // Every API node of a cluster signs and checks stream and CSRF tokens with the same keys.
  let sharedKeys: { csrf: Buffer; stream: Buffer } | undefined;
  try {
    sharedKeys = db.dialect === 'postgres' ? { csrf: await repos.cluster.key('csrf-hmac', clock.now()), stream: await repos.cluster.key('stream-hmac', clock.now()) } : undefined;
  } catch (e) {
    await db.close();
    throw e;
  }
  const { access, audit } = openAccess({
    config, repos, registry, catalogue, clock,
    ...(sharedKeys ? { sharedKeys } : {}),
    ...(wakeups ? { wakeups } : {}),
    onUnchainable: (inboxId, err) => logger.error({ err, inboxId }, 'an access register entry was committed but cannot be chained: `vigil audit verify` reports it'),
    onChainBatchFailed: (err) => logger.warn({ err }, 'a batch of access register entries could not be chained together: chaining them one at a time'),
  });
  try {
    await ensureInitialAdmin(repos, access.users, config.dataDir, (msg) => logger.warn(msg));
  } catch (e) {
    await db.close();
    throw e;
  }
  const metrics = new MetricsRegistry();
  // Health and supervision are built on first use: a process whose roles never ask for them (a
  // recorder, the register's timers) does not build them, nor register their metrics.
  let health: Health | undefined;
  let supervision: Supervision | undefined;
  const buildHealth = () =>
    createHealth({
      repo: repos.health,
      index: repos.recordingIndex,
      workOrders: repos.workOrders,
      forceMajeure: repos.forceMajeure,
      register: access.log,
      subjects: access.subjects,
      cameras: (ids) => repos.cameras.getMany(ids),
      dataDir: config.dataDir,
      footage: footageReaderOf({ config, db, repos }, (p) => absoluteFootagePath(config.dataDir, p)),
      settings: config.health,
      sources,
      clock,
      logger: logger.child({ role: 'health' }),
      profileFor: async (regionId) => catalogue.require(await registry.organisations.effectiveProfileId(regionId)),
      metrics,
    });
  // In a cluster the event stream is the table every process reads; NOTIFY only wakes them.
  let events: ClusterEventFeed<HealthEvent> | undefined;
  const relayEvents = (h: Health): Health => {
    if (!wakeups) return h;
    const feed = new ClusterEventFeed<HealthEvent>(repos.cluster, (e) => h.hub.deliver(e), {
      wakeups: { notify: () => void wakeups.notify(EVENTS_CHANNEL).catch(() => undefined), listen: (cb) => wakeups.listen(EVENTS_CHANNEL, cb) },
      logger: logger.child({ role: 'events' }),
    });
    events = feed;
    h.hub.relayTo((e) => void feed.publish(e).catch((err: unknown) => logger.warn({ err }, 'an event could not be passed to the other processes')));
    void feed.start().catch((err: unknown) => logger.warn({ err }, 'the cluster event stream could not start'));
    return h;
  };
  const context: Context = {
    config,
    logger,
    clock,
    db,
    repos,
    rules,
    profiles: view,
    catalogue,
    registry,
    audit,
    access,
    version: VERSION,
    metrics,
    get health() {
      return (health ??= relayEvents(buildHealth()));
    },
    sources,
    get supervision() {
      return (supervision ??= createSupervision({
        repos, registry, catalogue, clock, log: access.log, dataDir: config.dataDir, complaints: config.complaints,
        // An obstructed view found on inspection opens (or joins) the camera's work order.
        openWorkOrder: async (cameraId, userId, note) => {
          const r = await (health ??= relayEvents(buildHealth())).workOrders.openForFinding(await registry.cameras.get(cameraId), userId, note);
          return { id: r.order.id, opened: r.opened };
        },
      }));
    },
    shares: new ShareService({ repos, log: access.log, clock, grantAuthority: async (orgId) => catalogue.require(await registry.organisations.effectiveProfileId(orgId)).access.shareGrantAuthority }),
    ...(wakeups ? { wakeups } : {}),
    async close() {
      // Counted refusals of unidentified callers still in their window are written before the register closes.
      await access.anonymousRefusals.close().catch((err: unknown) => logger.error({ err }, 'counted refusals could not be registered'));
      // PostgreSQL: what this process appended is chained before it lets go of the database.
      await audit.close().catch((err: unknown) => logger.error({ err }, 'access register entries left to chain by another process'));
      await access.revocations.close().catch(() => undefined);
      events?.close();
      await wakeups?.close();
      closePeerFootage(config);
      await db.close();
    },
  };
  return context;
}
