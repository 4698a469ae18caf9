// Resolves a=control against the base URL, RFC 2326 C.1.1: the base is Content-Base, else
// Content-Location, else the request URL; "*" means the base itself.

/**
 * Real cameras send bases without a trailing slash ("rtsp://cam/live") and relative controls
 * ("trackID=1") that mean "rtsp://cam/live/trackID=1"; strict RFC 3986 resolution would drop
 * "live", so the base is treated as a directory, as every deployed client does.
 */
export function resolveControl(base: string, control: string | undefined): string {
  const c = (control ?? '').trim();
  if (c === '' || c === '*') return base;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(c)) return c;
  const q = base.search(/[?#]/);
  const path = q >= 0 ? base.slice(0, q) : base;
  const query = q >= 0 ? base.slice(q) : '';
  if (c.startsWith('/')) {
    const m = /^([a-z][a-z0-9+.-]*:\/\/[^/]*)/i.exec(path);
    return (m ? m[1]! : '') + c;
  }
  // Controls like "?trackID=1" extend the base's query instead of its path.
  if (c.startsWith('?')) return path + c;
  return path + (path.endsWith('/') ? '' : '/') + c + (c.includes('?') ? '' : query);
}
