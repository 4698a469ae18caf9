// A GB/T 28181 PTZCmd (§A.3: 8 bytes, A5, the command byte, pan and tilt speeds, zoom speed,
// checksum) as an ONVIF PTZ operation (PTZ Service §5.3, §5.4): direction bits → ContinuousMove
// with a velocity in [-1, 1] from the command's speeds, no bits → Stop, 0x81/0x82/0x83 → SetPreset,
// GotoPreset, RemovePreset of the preset in the second data byte. So an upper platform steers a
// shared ONVIF camera with the commands it gives GB channels. Pure.
import { OnvifError } from './errors.js';

export type OnvifPtzAction =
  | { kind: 'move'; x: number; y: number; zoom: number }
  | { kind: 'stop' }
  | { kind: 'preset'; op: 'set' | 'goto' | 'remove'; preset: number };

const RIGHT = 0x01, LEFT = 0x02, DOWN = 0x04, UP = 0x08, IN = 0x10, OUT = 0x20;
const PRESET_OPS: Record<number, 'set' | 'goto' | 'remove'> = { 0x81: 'set', 0x82: 'goto', 0x83: 'remove' };

/** The ONVIF operation a PTZCmd asks for; throws on a malformed command or one ONVIF has no operation for. */
export function onvifPtzAction(hex: string): OnvifPtzAction {
  if (!/^A5[0-9A-F]{14}$/i.test(hex)) throw new OnvifError('ONVIF_REQUEST', 'PTZCmd must be 16 hex digits starting A5');
  const b = Buffer.from(hex, 'hex');
  if ([...b.subarray(0, 7)].reduce((s, x) => s + x, 0) % 256 !== b[7]) throw new OnvifError('ONVIF_REQUEST', 'PTZCmd checksum is wrong');
  const cmd = b[3]!;
  const preset = PRESET_OPS[cmd];
  if (preset) {
    if (b[5]! < 1) throw new OnvifError('ONVIF_REQUEST', 'preset 0 does not exist (1–255)');
    return { kind: 'preset', op: preset, preset: b[5]! };
  }
  if (cmd & 0xc0) throw new OnvifError('ONVIF_REQUEST', `PTZCmd command 0x${cmd.toString(16)} (focus, iris or auxiliary) has no ONVIF PTZ operation`);
  const round = (v: number) => Math.round(v * 1000) / 1000;
  const x = cmd & RIGHT ? b[4]! / 255 : cmd & LEFT ? -b[4]! / 255 : 0;
  const y = cmd & UP ? b[5]! / 255 : cmd & DOWN ? -b[5]! / 255 : 0;
  const zoom = cmd & IN ? (b[6]! >> 4) / 15 : cmd & OUT ? -(b[6]! >> 4) / 15 : 0;
  if (!x && !y && !zoom) return { kind: 'stop' };
  return { kind: 'move', x: round(x), y: round(y), zoom: round(zoom) };
}
