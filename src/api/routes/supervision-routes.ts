// Registers the lifecycle and supervision routes (issue 8) in one call from buildApp.
import type { FastifyInstance } from 'fastify';
import type { Supervision } from '../../supervision/index.js';
import { complaintRoutes } from './complaints/routes.js';
import { complianceRoutes } from './compliance/routes.js';
import { dutyRecordRoutes } from './duty-records/routes.js';
import { filingRoutes } from './filings/routes.js';
import { inspectionRoutes } from './inspections/routes.js';
import { rectificationRoutes } from './rectifications/routes.js';
import { systemRoutes } from './systems/routes.js';

export async function registerSupervisionRoutes(api: FastifyInstance, supervision: Supervision): Promise<void> {
  for (const routes of [systemRoutes, filingRoutes, inspectionRoutes, rectificationRoutes, complaintRoutes, complianceRoutes, dutyRecordRoutes]) await api.register(routes, { supervision });
}
