// `vigil gb backfill`: fill the gaps of our recording of a GB/T 28181 camera from the device's
// own recording (补录), through the running server's API (the SIP platform and its devices live
// there; the use case decides, registers and writes).
import { ApiClient, type ServerConfig } from '../api-client.js';
import { parse } from '../args.js';
import { printTable, UsageError } from '../output.js';

interface Range {
  startMs: number;
  endMs: number;
}
interface Job {
  id: number;
  state: 'running' | 'done' | 'failed' | 'interrupted';
  from: number;
  to: number;
  startedAt: number;
  endedAt: number | null;
  error: string | null;
  pieces: (Range & { state: string; written: Range | null; fragments: number; bytes: number; error: string | null })[];
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
const at = (v: string | undefined, name: string) => {
  if (!v) throw new UsageError(`--${name} is required (ISO 8601 or epoch ms)`);
  if (!/^\d{10,16}$/.test(v) && !Number.isFinite(Date.parse(v))) throw new UsageError(`--${name} must be ISO 8601 or epoch ms, got "${v}"`);
  return v;
};

export async function gbBackfillCommand(config: ServerConfig, args: string[], out: NodeJS.WritableStream = process.stdout, o: { password?: string; pollMs?: number } = {}): Promise<number> {
  const { values, positionals } = parse(args, { from: { type: 'string' }, to: { type: 'string' }, plan: { type: 'boolean' }, list: { type: 'boolean' }, 'no-wait': { type: 'boolean' }, login: { type: 'string' }, totp: { type: 'string' }, server: { type: 'string' } });
  const camera = positionals[0];
  if (!camera || !/^\d+$/.test(camera)) throw new UsageError('gb backfill needs a camera ID (see vigil gb --help)');
  if (values.list) {
    const api = await ApiClient.signIn(config, { login: values.login, totp: values.totp, server: values.server, ...(o.password ? { password: o.password } : {}) });
    const { items } = await api.request<{ items: Job[] }>('GET', `/cameras/${camera}/backfills`);
    if (!items.length) out.write(`no backfills of camera ${camera}\n`);
    else
      printTable(
        items.map((j) => ({ id: j.id, state: j.state, from: iso(j.from), to: iso(j.to), ranges: j.pieces.length, written: j.pieces.filter((p) => p.state === 'done').length, started: iso(j.startedAt), ended: j.endedAt ? iso(j.endedAt) : '', error: j.error ?? '' })),
        ['id', 'state', 'from', 'to', 'ranges', 'written', 'started', 'ended', 'error'],
        out,
      );
    return 0;
  }
  const from = at(values.from, 'from');
  const to = at(values.to, 'to');
  const api = await ApiClient.signIn(config, { login: values.login, totp: values.totp, server: values.server, ...(o.password ? { password: o.password } : {}) });
  if (values.plan) {
    const plan = await api.request<{ gaps: Range[]; device: Range[]; pieces: Range[] }>('GET', `/cameras/${camera}/backfill-plan?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const rows = [
      ...plan.gaps.map((r) => ({ what: 'gap in our recording', from: iso(r.startMs), to: iso(r.endMs) })),
      ...plan.device.map((r) => ({ what: "device's recording", from: iso(r.startMs), to: iso(r.endMs) })),
      ...plan.pieces.map((r) => ({ what: 'would download', from: iso(r.startMs), to: iso(r.endMs) })),
    ];
    if (rows.length) printTable(rows, ['what', 'from', 'to'], out);
    if (!plan.pieces.length) out.write('nothing to backfill: no gap of ours there is covered by the device\'s recording\n');
    return 0;
  }
  let job = await api.request<Job>('POST', `/cameras/${camera}/backfills`, { from, to });
  out.write(`backfill ${job.id} of camera ${camera}: ${job.pieces.length} range(s) to download\n`);
  if (values['no-wait']) return 0;
  while (job.state === 'running') {
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
    const { items } = await api.request<{ items: Job[] }>('GET', `/cameras/${camera}/backfills`);
    job = items.find((j) => j.id === job.id) ?? job;
  }
  printTable(
    job.pieces.map((p) => ({ from: iso(p.startMs), to: iso(p.endMs), state: p.state, written: p.written ? `${iso(p.written.startMs)} – ${iso(p.written.endMs)}` : '', fragments: p.fragments, MB: (p.bytes / 1e6).toFixed(1), error: p.error ?? '' })),
    ['from', 'to', 'state', 'written', 'fragments', 'MB', 'error'],
    out,
  );
  out.write(`backfill ${job.id} ${job.state}${job.error ? `: ${job.error}` : ''}\n`);
  return job.state === 'done' ? 0 : 1;
}
