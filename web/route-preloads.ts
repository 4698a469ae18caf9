// Writes `route-preloads.json` beside index.html: for each page of the side menu (src/shell/nav.ts),
// the script files its first paint needs once someone is signed in, that is the shell's bundle
// and the page's, each with every file they import, less what index.html already loads. The API
// role puts them into the page as <link rel="modulepreload"> when the request carries a session
// (src/api/plugins/console.ts), so the browser fetches and compiles them all while the entry
// script still runs, instead of learning of them in three or four rounds (entry, page, its
// imports, theirs) as each one is evaluated. Each language's bundle is listed apart, under
// `lang:<language>`: the server adds the one the browser's language cookie names (Chinese when
// none), so someone who chose English does not fetch the Chinese words, nor the other way round.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { OutputBundle, OutputChunk } from 'rollup';
import type { Plugin } from 'vite';

export const ROUTE_PRELOADS_FILE = 'route-preloads.json';

/** Each menu path and the module its page is imported from, read from nav.ts (`path: '/x', … import('…')` on one line). */
export function navPages(navFile: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of readFileSync(navFile, 'utf8').split('\n')) {
    const m = /path: '(\/[^']*)'.*import\('([^']+)'\)/.exec(line);
    if (m) out.push([m[1]!, resolve(dirname(navFile), m[2]!)]);
  }
  return out;
}

/** The file names a chunk needs before it can run: itself and what it imports, transitively. */
function closure(bundle: OutputBundle, start: string, into = new Set<string>()): Set<string> {
  if (into.has(start)) return into;
  const chunk = bundle[start];
  if (!chunk || chunk.type !== 'chunk') return into;
  into.add(start);
  for (const i of chunk.imports) closure(bundle, i, into);
  return into;
}

/** The key of a language's files in the map (keep in step with src/api/plugins/console.ts). */
export const languageKey = (language: string) => `lang:${language}`;

/**
 * Path → files to preload, from the built bundle, and `lang:<language>` → that language's files;
 * a page whose chunk is not found is left out.
 */
export function routePreloads(bundle: OutputBundle, pages: [string, string][], shellModule: string, languages: Record<string, string[]>): Record<string, string[]> {
  const chunks = Object.values(bundle).filter((c): c is OutputChunk => c.type === 'chunk');
  const byModule = (m: string) => chunks.find((c) => c.facadeModuleId !== null && c.facadeModuleId.replace(/\.(tsx?|js)$/, '') === m.replace(/\.(tsx?|js)$/, ''));
  const entry = chunks.find((c) => c.isEntry);
  const shell = byModule(shellModule);
  if (!entry || !shell) return {};
  const common = [shell.fileName];
  const loaded = closure(bundle, entry.fileName);
  const out: Record<string, string[]> = {};
  const files = (starts: string[]) => {
    const all = new Set<string>();
    for (const s of starts) closure(bundle, s, all);
    return [...all].filter((f) => !loaded.has(f));
  };
  out['/'] = files(common);
  for (const [language, modules] of Object.entries(languages)) out[languageKey(language)] = files(modules.flatMap((m) => byModule(m)?.fileName ?? []));
  for (const [path, module] of pages) {
    const page = byModule(module);
    if (page) out[path] = files([...common, page.fileName]);
  }
  return out;
}

export function routePreloadsPlugin(srcDir: string): Plugin {
  return {
    name: 'vigil-route-preloads',
    apply: 'build',
    generateBundle(_options, bundle) {
      const pages = navPages(resolve(srcDir, 'shell', 'nav.ts'));
      // What web/src/i18n/index.ts imports for each language (English's antd texts are in the core).
      const languages = {
        zh: [resolve(srcDir, 'i18n', 'zh.json'), createRequire(import.meta.url).resolve('antd/es/locale/zh_CN')],
        en: [resolve(srcDir, 'i18n', 'en.json')],
      };
      const map = routePreloads(bundle, pages, resolve(srcDir, 'shell', 'shell.tsx'), languages);
      this.emitFile({ type: 'asset', fileName: ROUTE_PRELOADS_FILE, source: JSON.stringify(map) });
    },
  };
}
