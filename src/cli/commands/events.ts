// `vigil events`: the event list across cameras (alarms and recording events) from the command
// line, through the running server's API (GET /events/search) as the console reads it, so the
// same use case decides which cameras' events one sees and refuses (and registers) the rest.
import { ApiClient, type ServerConfig } from '../api-client.js';
import { int, parse } from '../args.js';
import { printTable, UsageError } from '../output.js';

interface Listed {
  at: number;
  cameraId: number | null;
  cameraName: string | null;
  kind: string;
  severity: string;
  title: string;
  picture: string | null;
}

/** A time given as ISO 8601 or epoch milliseconds. */
export function instantOf(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  if (/^\d{10,16}$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(t)) throw new UsageError(`--${name} must be ISO 8601 (2026-12-05T08:00+08:00) or epoch milliseconds, got "${v}"`);
  return t;
}

/** The query string of GET /events/search a command line asks for. */
export function eventsQuery(args: string[], now: number): { query: URLSearchParams; all: boolean; json: boolean; sign: { login?: string; totp?: string; server?: string } } {
  const { values } = parse(args, {
    from: { type: 'string' }, to: { type: 'string' }, camera: { type: 'string', multiple: true }, org: { type: 'string' }, kind: { type: 'string', multiple: true },
    severity: { type: 'string', multiple: true }, limit: { type: 'string' }, all: { type: 'boolean' }, json: { type: 'boolean' },
    login: { type: 'string' }, totp: { type: 'string' }, server: { type: 'string' },
  }, false);
  const to = instantOf(values.to, 'to') ?? now;
  const from = instantOf(values.from, 'from') ?? to - 86_400_000;
  if (!(from < to)) throw new UsageError('--from must be before --to');
  const cameras = values.camera ?? [];
  for (const c of cameras) if (!/^\d+$/.test(c)) throw new UsageError(`--camera takes a camera id, got "${c}"`);
  const limit = int(values.limit, 'limit');
  if (limit !== undefined && (limit < 1 || limit > 200)) throw new UsageError('--limit is 1 to 200');
  const org = int(values.org, 'org');
  const query = new URLSearchParams({ from: String(from), to: String(to) });
  if (cameras.length) query.set('cameraIds', cameras.join(','));
  if (org !== undefined) query.set('organisationId', String(org));
  if (values.kind?.length) query.set('kinds', values.kind.join(','));
  if (values.severity?.length) query.set('severities', values.severity.join(','));
  if (limit !== undefined) query.set('limit', String(limit));
  const sign = { ...(values.login ? { login: values.login } : {}), ...(values.totp ? { totp: values.totp } : {}), ...(values.server ? { server: values.server } : {}) };
  return { query, all: !!values.all, json: !!values.json, sign };
}

export async function eventsCommand(config: ServerConfig, args: string[], out: NodeJS.WritableStream = process.stdout, o: { password?: string; now?: number } = {}): Promise<number> {
  const r = eventsQuery(args, o.now ?? Date.now());
  const api = await ApiClient.signIn(config, { ...r.sign, ...(o.password ? { password: o.password } : {}) });
  let cursor: string | null = null;
  let shown = 0;
  do {
    const q = new URLSearchParams(r.query);
    if (cursor) q.set('cursor', cursor);
    const page = await api.request<{ items: Listed[]; next: string | null }>('GET', `/events/search?${q}`);
    if (r.json) out.write(`${JSON.stringify(page)}\n`);
    else if (page.items.length) {
      printTable(page.items.map((e) => ({ time: new Date(e.at).toISOString(), camera: e.cameraId === null ? '' : `${e.cameraId} ${e.cameraName ?? ''}`, kind: e.kind, severity: e.severity, picture: e.picture ?? '', title: e.title })), ['time', 'camera', 'kind', 'severity', 'picture', 'title'], out);
    }
    shown += page.items.length;
    cursor = page.next;
  } while (cursor && r.all);
  if (!r.json) out.write(shown ? `${shown} event(s)${cursor ? '; more: --all' : ''}\n` : 'no events\n');
  return 0;
}
