// The web console's files. index.html is not served as a static file: each load gets a fresh
// CSP nonce written where the build left its placeholder (web/vite.config.ts html.cspNonce), so
// the styles Ant Design writes at run time are allowed and injected ones are not.
// The build's files under assets/ carry a hash of their content in their name, so a browser may
// keep them a year without asking again (immutable); the build also writes each one brotli- and
// gzip-compressed beside it (web/precompress.ts), served to a browser that accepts them, so no
// request spends CPU compressing. Anything else is revalidated on every use.
import { readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { newNonce } from './security-headers.js';

/** The placeholder the console build writes into index.html (keep in step with web/vite.config.ts). */
export const CSP_NONCE_PLACEHOLDER = 'VIGIL_CSP_NONCE';

/** A year, never revalidated: the name changes whenever the content does. */
export const HASHED_ASSET_CACHE = 'public, max-age=31536000, immutable';

/** Vite names the files it emits under assets/ `<name>-<hash>.<ext>`. */
function isHashedAsset(webRoot: string, path: string): boolean {
  const rel = relative(webRoot, path).split(sep).join('/');
  return /^assets\/[^/]+-[A-Za-z0-9_-]{8}\.[a-z0-9]+(\.(br|gz))?$/.test(rel);
}

export function consolePlugin(webRoot: string) {
  return async (app: FastifyInstance) => {
    const index = readFileSync(join(webRoot, 'index.html'), 'utf8');
    await app.register(fastifyStatic, {
      root: webRoot,
      wildcard: false,
      index: false,
      globIgnore: ['index.html', '**/*.br', '**/*.gz'],
      preCompressed: true,
      cacheControl: false,
      setHeaders: (res, path) => {
        res.setHeader('cache-control', isHashedAsset(webRoot, path) ? HASHED_ASSET_CACHE : 'no-cache');
        // One URL, several encodings: a shared cache must key on what the browser accepts.
        res.setHeader('vary', 'accept-encoding');
      },
    });
    // The console is a single-page app: unknown non-API paths get its index.
    app.get('/*', (req, reply) => {
      if (req.url.startsWith('/api/')) return reply.callNotFound();
      const nonce = newNonce();
      reply.cspNonce = nonce;
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(index.replaceAll(CSP_NONCE_PLACEHOLDER, nonce));
    });
  };
}
