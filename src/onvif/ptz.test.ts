import { describe, expect, it } from 'vitest';
import { ptzMoveCmd, ptzPresetCmd } from '../gb28181/ptz.js';
import { onvifPtzAction } from './ptz.js';

describe('a GB/T 28181 PTZCmd as an ONVIF PTZ operation', () => {
  it('turns direction bits and speeds into a velocity, no bits into Stop, presets into preset operations', () => {
    expect(onvifPtzAction(ptzMoveCmd({ pan: 'right', tilt: 'down', speed: 255 }))).toEqual({ kind: 'move', x: 1, y: -1, zoom: 0 });
    expect(onvifPtzAction(ptzMoveCmd({ zoom: 'out', zoomSpeed: 15 }))).toEqual({ kind: 'move', x: 0, y: 0, zoom: -1 });
    expect(onvifPtzAction(ptzMoveCmd({ pan: 'left', speed: 51 }))).toEqual({ kind: 'move', x: -0.2, y: 0, zoom: 0 });
    expect(onvifPtzAction(ptzMoveCmd({}))).toEqual({ kind: 'stop' });
    // A move at speed 0 moves nothing: Stop, not a ContinuousMove of zero.
    expect(onvifPtzAction(ptzMoveCmd({ pan: 'left', speed: 0 }))).toEqual({ kind: 'stop' });
    expect(onvifPtzAction(ptzPresetCmd('goto', 7))).toEqual({ kind: 'preset', op: 'goto', preset: 7 });
    expect(onvifPtzAction(ptzPresetCmd('set', 1))).toEqual({ kind: 'preset', op: 'set', preset: 1 });
    expect(onvifPtzAction(ptzPresetCmd('delete', 255))).toEqual({ kind: 'preset', op: 'remove', preset: 255 });
  });

  it('refuses a malformed command, a wrong checksum, and focus or iris commands ONVIF PTZ has no operation for', () => {
    expect(() => onvifPtzAction('A50F01')).toThrow(/16 hex digits/);
    const good = ptzMoveCmd({ pan: 'left' });
    expect(() => onvifPtzAction(`${good.slice(0, 14)}00`)).toThrow(/checksum/);
    // 0x44: focus far (§A.3.3, FI commands).
    const b = [0xa5, 0x0f, 0x01, 0x44, 0x10, 0x00, 0x00];
    b.push(b.reduce((s, x) => s + x, 0) % 256);
    expect(() => onvifPtzAction(Buffer.from(b).toString('hex'))).toThrow(/no ONVIF PTZ operation/);
  });
});
