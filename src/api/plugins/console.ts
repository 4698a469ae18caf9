// The web console's files. index.html is not served as a static file: each load gets a fresh
// CSP nonce written where the build left its placeholder (web/vite.config.ts html.cspNonce), so
// the styles Ant Design writes at run time are allowed and injected ones are not.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { newNonce } from './security-headers.js';

/** The placeholder the console build writes into index.html (keep in step with web/vite.config.ts). */
export const CSP_NONCE_PLACEHOLDER = 'VIGIL_CSP_NONCE';

export function consolePlugin(webRoot: string) {
  return async (app: FastifyInstance) => {
    const index = readFileSync(join(webRoot, 'index.html'), 'utf8');
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: false, globIgnore: ['index.html'] });
    // The console is a single-page app: unknown non-API paths get its index.
    app.get('/*', (req, reply) => {
      if (req.url.startsWith('/api/')) return reply.callNotFound();
      const nonce = newNonce();
      reply.cspNonce = nonce;
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(index.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
    });
  };
}
