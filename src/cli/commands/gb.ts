// `vigil gb`: the GB/T 28181 devices and lower platforms that registered to this platform and the
// channels their catalogs gave, as the gb28181 role stored them (read from the database: the
// command works whether or not the SIP server runs in another process).
import type { Context } from '../../services/context.js';
import { parse } from '../args.js';
import { printTable, UsageError } from '../output.js';

const time = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z'));

export async function gbCommand(ctx: Context, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const repo = ctx.repos.gbDevices;
  const { values, positionals } = parse(rest, { json: { type: 'boolean' } }, true);
  if (sub === 'devices') {
    const devices = await repo.list();
    if (values.json) process.stdout.write(`${JSON.stringify(devices, null, 2)}\n`);
    else if (!devices.length) process.stderr.write('no GB/T 28181 device has registered\n');
    else
      printTable(
        devices.map((d) => ({
          device: d.deviceId, online: d.online ? 'yes' : 'no', transport: d.transport, address: `${d.address}:${d.port}`, keepalive: time(d.lastKeepaliveAt ?? d.registeredAt),
          make: [d.manufacturer, d.model].filter(Boolean).join(' '), name: d.name ?? '', error: d.lastError ?? '',
        })),
        ['device', 'online', 'transport', 'address', 'keepalive', 'make', 'name', 'error'],
      );
    return 0;
  }
  if (sub === 'channels' || sub === 'catalog') {
    const id = positionals[0];
    if (!id || !/^\d{20}$/.test(id)) throw new UsageError(`gb ${sub} needs a device's 20-digit ID`);
    const device = await repo.get(id);
    if (!device) throw new UsageError(`no GB/T 28181 device ${id} has registered (see vigil gb devices)`);
    const channels = await repo.channels(device.id);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(sub === 'catalog' ? channels.map((c) => ({ channelId: c.channelId, ...c.item })) : channels, null, 2)}\n`);
      return 0;
    }
    if (!channels.length) {
      process.stderr.write(`device ${id} has given no catalog yet\n`);
      return 0;
    }
    if (sub === 'channels') {
      printTable(
        channels.map((c) => ({ channel: c.channelId, name: c.name, status: c.status, camera: c.cameraId ?? '', parent: c.parentId ?? '', refused: c.refusal ? `${c.refusal}${c.articles.length ? ` (${c.articles.join(', ')})` : ''}` : '' })),
        ['channel', 'name', 'status', 'camera', 'parent', 'refused'],
      );
    } else {
      for (const c of channels) {
        process.stdout.write(`${c.channelId}\n`);
        for (const [k, v] of Object.entries(c.item)) if (v !== '') process.stdout.write(`  ${k}: ${v}\n`);
      }
    }
    return 0;
  }
  throw new UsageError(`unknown gb command "${sub ?? ''}"; see vigil gb help`);
}
