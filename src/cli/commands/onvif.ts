import { OnvifClient } from '../../onvif/device.js';
import { probe } from '../../onvif/discovery.js';
import { int, parse } from '../args.js';
import { printTable, UsageError } from '../output.js';

export const onvifHelp = `vigil onvif probe [--timeout MS] [--interface ADDRESS]
  Sends a WS-Discovery probe on the local network and lists the ONVIF cameras that answer.
vigil onvif profiles --address http://HOST/onvif/device_service [--user U --password P] [--json]
  Lists a camera's media profiles (codec, size, frame rate) with their RTSP addresses.`;

export async function onvifCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'probe') {
    const { values } = parse(rest, { timeout: { type: 'string', default: '3000' }, interface: { type: 'string' }, json: { type: 'boolean' } }, false);
    const devices = await probe({ timeoutMs: int(values.timeout, 'timeout')!, ...(values.interface ? { bindAddress: values.interface } : {}) });
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
