// One handler maps every error to the one response shape:
// { error: { code, message, details?, articles?, correlationId? } }.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isVigilError, RateLimitedError, type ErrorDetail } from '../../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: ErrorDetail[]; articles?: string[]; params?: Record<string, string | number>; correlationId?: string };
}

/**
 * Errors the router raises before any route or hook runs (a path parameter over the length
 * limit → 414, a URL that does not decode → 400): Fastify's `frameworkErrors` option, so they
 * too come in the one error shape.
 */
export function frameworkErrorReply(err: FastifyError, _request: FastifyRequest, reply: FastifyReply) {
  const status = typeof err.statusCode === 'number' ? err.statusCode : 400;
  const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path parameter is too long' : err.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid (bad percent-encoding)' : 'the request is not valid';
  return reply.status(status).send({ error: { code: err.code ?? 'BAD_REQUEST', message } } satisfies ErrorBody);
}

export function registerErrorHandler(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isVigilError(err)) {
      const body: ErrorBody = { error: { code: err.code, message: err.message } };
      if (err.details.length) body.error.details = err.details;
      if (err.articles.length) body.error.articles = err.articles;
      if (Object.keys(err.params).length) body.error.params = err.params;
      if (err instanceof RateLimitedError) void reply.header('retry-after', String(err.retryAfterSeconds));
      if (err.status >= 500) {
        request.log.error({ err }, 'request failed');
        body.error.correlationId = request.id;
      }
      return reply.status(err.status).send(body);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const details = err.validation.map((v) => {
        const path = [where, ...String(v.instancePath ?? '').split('/').filter(Boolean)].join('.');
        const params = v.params as { issue?: { message?: string; code?: string; keys?: string[] } } | undefined;
        const issue = params?.issue;
        const message = issue?.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys?.join(', ')}` : (issue?.message ?? v.message ?? 'is not valid');
        return { path, message };
      });
      return reply.status(400).send({
        error: { code: 'VALIDATION_FAILED', message: `the ${where} is not valid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details },
      } satisfies ErrorBody);
    }
    const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: bad JSON, wrong content type, body too large, …
      return reply.status(status).send({ error: { code: err.code ?? 'BAD_REQUEST', message: err.message } } satisfies ErrorBody);
    }
    request.log.error({ err }, 'unexpected error');
    return reply.status(500).send({
      error: { code: 'INTERNAL', message: 'Something went wrong on the server. Quote the correlation id when reporting it.', correlationId: request.id },
    } satisfies ErrorBody);
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url.split('?')[0]}` } } satisfies ErrorBody),
  );
}
