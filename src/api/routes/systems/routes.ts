// Systems (R7): registration, cameras, documents, acceptance, going into service, the archive,
// filing and removal or relocation notices. Thin: the supervision services decide and register.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MAX_DOCUMENT_BYTES } from '../../../access/document-store.js';
import type { Supervision } from '../../../supervision/index.js';
import { actorOf } from '../../plugins/auth.js';
import { idParams } from '../common.schema.js';
import * as s from './schema.js';

export const systemRoutes: FastifyPluginAsyncZod<{ supervision: Supervision }> = async (app, { supervision }) => {
  const tags = ['systems'];
  const sys = supervision.systems;
  app.addContentTypeParser(['application/pdf', 'image/png', 'image/jpeg', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: MAX_DOCUMENT_BYTES }, (_req, body, done) => done(null, body));

  app.get('/systems', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'Systems one may read, with acceptance, service and filing status', querystring: s.systemQuery, response: s.ok(s.systemListSchema) },
  }, async (req) => ({ items: await sys.list(actorOf(req), req.query) }));

  app.post('/systems', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'Register a system: a unit\'s installation or a government-built one', body: s.systemBody, response: s.created(s.systemViewSchema) },
  }, async (req, reply) => reply.status(201).send(await sys.create(actorOf(req), req.body)));

  app.get('/systems/:id', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'One system: its cameras (and why they are not in service), documents, filing deadline', params: idParams, response: s.ok(s.systemViewSchema) },
  }, async (req) => sys.get(actorOf(req), req.params.id));

  app.post('/systems/:id/cameras', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'Add or remove camera points; one in service cannot join a system not accepted', params: idParams, body: s.cameraChange, response: s.ok(s.systemViewSchema) },
  }, async (req) => sys.setCameras(actorOf(req), req.params.id, req.body));

  app.put('/systems/:id/documents', {
    config: { access: 'config:write' },
    schema: {
      tags,
      summary: 'Upload a document (PDF, PNG or JPEG, judged by its bytes), kept under its SHA-256: design plan, contract, test or acceptance report, point map, archive',
      params: idParams,
      querystring: s.documentQuery,
      consumes: ['application/pdf', 'image/png', 'image/jpeg'],
      response: s.created(s.documentViewSchema),
    },
  }, async (req, reply) => reply.status(201).send(await sys.addDocument(actorOf(req), req.params.id, req.query, req.body as Buffer)));

  app.get('/systems/:id/documents/:docId', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'A document as uploaded', params: s.docParams },
  }, async (req, reply) => {
    const { view, bytes } = await sys.document(actorOf(req), req.params.id, req.params.docId);
    return reply.header('content-type', view.type).header('x-content-sha256', view.sha256).send(bytes);
  });

  app.post('/systems/:id/acceptance', {
    // The builder or government records it, or the police who took part (policy: record-acceptance).
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'Record an acceptance (验收) result (AH-13, CN-12, HRB-16)', params: idParams, body: s.acceptanceBody, response: s.ok(s.systemViewSchema) },
  }, async (req) => sys.recordAcceptance(actorOf(req), req.params.id, req.body));

  app.post('/systems/:id/in-service', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'Put the system and its cameras into service; refused with its articles before acceptance', params: idParams, body: s.inServiceBody, response: s.ok(s.systemViewSchema) },
  }, async (req) => sys.putIntoService(actorOf(req), req.params.id, req.body.at));

  app.get('/systems/:id/archive', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'The archive (立卷归档, CN-14, HRB-17): documents by category, firms and technicians', params: idParams, response: s.ok(s.archiveViewSchema) },
  }, async (req) => supervision.archive.get(actorOf(req), req.params.id));

  app.post('/systems/:id/archive/parties', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'A firm and its technicians involved in design, construction, testing or maintenance', params: idParams, body: s.partyBody, response: s.created(s.partyViewSchema) },
  }, async (req, reply) => reply.status(201).send(await supervision.archive.addParty(actorOf(req), req.params.id, req.body)));

  app.post('/systems/:id/filings', {
    config: { access: 'config:write' },
    schema: { tags: ['filings'], summary: 'File the system (备案) with the documents uploaded to it; the deadline and its article are recorded', params: idParams, response: s.created(s.filingViewSchema) },
  }, async (req, reply) => reply.status(201).send(await supervision.filings.submit(actorOf(req), req.params.id)));

  app.get('/systems/:id/relocations', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'Removal and relocation notices, with coverage after the works judged from the recorder', params: idParams, response: s.ok(s.relocationListSchema) },
  }, async (req) => ({ items: await supervision.relocations.list(actorOf(req), req.params.id) }));

  app.post('/systems/:id/relocations', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'Notice of removal or relocation with the rebuild or replacement plan (AH-15, HB-11, HRB-19)', params: idParams, body: s.noticeBody, response: s.created(s.relocationViewSchema) },
  }, async (req, reply) => reply.status(201).send(await supervision.relocations.notice(actorOf(req), req.params.id, req.body)));

  app.post('/relocations/:id/works', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'The works took place: coverage must return within the profile\'s hours from now (e.g. HRB-19)', params: idParams, body: s.worksBody, response: s.ok(s.relocationViewSchema) },
  }, async (req) => supervision.relocations.worksDone(actorOf(req), req.params.id, req.body.at));

  app.post('/relocations/:id/disposition', {
    config: { access: 'config:write' },
    schema: { tags, summary: 'What happens to the stored footage', params: idParams, body: s.dispositionBody, response: s.ok(s.relocationViewSchema) },
  }, async (req) => supervision.relocations.dispose(actorOf(req), req.params.id, req.body));

  app.post('/relocations/:id/supervise', {
    config: { access: 'basic-info:read' },
    schema: { tags, summary: 'The police supervise the handling of the stored footage (AH-15)', params: idParams, response: s.ok(s.relocationViewSchema) },
  }, async (req) => supervision.relocations.supervise(actorOf(req), req.params.id));
};
