// The compliance dashboard per region, as JSON, CSV and PDF in Chinese or English.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Supervision } from '../../../supervision/index.js';
import { complianceCsv, compliancePdf } from '../../../supervision/compliance.service.js';
import { actorOf } from '../../plugins/auth.js';
import { ok } from '../systems/schema.js';
import { complianceReportSchema } from './schema.js';

const langQuery = z.strictObject({ lang: z.enum(['zh', 'en']).default('zh') });

export const complianceRoutes: FastifyPluginAsyncZod<{ supervision: Supervision }> = async (app, { supervision }) => {
  const tags = ['reports'];
  const c = supervision.compliance;

  app.get('/compliance', {
    config: { access: 'basic-info:read' },
    schema: {
      tags,
      summary: 'Per region: mandatory places missing, prohibited-place points, filings due and overdue, retention shortfalls, good rate, open rectifications',
      response: ok(complianceReportSchema),
    },
  }, async (req) => c.report(actorOf(req)));

  app.get('/compliance/export.csv', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'The compliance report as CSV (UTF-8 with BOM)', querystring: langQuery },
  }, async (req, reply) =>
    reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="compliance-${req.query.lang}.csv"`).send(complianceCsv(await c.report(actorOf(req)), req.query.lang)),
  );

  app.get('/compliance/export.pdf', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'The compliance report as PDF', querystring: langQuery },
  }, async (req, reply) =>
    reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="compliance-${req.query.lang}.pdf"`).send(compliancePdf(await c.report(actorOf(req)), req.query.lang)),
  );
};
