// How an RTSP client presents an API token (RFC 2326 §D.1, RFC 7617 Basic): the user name is
// "token" or the token's numeric id, the password is the API token itself. Digest (RFC 7616) is
// not offered: API tokens are stored only as SHA-256 hashes, and Digest needs the server to know
// the secret; a hash-derived Digest password would make the stored hash worth as much as the
// token. Basic sends the token readable on the wire, so the server listens on loopback unless
// configured otherwise — put it behind TLS (rtsps) or a protected network when it is not.

export interface TokenCredentials {
  /** "token", or the decimal id of the API token. */
  username: string;
  token: string;
}

/** Longest Authorization value looked at: a token is ~50 characters, base64 adds a third. */
const MAX_HEADER = 1024;

/** The token in a Basic Authorization value; undefined when the value is not usable Basic. */
export function parseBasicToken(header: string | undefined): TokenCredentials | undefined {
  if (!header || header.length > MAX_HEADER) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(header);
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  const username = decoded.slice(0, colon);
  const token = decoded.slice(colon + 1);
  if (!token || /[\0\r\n]/.test(decoded)) return undefined;
  return { username, token };
}

/** True when the user name fits the token that authenticated: "token" or that token's id. */
export function usernameMatches(username: string, tokenId: number | null): boolean {
  if (username.toLowerCase() === 'token') return true;
  return tokenId !== null && /^\d{1,12}$/.test(username) && Number(username) === tokenId;
}

/** The camera a request URI names: `rtsp://host/cameras/<id>` or one of its `trackID=N` controls. */
export function cameraOfUri(uri: string): number | undefined {
  let path: string;
  try {
    const u = new URL(uri);
    if (u.protocol !== 'rtsp:' && u.protocol !== 'rtsps:') return undefined;
    path = u.pathname;
  } catch {
    return undefined;
  }
  const m = /^\/cameras\/(\d{1,12})(?:\/(?:trackID=\d{1,3})?)?$/.exec(path);
  if (!m) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

export function cameraPath(cameraId: number): string {
  return `/cameras/${cameraId}`;
}
