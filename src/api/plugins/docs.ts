// The OpenAPI document (/openapi.json) and its browsable page (/docs). Outside the demo they are
// behind sign-in (issue 14, item 10): a console session or an API token. The page's "Try it out"
// sends the session's CSRF token on unsafe requests, as the console does.
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Access } from '../../access/index.js';
import { ERROR_BODY, openApiTransform, SECURITY_SCHEMES } from '../openapi/route-responses.js';
import { admitRequest, registerRefusal } from './auth.js';

export interface DocsOptions {
  version: string;
  access: Access;
  /** Open to anyone (the demo); otherwise a signed-in person or an API token. */
  public: boolean;
}

export async function registerDocs(app: FastifyInstance, opts: DocsOptions): Promise<void> {
  app.addSchema(ERROR_BODY);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Vigil API',
        description:
          'Public security video image information system (公共安全视频图像信息系统): registry, recording, access and supervision.\n\n' +
          'Sign in with POST /api/v1/auth/login (the session cookie) and send its `csrfToken` as `x-csrf-token` on unsafe methods, or send an API token as `Authorization: Bearer vigil_…`.',
        version: opts.version,
      },
      components: { securitySchemes: SECURITY_SCHEMES },
    },
    transform: openApiTransform,
    // Shared schemas by their $id (the error shape is "VigilError"), not def-0, def-1, …
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  const gate = opts.public ? undefined : signedIn(opts.access);
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { requestInterceptor: addCsrfToken, withCredentials: true },
    ...(gate ? { uiHooks: { onRequest: gate } } : {}),
  });
  app.get('/openapi.json', { schema: { hide: true }, ...(gate ? { onRequest: gate } : {}) }, async () => app.swagger());
}

/**
 * Runs in the browser (Swagger UI serialises it): unsafe requests made with the session cookie
 * carry the session's CSRF token, fetched from /auth/me.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- Swagger UI's own request type
async function addCsrfToken(req: { [prop: string]: any }) {
  const method = String(req.method || 'GET').toUpperCase();
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return req;
  if (req.headers['x-csrf-token'] || req.headers.Authorization || req.headers.authorization) return req;
  const me = await fetch('/api/v1/auth/me', { credentials: 'same-origin' });
  if (me.ok) req.headers['x-csrf-token'] = ((await me.json()) as { csrfToken: string }).csrfToken;
  return req;
}

/**
 * A fully signed-in session or a valid API token, through the route gate's own lookup, limits and
 * registration (src/api/plugins/auth.ts): a refusal here is registered as one of /api/v1 is.
 */
function signedIn(access: Access) {
  return async (req: FastifyRequest) => {
    try {
      await admitRequest(access, req, 'signed-in');
    } catch (e) {
      await registerRefusal(access, req, e, 'signed-in');
      throw e;
    }
  };
}
