// The console builds into <repo>/dist/web, which the API role serves as a single-page app.
// No React plugin: esbuild's automatic JSX runtime is all the build needs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  esbuild: { jsx: 'automatic' },
  // The server writes a fresh nonce over this placeholder on every page load (src/api/plugins/console.ts).
  html: { cspNonce: 'VIGIL_CSP_NONCE' },
  build: {
    outDir: resolve(webRoot, '..', 'dist', 'web'),
    emptyOutDir: true,
    // antd alone is close to 1 MB minified; it is cached apart from the pages, which load lazily.
    chunkSizeWarningLimit: 1400,
    rollupOptions: {
      // antd marks its modules "use client" for React Server Components; meaningless in a bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
          if (/node_modules\/(i18next|react-i18next)\//.test(id)) return 'i18n';
          if (id.includes('node_modules/hls.js/')) return 'hls';
          return 'antd';
        },
      },
    },
  },
  server: {
    // `npx vite --config web/vite.config.ts` next to a running `vigil serve` on the default port.
    proxy: { '/api': 'http://127.0.0.1:8080', '/openapi.json': 'http://127.0.0.1:8080' },
  },
});
