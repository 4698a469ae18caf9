// `vigil ptz`: steer a GB/T 28181 camera from the command line through the running server's API
// (POST /cameras/:id/ptz), so the same use case decides (ptz:control in the camera's scope) and
// registers every command as from the console's pad.
import { ApiClient, type ServerConfig } from '../api-client.js';
import { int, parse } from '../args.js';
import { UsageError } from '../output.js';

type PtzBody =
  | { action: 'move'; pan?: string; tilt?: string; zoom?: string; speed?: number; zoomSpeed?: number }
  | { action: 'stop' }
  | { action: 'preset'; op: 'set' | 'goto' | 'delete'; preset: number };

const oneOf = (v: string | undefined, allowed: string[], name: string) => {
  if (v !== undefined && !allowed.includes(v)) throw new UsageError(`--${name} must be ${allowed.join(' or ')}, got "${v}"`);
  return v;
};

/** The body of POST /cameras/:id/ptz a command line asks for, and how long to hold a move. */
export function ptzRequest(args: string[]): { cameraId: number; body: PtzBody; forMs?: number; sign: { login?: string; totp?: string; server?: string } } {
  const { values, positionals } = parse(args, {
    pan: { type: 'string' }, tilt: { type: 'string' }, zoom: { type: 'string' }, speed: { type: 'string' }, 'zoom-speed': { type: 'string' }, for: { type: 'string' },
    login: { type: 'string' }, totp: { type: 'string' }, server: { type: 'string' },
  });
  const [camera, command, ...rest] = positionals;
  if (!camera || !/^\d+$/.test(camera)) throw new UsageError('vigil ptz needs a camera ID first (see vigil ptz --help)');
  const speed = int(values.speed, 'speed');
  const zoomSpeed = int(values['zoom-speed'], 'zoom-speed');
  if (speed !== undefined && speed > 255) throw new UsageError('--speed is 0 to 255');
  if (zoomSpeed !== undefined && zoomSpeed > 15) throw new UsageError('--zoom-speed is 0 to 15');
  const forMs = int(values.for, 'for');
  const sign = { ...(values.login ? { login: values.login } : {}), ...(values.totp ? { totp: values.totp } : {}), ...(values.server ? { server: values.server } : {}) };
  const speeds = { ...(speed !== undefined ? { speed } : {}), ...(zoomSpeed !== undefined ? { zoomSpeed } : {}) };
  let body: PtzBody;
  if (command === 'move') {
    const pan = oneOf(values.pan, ['left', 'right'], 'pan');
    const tilt = oneOf(values.tilt, ['up', 'down'], 'tilt');
    const zoom = oneOf(values.zoom, ['in', 'out'], 'zoom');
    if (!pan && !tilt && !zoom) throw new UsageError('move needs --pan, --tilt or --zoom');
    body = { action: 'move', ...(pan ? { pan } : {}), ...(tilt ? { tilt } : {}), ...(zoom ? { zoom } : {}), ...speeds };
  } else if (command === 'zoom') {
    const zoom = oneOf(rest[0], ['in', 'out'], 'zoom');
    if (!zoom) throw new UsageError('zoom needs in or out');
    body = { action: 'move', zoom, ...speeds };
  } else if (command === 'stop') {
    body = { action: 'stop' };
  } else if (command === 'preset') {
    const op = rest[0] === 'remove' ? 'delete' : rest[0];
    if (op !== 'set' && op !== 'goto' && op !== 'delete') throw new UsageError('preset needs set, goto or remove');
    const n = rest[1] !== undefined && /^\d+$/.test(rest[1]) ? Number(rest[1]) : NaN;
    if (!(n >= 1 && n <= 255)) throw new UsageError('preset needs a number from 1 to 255');
    body = { action: 'preset', op, preset: n };
  } else throw new UsageError(`unknown ptz command "${command ?? ''}"; see vigil ptz --help`);
  if (forMs !== undefined && body.action !== 'move') throw new UsageError('--for goes with move or zoom');
  return { cameraId: Number(camera), body, ...(forMs !== undefined ? { forMs } : {}), sign };
}

export async function ptzCommand(config: ServerConfig, args: string[], out: NodeJS.WritableStream = process.stdout, o: { password?: string } = {}): Promise<number> {
  const r = ptzRequest(args);
  const api = await ApiClient.signIn(config, { ...r.sign, ...o });
  const sent = await api.request<{ ptzCmd: string }>('POST', `/cameras/${r.cameraId}/ptz`, r.body);
  out.write(`camera ${r.cameraId}: ${describe(r.body)} sent (PTZCmd ${sent.ptzCmd})\n`);
  if (r.forMs !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, r.forMs));
    const stop = await api.request<{ ptzCmd: string }>('POST', `/cameras/${r.cameraId}/ptz`, { action: 'stop' });
    out.write(`camera ${r.cameraId}: stop sent (PTZCmd ${stop.ptzCmd})\n`);
  }
  return 0;
}

function describe(b: PtzBody): string {
  if (b.action === 'stop') return 'stop';
  if (b.action === 'preset') return `preset ${b.op === 'delete' ? 'remove' : b.op} ${b.preset}`;
  return ['move', b.pan, b.tilt, b.zoom ? `zoom ${b.zoom}` : undefined].filter(Boolean).join(' ');
}
