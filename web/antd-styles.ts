// antd 5 writes its styles from JavaScript: at a component's first render in a page load it builds
// the style object, serialises it, hashes it and inserts a <style> element. Done for every
// component on every page load, that was a large share of the console's main-thread time (issue 20).
// Here the build renders every antd component once in Node, with the console's theme, and keeps
// the styles antd registered as one CSS file. That file ends with antd's own record of the styles
// it holds (`.data-ant-cssinjs-cache-path{content:"…"}`), which @ant-design/cssinjs reads at the
// first render in the browser: a style listed there is neither computed nor inserted again. A
// style missing from the file (a component variant not rendered here) is still made at run time,
// as before, so a gap costs time, never looks.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Plugin } from 'vite';
import { CONSOLE_THEME } from './src/shell/theme';

const VIRTUAL = 'virtual:antd-styles.css';
const RESOLVED = '\0antd-styles.css';

// CommonJS builds of antd and cssinjs (antd's lib/ requires cssinjs's lib/): one copy of
// cssinjs, so the cache given to StyleProvider is the one antd's components write into.
const require = createRequire(import.meta.url);

type Component = (props: Record<string, unknown>) => unknown;

/** The names the console's sources import from antd (`import { Button, Table } from 'antd'`). */
export function antdNamesUsed(dir: string): Set<string> {
  const names = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
    const text = readFileSync(join(entry.parentPath, entry.name), 'utf8');
    for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'antd'/g)) {
      for (const part of m[1]!.split(',')) {
        const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!;
        if (name) names.add(name);
      }
    }
  }
  return names;
}

/**
 * The CSS antd generates for the components named (and those they render inside them), under the
 * console's theme. Only what the console uses: all of antd's components would be 1.3 MB of CSS.
 */
export function antdStaticCss(used: Set<string>): string {
  const React = require('react') as typeof import('react');
  const { renderToString } = require('react-dom/server') as typeof import('react-dom/server');
  const antd = require('antd') as Record<string, unknown>;
  const { createCache, extractStyle, StyleProvider } = require('@ant-design/cssinjs') as typeof import('@ant-design/cssinjs');
  const { ConfigProvider } = require('antd') as typeof import('antd');
  const h = React.createElement as (type: unknown, props?: Record<string, unknown> | null, ...children: unknown[]) => React.ReactElement;

  const cache = createCache();
  const render = (node: React.ReactElement) => {
    try {
      renderToString(h(StyleProvider, { cache }, h(ConfigProvider, { theme: CONSOLE_THEME }, node)));
    } catch {
      // A component that cannot render without its props still registered its styles first.
    }
  };
  const nodes: React.ReactElement[] = [];
  for (const [name, value] of Object.entries(antd)) {
    if (!/^[A-Z]/.test(name) || (typeof value !== 'function' && typeof value !== 'object') || value === null) continue;
    if (name === 'ConfigProvider' || !used.has(name)) continue;
    // A pop-up (Tooltip, Dropdown, Modal) registers its styles when its trigger renders, before
    // it is opened. (antd's "pure panels" would render it open, but under a theme of their own.)
    nodes.push(h(value, {}, h('span')));
  }
  // What the console shows in a form other than the default one.
  const { Badge, Tag, Layout, Typography, Form, Input, Button, Space, Table, Descriptions, Card, Menu, Dropdown, Tabs, List, message, notification } = antd as unknown as typeof import('antd');
  nodes.push(
    h(Layout, {}, h(Layout.Header), h(Layout.Sider), h(Layout.Content), h(Layout.Footer)),
    h(Typography.Title), h(Typography.Text), h(Typography.Paragraph), h(Typography.Link),
    h(Form, {}, h(Form.Item, { label: 'x' }, h(Input))), h(Form.List, { name: 'x' }, () => null),
    h(Input.Password), h(Input.Search), h(Input.TextArea), h(Input.Group),
    h(Tag, { color: 'blue' }), h(Tag, { color: 'success' }), h(Tag, { color: '#1d4e89' }), h(Badge, { status: 'success', text: 'x' }), h(Badge, { count: 1 }, h('span')),
    h(Button.Group), h(Space.Compact), h(Table, { dataSource: [{ key: 1 }], columns: [{ key: 'a', title: 'a' }], pagination: { total: 100 } }),
    h(Descriptions, { items: [{ label: 'a', children: 'b' }] }), h(Card, { title: 'x', extra: 'y' }, 'z'),
    h(Menu, { items: [{ key: 'a', label: 'a', children: [{ key: 'b', label: 'b' }] }] }),
    h(Dropdown.Button), h(Tabs, { items: [{ key: 'a', label: 'a', children: 'x' }] }), h(List, { dataSource: [1], renderItem: () => h(List.Item, {}, 'x') }),
    h((message as unknown as { _InternalPanelDoNotUseOrYouWillBeFired: Component })._InternalPanelDoNotUseOrYouWillBeFired, { content: 'x' }),
    h((notification as unknown as { _InternalPanelDoNotUseOrYouWillBeFired: Component })._InternalPanelDoNotUseOrYouWillBeFired, { message: 'x' }),
  );
  for (const node of nodes) render(node);
  return extractStyle(cache, { plain: true, types: ['style', 'token'] });
}

/** `import 'virtual:antd-styles.css'` is antd's styles, made once per build (see above). */
export function antdStyles(sources: string): Plugin {
  let css: string | undefined;
  return {
    name: 'vigil-antd-styles',
    resolveId: (id) => (id === VIRTUAL ? RESOLVED : undefined),
    load(id) {
      if (id !== RESOLVED) return undefined;
      css ??= antdStaticCss(antdNamesUsed(sources));
      return css;
    },
  };
}
