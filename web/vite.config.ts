// The console builds into <repo>/dist/web, which the API role serves as a single-page app.
// No React plugin: esbuild's automatic JSX runtime is all the build needs.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { antdStyles } from './antd-styles';
import { precompress } from './precompress';
import { routePreloadsPlugin } from './route-preloads';

const webRoot = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  esbuild: { jsx: 'automatic' },
  plugins: [antdStyles(resolve(webRoot, 'src')), precompress(), routePreloadsPlugin(resolve(webRoot, 'src'))],
  // The server writes a fresh nonce over this placeholder on every page load (src/api/plugins/console.ts).
  html: { cspNonce: 'VIGIL_CSP_NONCE' },
  build: {
    outDir: resolve(webRoot, '..', 'dist', 'web'),
    emptyOutDir: true,
    // hls.js (LL-HLS, fetched only when WebRTC fails) is the one large file left.
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      // antd marks its modules "use client" for React Server Components; meaningless in a bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
      output: {
        // React and i18next are used by every screen and change together, so they are one file
        // cached apart. antd is NOT forced into one chunk: Rollup follows its ES modules (antd
        // declares itself free of side effects but for CSS), so each page's bundle holds the
        // components it uses and the sign-in page never parses the table, tree or date picker.
        manualChunks(id) {
          if (/node_modules\/(react|react-dom|scheduler|i18next|react-i18next)\//.test(id)) return 'react';
          if (id.includes('node_modules/hls.js/')) return 'hls';
          return undefined;
        },
      },
    },
  },
  server: {
    // `npx vite --config web/vite.config.ts` next to a running `vigil serve` on the default port.
    proxy: { '/api': 'http://127.0.0.1:8080', '/openapi.json': 'http://127.0.0.1:8080' },
  },
});
