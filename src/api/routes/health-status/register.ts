// The health routes, registered together under /api/v1 when a process has the health services.
import type { FastifyInstance } from 'fastify';
import { alarmRoutes } from '../alarms/routes.js';
import { diagnosticsRoutes } from '../diagnostics/routes.js';
import { eventRoutes } from '../events/routes.js';
import { forceMajeureRoutes } from '../force-majeure/routes.js';
import { healthStatusRoutes } from './routes.js';
import { healthReportRoutes } from '../reports-health/routes.js';
import { workOrderRoutes } from '../work-orders/routes.js';
import type { HealthRouteDeps } from './support.js';

export async function healthRoutes(api: FastifyInstance, deps: HealthRouteDeps & { dataDir: string }): Promise<void> {
  await api.register(healthStatusRoutes, deps);
  await api.register(healthReportRoutes, deps);
  await api.register(diagnosticsRoutes, deps);
  await api.register(workOrderRoutes, deps);
  await api.register(forceMajeureRoutes, deps);
  await api.register(alarmRoutes, deps);
  await api.register(eventRoutes, deps);
}
