// The nonce the server gave this page load (meta property="csp-nonce", src/api/plugins/console.ts).
// The Content-Security-Policy allows <style> elements only with it. Ant Design puts it on the
// styles it writes (ConfigProvider csp), but a few helpers beneath it (scroll locking of drawers,
// scrollbar measurement) create theirs with no way to pass one; so every <style> element this
// page's own scripts create gets the nonce. Styles in injected markup (parsed HTML, style=""
// attributes) never pass through here and stay refused. Imported first by main.tsx.

const meta = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]');
const nonce = meta?.nonce || meta?.getAttribute('nonce') || undefined;

if (nonce) {
  const create = document.createElement.bind(document) as (tag: string, options?: ElementCreationOptions) => HTMLElement;
  document.createElement = ((tag: string, options?: ElementCreationOptions) => {
    const element = create(tag, options);
    if (tag.toLowerCase() === 'style') element.nonce = nonce;
    return element;
  }) as typeof document.createElement;
}

export function cspNonce(): string | undefined {
  return nonce;
}
