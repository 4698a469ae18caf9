// The commands that act on devices (PTZ, backfill) go through the running server's API, as the
// console does: the SIP platform and its devices live in that process, and the use cases there
// decide and register. Signed in as a person (their login, password from VIGIL_PASSWORD or a
// line on stdin, TOTP code) or with an API token (VIGIL_API_TOKEN).
import type { Config } from '../config/config.js';
import { secretFromEnvironment } from '../config/environment.js';
import { ApiError, UsageError } from './output.js';
import { passwordInput } from './password-input.js';


/** Where the server listens (its http host and port). */
export interface ServerConfig {
  http: Pick<Config['http'], 'host' | 'port'>;
}

export interface ApiSignIn {
  /** Base URL; default the configured http host and port. */
  server?: string | undefined;
  login?: string | undefined;
  totp?: string | undefined;
  /** Test hook: the password, instead of VIGIL_PASSWORD or stdin. */
  password?: string;
}

export class ApiClient {
  private constructor(private readonly base: string, private readonly headers: Record<string, string>) {}

  static serverOf(config: ServerConfig): string {
    const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
    return `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
  }

  static async signIn(config: ServerConfig, o: ApiSignIn): Promise<ApiClient> {
    const base = `${(o.server ?? ApiClient.serverOf(config)).replace(/\/+$/, '')}/api/v1`;
    const token = secretFromEnvironment('VIGIL_API_TOKEN');
    if (!o.login) {
      if (!token) throw new UsageError('sign in with --login LOGIN (password from VIGIL_PASSWORD or stdin), or set VIGIL_API_TOKEN');
      return new ApiClient(base, { authorization: `Bearer ${token}` });
    }
    const password = o.password ?? await passwordInput();
    let res: Response;
    try {
      res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: o.login, password, ...(o.totp ? { totp: o.totp } : {}) }) });
    } catch (e) {
      throw new UsageError(`the Vigil server at ${base} does not answer (${(e as Error).message}); is \`vigil serve\` running? (--server URL)`);
    }
    const body = await answer(res);
    const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(';')[0]!).find((c) => c.startsWith('vigil_session='));
    if (!cookie) throw new UsageError('the sign-in gave no session');
    if (body.stage && body.stage !== 'full') throw new UsageError(`the sign-in is not complete (${String(body.stage)}): a second factor may be needed (--totp CODE), or the password must be changed in the console first`);
    return new ApiClient(base, { cookie, 'x-csrf-token': String(body.csrfToken ?? '') });
  }

  async request<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, { method, headers: { ...this.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    return (await answer(res)) as T;
  }
}

async function answer(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // not JSON: said below with the status
  }
  if (res.ok) return body;
  const e = (body.error ?? {}) as { code?: string; message?: string; params?: Record<string, unknown> };
  throw new ApiError(res.status, e.code ?? `HTTP_${res.status}`, e.message ?? `${res.status} ${res.statusText}`, e.params ?? {});
}
