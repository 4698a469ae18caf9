// buildApp(deps) returns the Fastify app without listening: tests call app.inject(), the API
// service calls listen(). Every route is declared with zod schemas, which both validate input
// (unknown fields refused) and generate the OpenAPI document served at /docs.
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Registry as MetricsRegistry } from 'prom-client';
import type { Access } from '../access/index.js';
import type { Db } from '../db/database.js';
import type { Registry } from '../registry/index.js';
import { registerAuth } from './plugins/auth.js';
import { registerErrorHandler } from './plugins/errors.js';
import { registerMetrics } from './plugins/metrics.js';
import { accessRequestRoutes } from './routes/access-requests/routes.js';
import { auditRoutes } from './routes/audit/routes.js';
import { authRoutes } from './routes/auth/routes.js';
import { cameraGroupRoutes } from './routes/camera-groups/routes.js';
import { cameraRoutes } from './routes/cameras/routes.js';
import { healthRoutes } from './routes/health/routes.js';
import { watchRoutes, type MediaRouteDeps } from './routes/live/media-plugin.js';
import type { Health } from '../health/index.js';
import { healthRoutes as cameraHealthRoutes } from './routes/health-status/register.js';
import { organisationRoutes } from './routes/organisations/routes.js';
import { profileRoutes } from './routes/profiles/routes.js';
import type { ProfileCatalogueView } from '../registry/profile-rules.js';
import { reportRoutes } from './routes/reports/routes.js';
import { userRoutes } from './routes/users/routes.js';
import type { Supervision } from '../supervision/index.js';
import { registerSupervisionRoutes } from './routes/supervision-routes.js';
import { exportRoutes } from './routes/exports/routes.js';
import { holdRoutes } from './routes/holds/routes.js';
import type { EvidenceRouteDeps } from './routes/integrity/evidence-deps.js';
import { integrityRoutes } from './routes/integrity/routes.js';

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
  /** Extra routes a process role adds (web UI). */
  plugins?: ((app: FastifyInstance) => Promise<void> | void)[];
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
  }) as unknown as FastifyInstance;
  const app = base.withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  await app.register(fastifyCookie);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        description: 'Public security video image information system (公共安全视频图像信息系统): registry, recording, access and supervision.',
        version: deps.version,
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  registerMetrics(app, deps.metrics ?? new MetricsRegistry());
  await app.register(healthRoutes, { db: deps.db, version: deps.version });
  await app.register(
    async (api) => {
      registerAuth(api, deps.access);
      const { registry, access } = deps;
      await api.register(authRoutes, { access });
      await api.register(userRoutes, { access });
      await api.register(accessRequestRoutes, { access });
      await api.register(organisationRoutes, { registry, access });
      await api.register(cameraRoutes, { registry, access });
      await api.register(cameraGroupRoutes, { registry, access });
      await api.register(reportRoutes, { registry, access });
      await api.register(profileRoutes, { profiles: deps.profiles });
      await api.register(auditRoutes, { access, audit: access.log.audit });
      if (deps.media) await watchRoutes(api, deps.media);
      if (deps.health) await cameraHealthRoutes(api, { ...deps.health, registry, access });
      if (deps.supervision) await registerSupervisionRoutes(api, deps.supervision);
      if (deps.evidence) {
        const evidence = { ...deps.evidence, access };
        await api.register(holdRoutes, evidence);
        await api.register(exportRoutes, evidence);
        await api.register(integrityRoutes, evidence);
      }
    },
    { prefix: API_PREFIX },
  );
  for (const plugin of deps.plugins ?? []) await plugin(base);
  return base;
}
