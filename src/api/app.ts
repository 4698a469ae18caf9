// buildApp(deps) returns the Fastify app without listening: tests call app.inject(), the API
// service calls listen(). Every route is declared with zod schemas, which both validate input
// (unknown fields refused) and generate the OpenAPI document served at /docs.
import fastifyCookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Registry as MetricsRegistry } from 'prom-client';
import type { Access } from '../access/index.js';
import type { Db } from '../db/database.js';
import type { Registry } from '../registry/index.js';
import { registerAuth } from './plugins/auth.js';
import { registerDocs } from './plugins/docs.js';
import { frameworkErrorReply, registerErrorHandler } from './plugins/errors.js';
import { registerMetrics } from './plugins/metrics.js';
import { registerSecurityHeaders, setSecurityHeaders } from './plugins/security-headers.js';
import { accessRequestRoutes } from './routes/access-requests/routes.js';
import { auditRoutes } from './routes/audit/routes.js';
import { authRoutes } from './routes/auth/routes.js';
import { cameraGroupRoutes } from './routes/camera-groups/routes.js';
import { clusterRoutes } from './routes/cluster/routes.js';
import { RecordingNodes } from '../health/recording-nodes.js';
import { LeaseRepository } from '../db/lease.repository.js';
import { CameraRepository } from '../db/camera.repository.js';
import { cameraRoutes } from './routes/cameras/routes.js';
import { healthRoutes } from './routes/health/routes.js';
import { watchRoutes, type MediaRouteDeps } from './routes/live/media-plugin.js';
import type { Health } from '../health/index.js';
import { healthRoutes as cameraHealthRoutes } from './routes/health-status/register.js';
import { organisationRoutes } from './routes/organisations/routes.js';
import { profileRoutes } from './routes/profiles/routes.js';
import type { ProfileCatalogueView } from '../registry/profile-rules.js';
import { reportRoutes } from './routes/reports/routes.js';
import { todoRoutes } from './routes/todo/routes.js';
import { workspaceRoutes } from './routes/workspace/routes.js';
import { userRoutes } from './routes/users/routes.js';
import type { Supervision } from '../supervision/index.js';
import { registerSupervisionRoutes } from './routes/supervision-routes.js';
import { exportRoutes } from './routes/exports/routes.js';
import { releaseRoutes } from './routes/releases/routes.js';
import { holdRoutes } from './routes/holds/routes.js';
import type { EvidenceRouteDeps } from './routes/integrity/evidence-deps.js';
import { integrityRoutes } from './routes/integrity/routes.js';
import { shareRoutes, type ShareRouteDeps } from './routes/shares/routes.js';
import { gb28181Routes, type GbRouteDeps } from './routes/gb28181/routes.js';
import { emergencyRoutes } from './routes/emergency-connections/routes.js';
import type { EmergencyService } from '../cascade/emergency.service.js';

export interface AppDeps {
  db: Db;
  registry: Registry;
  profiles: ProfileCatalogueView;
  /** Accounts, policies and access requests: every /api/v1 route is gated by it. */
  access: Access;
  version: string;
  /** A pino logger; false for none (tests). */
  logger?: FastifyBaseLogger | false;
  metrics?: MetricsRegistry;
  /** Live view, playback and timeline, when the process role has a media plane. */
  media?: MediaRouteDeps;
  /** Camera health: status, rates, diagnostics, work orders, alarms and the event stream. */
  health?: { health: Health; dataDir: string };
  /** Lifecycle and supervision: systems, filings, inspections, compliance, complaints. */
  supervision?: Supervision;
  /** Legal holds, evidence exports, tree heads, footage verification and disk state (issue 6). */
  evidence?: EvidenceRouteDeps;
  /** Shares (共享) with upper platforms, departments and API clients (issue 19). */
  shares?: ShareRouteDeps;
  /** Emergency connections (接入) of upper platforms configured onDemand, opened in this process (issue 19). */
  emergency?: EmergencyService;
  /** GB/T 28181 channels: PTZ and the device's own recordings (issue 18). */
  gb28181?: GbRouteDeps;
  /** Proxies, docs and metrics (issue 14); every default is the closed one. */
  security?: SecurityOptions;
  /** Extra routes a process role adds (web UI). */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
}

export interface SecurityOptions {
  /** Addresses or CIDR ranges of reverse proxies whose X-Forwarded-* headers are believed (config http.trustedProxies). */
  trustedProxies?: readonly string[];
  /** /docs and /openapi.json open without sign-in (the demo). */
  publicDocs?: boolean;
  /** The bearer token /metrics wants (config metrics.token); without one /metrics answers no one. */
  metricsToken?: string;
}

export const API_PREFIX = '/api/v1';

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const base: FastifyInstance = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: 8 * 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
    // One line per request at debug level (see metrics.ts), not two at info: an operator's log
    // should show what happened to the platform, not every poll of the console.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    ajv: { customOptions: { removeAdditional: false } },
    frameworkErrors: (err, req, reply) => {
      setSecurityHeaders(req, reply);
      return frameworkErrorReply(err, req, reply);
    },
    // X-Forwarded-Proto and -For only from the configured proxies: the session cookie gets
    // Secure behind a TLS-terminating proxy, and nobody else can claim https or an address.
    trustProxy: deps.security?.trustedProxies?.length ? [...deps.security.trustedProxies] : false,
  }) as unknown as FastifyInstance;
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  await app.register(fastifyCookie);

  registerSecurityHeaders(app);
  await registerDocs(app, { version: deps.version, access: deps.access, public: deps.security?.publicDocs ?? false });

  registerMetrics(app, deps.metrics ?? new MetricsRegistry(), deps.security?.metricsToken);
  await app.register(healthRoutes, { db: deps.db, version: deps.version });
  await app.register(
    async (api) => {
      registerAuth(api, deps.access);
      const { registry, access } = deps;
      await api.register(authRoutes, { access });
      await api.register(userRoutes, { access });
      await api.register(todoRoutes, { access });
      await api.register(workspaceRoutes, { access });
      await api.register(accessRequestRoutes, { access });
      await api.register(organisationRoutes, { registry, access });
      await api.register(cameraRoutes, { registry, access });
      await api.register(cameraGroupRoutes, { registry, access });
      await api.register(clusterRoutes, {
        recordingNodes: new RecordingNodes({
          leases: deps.db.dialect === 'postgres' ? new LeaseRepository(deps.db.kysely) : null,
          cameras: (ids) => new CameraRepository(deps.db.kysely, deps.db.dialect).getMany(ids),
          subjects: (cameras) => access.subjects.cameras(cameras),
        }),
      });
      await api.register(reportRoutes, { registry, access });
      await api.register(profileRoutes, { profiles: deps.profiles });
      await api.register(auditRoutes, { access, audit: access.log.audit });
      if (deps.media) await watchRoutes(api, deps.media, access);
      if (deps.health) await cameraHealthRoutes(api, { ...deps.health, registry, access });
      if (deps.supervision) await registerSupervisionRoutes(api, deps.supervision);
      if (deps.shares) await api.register(shareRoutes, deps.shares);
      if (deps.emergency) await api.register(emergencyRoutes, { emergency: deps.emergency });
      if (deps.gb28181) await api.register(gb28181Routes, deps.gb28181);
      if (deps.evidence) {
        const evidence = { ...deps.evidence, access };
        await api.register(holdRoutes, evidence);
        await api.register(exportRoutes, evidence);
        if (deps.evidence.releases) await api.register(releaseRoutes, { releases: deps.evidence.releases });
        await api.register(integrityRoutes, evidence);
      }
    },
    { prefix: API_PREFIX },
  );
  for (const plugin of deps.plugins ?? []) await plugin(base);
  return base;
}
