// `vigil cluster`: the recorder nodes over PostgreSQL (issue 22) — which are alive, what they may
// and do hold, when their leases run out, which node records which camera; a camera's recording
// priority, which placement serves first when capacity runs short.
import { clusterStatus } from '../../cluster/cluster-status.js';
import type { Context } from '../../services/context.js';
import { parse } from '../args.js';
import { printTable, UsageError } from '../output.js';
import { clusterHelp } from '../usage.js';

const age = (now: number, at: number | null) => (at === null ? '' : `${((at - now) / 1000).toFixed(1)} s`);

export async function clusterCommand(ctx: Context, args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [sub, ...rest] = args;
  if (ctx.db.dialect !== 'postgres') {
    throw new UsageError('recorder nodes need PostgreSQL (database.url postgres://…): on SQLite the one process records every camera');
  }
  if (sub === 'status') {
    const { values } = parse(rest, { cameras: { type: 'boolean' }, json: { type: 'boolean' } }, false);
    const s = await clusterStatus(ctx.repos.leases, ctx.repos.recordings, ctx.config.cluster.leaseSeconds * 1000);
    if (values.json) {
      out.write(`${JSON.stringify(values.cameras ? s : { ...s, cameras: undefined }, null, 2)}\n`);
      return 0;
    }
    if (!s.nodes.length) out.write('no recorder node has started\n');
    else
      printTable(
        s.nodes.map((n) => ({ node: n.id, alive: n.alive ? 'yes' : 'NO', capacity: n.capacity, cameras: n.cameras, heartbeat: age(s.now, n.heartbeatAt), 'lease expires in': age(s.now, n.nextExpiry), url: n.url ?? '' })),
        ['node', 'alive', 'capacity', 'cameras', 'heartbeat', 'lease expires in', 'url'],
        out,
      );
    out.write(`${s.cameras.length} recordable camera(s), ${s.unheld} not held by any node now; lease ${s.leaseMs / 1000} s\n`);
    if (values.cameras) printTable(s.cameras.map((c) => ({ camera: c.cameraId, node: c.nodeId ?? '(none)', epoch: c.epoch ?? '', 'expires in': age(s.now, c.expiresAt) })), ['camera', 'node', 'epoch', 'expires in'], out);
    return s.unheld && s.nodes.some((n) => n.alive) ? 1 : 0;
  }
  if (sub === 'priority') {
    const [camera, value] = rest;
    if (!camera || !/^\d+$/.test(camera)) throw new UsageError('cluster priority needs a camera id');
    if (!value || !/^-?\d+$/.test(value) || Math.abs(Number(value)) > 1000) throw new UsageError(`cluster priority needs a whole number from -1000 to 1000, got "${value ?? ''}"`);
    if (!(await ctx.repos.cameras.get(Number(camera)))) throw new UsageError(`no camera ${camera}`);
    await ctx.repos.leases.setPriority(Number(camera), Number(value));
    out.write(`camera ${camera}: recording priority ${value}\n`);
    return 0;
  }
  throw new UsageError(`unknown cluster command "${sub ?? ''}"\n${clusterHelp}`);
}
