// First: gives the page's own <style> elements the CSP nonce before anything renders.
import './shell/csp-nonce';
// antd's styles, made at build time (web/antd-styles.ts): a <link> in the page's head.
import 'virtual:antd-styles.css';
import { unstableSetRender } from 'antd';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { initI18n } from './i18n';
import { Root } from './shell/root';
import { startSession } from './session/start';

// antd 5 renders its wave effect and static pop-ups with React 18's render(); React 19 has only
// createRoot. This is the hook antd provides for React 19.
unstableSetRender((node, container) => {
  const holder = container as Element & { _vigilRoot?: ReturnType<typeof createRoot> };
  holder._vigilRoot ??= createRoot(container);
  holder._vigilRoot.render(node);
  return async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
    holder._vigilRoot?.unmount();
    delete holder._vigilRoot;
  };
});

// Who is signed in, and a signed-in page's bundles, are asked for beside the language bundle.
startSession();
// The page's language bundle first, so the first paint is already in the operator's language.
void initI18n().then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  ),
);
