import { admitDiscovered } from '../../ingest/discovery-guard.js';
import type { SourceGuard } from '../../ingest/source-guard.js';
import { OnvifClient } from '../../onvif/device.js';
import { probe } from '../../onvif/discovery.js';
import { int, parse } from '../args.js';
import { printTable, UsageError } from '../output.js';

/**
 * `sources` is the camera source policy of the configuration: every address these commands send
 * to — a directed probe, a device service, the addresses discovery answers name — passes it, as
 * the recorder's and the API's do (issue 14).
 */
export async function onvifCommand(args: string[], sources: SourceGuard): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'probe') {
    const { values } = parse(rest, { timeout: { type: 'string', default: '3000' }, interface: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' } }, false);
    const target = values.target ? await directedTarget(values.target, sources) : undefined;
    const found = await probe({ timeoutMs: int(values.timeout, 'timeout')!, ...(values.interface ? { bindAddress: values.interface } : {}), ...(target ? { target } : {}) });
    const { devices, refused } = await admitDiscovered(sources, found);
    if (refused) process.stderr.write(`${refused} answer(s) left out: their addresses are outside the allowed camera networks\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(devices, null, 2)}\n`);
    else if (devices.length === 0) process.stderr.write('no ONVIF camera answered\n');
    else printTable(devices.map((d) => ({ name: d.name ?? '', hardware: d.hardware ?? '', from: d.from, address: d.xaddrs[0] })), ['name', 'hardware', 'from', 'address']);
    return 0;
  }
  if (sub === 'profiles') {
    const { values } = parse(rest, {
      address: { type: 'string' }, user: { type: 'string' }, password: { type: 'string' }, timeout: { type: 'string', default: '5000' }, json: { type: 'boolean' },
    }, false);
    if (!values.address) throw new UsageError('--address is required (the device service URL)');
    const client = new OnvifClient({
      address: values.address,
      ...(values.user !== undefined ? { username: values.user, password: values.password ?? '' } : {}),
      timeoutMs: int(values.timeout, 'timeout')!,
      admit: (u) => sources.admitAddress(u),
    });
    const info = await client.getSystemDateAndTime().catch(() => undefined).then(() => client.getDeviceInformation());
    const streams = await client.streams();
    if (values.json) {
      process.stdout.write(`${JSON.stringify({ device: info, streams }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(`${info.manufacturer} ${info.model} (firmware ${info.firmwareVersion}, serial ${info.serialNumber})\n`);
    printTable(streams.map((s) => ({
      profile: s.token, name: s.name, codec: s.video?.encoding, size: s.video ? `${s.video.width}x${s.video.height}` : '', fps: s.video?.fps, kbps: s.video?.bitrateKbps, uri: s.uri,
    })), ['profile', 'name', 'codec', 'size', 'fps', 'kbps', 'uri']);
    return 0;
  }
  throw new UsageError(`unknown onvif command "${sub ?? ''}"; see vigil onvif help`);
}

/** A directed probe's HOST[:PORT] (3702 by default), checked by the policy: the address to send to. */
async function directedTarget(text: string, sources: SourceGuard): Promise<{ address: string; port: number }> {
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    throw new UsageError(`--target "${text}" is not HOST or HOST:PORT`);
  }
  if (url.pathname !== '/' || url.username || url.search) throw new UsageError(`--target "${text}" is not HOST or HOST:PORT`);
  const port = url.port ? Number(url.port) : 3702;
  url.port = String(port);
  return { address: await sources.admitAddress(url), port };
}
