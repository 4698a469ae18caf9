// PTZCmd of DeviceControl (GB/T 28181-2016 §A.3, front-end device control codes): 8 bytes as 16
// hex digits — A5, the version/check nibbles (0F: version 0, check (0xA+0x5+0) mod 16), the
// address's low byte, the command, two data bytes, the zoom speed (high nibble) with the address's
// high nibble, and a checksum: the sum of the first seven bytes mod 256. Pure.
import { Errors } from '../errors.js';

export interface PtzMove {
  pan?: 'left' | 'right';
  tilt?: 'up' | 'down';
  zoom?: 'in' | 'out';
  /** Pan and tilt speed, 0–255 (default 128); zoom speed 0–15 (default 8). */
  speed?: number;
  zoomSpeed?: number;
}

const BITS = { right: 0x01, left: 0x02, down: 0x04, up: 0x08, in: 0x10, out: 0x20 } as const;
const PRESET = { set: 0x81, goto: 0x82, delete: 0x83 } as const;

function encode(cmd: number, data1: number, data2: number, zoom: number, address = 1): string {
  const b = [0xa5, 0x0f, address & 0xff, cmd, data1 & 0xff, data2 & 0xff, ((zoom & 0x0f) << 4) | ((address >> 8) & 0x0f)];
  b.push(b.reduce((s, x) => s + x, 0) % 256);
  return Buffer.from(b).toString('hex').toUpperCase();
}

function inRange(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw Errors.validation(`${name} must be a whole number from ${min} to ${max}`, [{ path: name, message: `${v} is out of range` }]);
  return v;
}

/** A move (or, with nothing set, stop). */
export function ptzMoveCmd(m: PtzMove): string {
  const cmd = (m.pan ? BITS[m.pan] : 0) | (m.tilt ? BITS[m.tilt] : 0) | (m.zoom ? BITS[m.zoom] : 0);
  const speed = inRange('speed', m.speed ?? 128, 0, 255);
  const zoomSpeed = inRange('zoomSpeed', m.zoomSpeed ?? 8, 0, 15);
  return encode(cmd, m.pan ? speed : 0, m.tilt ? speed : 0, m.zoom ? zoomSpeed : 0);
}

/** Preset set / go to / delete (preset 1–255). */
export function ptzPresetCmd(action: keyof typeof PRESET, preset: number): string {
  return encode(PRESET[action], 0, inRange('preset', preset, 1, 255), 0);
}

export interface DecodedPtzCmd {
  cmd: number;
  data1: number;
  data2: number;
  zoomSpeed: number;
  address: number;
}

/** Reads a PTZCmd; throws when it is not 16 hex digits, lacks A5 or its checksum is wrong. */
export function parsePtzCmd(hex: string): DecodedPtzCmd {
  if (!/^[0-9A-Fa-f]{16}$/.test(hex)) throw Errors.validation('PTZCmd must be 16 hex digits', [{ path: 'PTZCmd', message: hex.slice(0, 32) }]);
  const b = Buffer.from(hex, 'hex');
  if (b[0] !== 0xa5) throw Errors.validation('PTZCmd must start with A5', [{ path: 'PTZCmd', message: hex }]);
  const sum = [...b.subarray(0, 7)].reduce((s, x) => s + x, 0) % 256;
  if (sum !== b[7]) throw Errors.validation(`PTZCmd checksum is ${b[7]!.toString(16)}, should be ${sum.toString(16)}`, [{ path: 'PTZCmd', message: hex }]);
  return { cmd: b[3]!, data1: b[4]!, data2: b[5]!, zoomSpeed: b[6]! >> 4, address: b[2]! | ((b[6]! & 0x0f) << 8) };
}
