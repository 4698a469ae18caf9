// PTZCmd bytes against the worked examples devices and platforms exchange (A50F01… with the sum
// of the first seven bytes as the last), and DeviceControl carried to a simulated device over SIP.
import { afterAll, describe, expect, it } from 'vitest';
import { closeEncoder, GB_CHANNEL, gbWorld } from '../../test/support/gb-sim.js';
import { parsePtzCmd, ptzMoveCmd, ptzPresetCmd } from './ptz.js';

afterAll(closeEncoder);

describe('PTZCmd', () => {
  it('encodes moves, zoom, stop and presets with the checksum', () => {
    // Stop: A5 0F 01 00 00 00 00, sum B5.
    expect(ptzMoveCmd({})).toBe('A50F0100000000B5');
    // Left at speed 0x80: cmd 02, pan 80, sum B5+02+80 = 137 → 37.
    expect(ptzMoveCmd({ pan: 'left', speed: 0x80 })).toBe('A50F010280000037');
    // Up and right at 0x40, zoom in at 3: cmd 19, 40, 40, 30, sum 7E.
    expect(ptzMoveCmd({ pan: 'right', tilt: 'up', zoom: 'in', speed: 0x40, zoomSpeed: 3 })).toBe('A50F01194040307E');
    // Go to preset 5: cmd 82, data2 05.
    expect(ptzPresetCmd('goto', 5)).toBe('A50F01820005003C');
    expect(parsePtzCmd('A50F01820005003C')).toEqual({ cmd: 0x82, data1: 0, data2: 5, zoomSpeed: 0, address: 1 });
  });

  it('refuses a wrong checksum, a short command and out-of-range speeds, saying which', () => {
    expect(() => parsePtzCmd('A50F01820005003D')).toThrow(/checksum is 3d, should be 3c/);
    expect(() => parsePtzCmd('A50F0182')).toThrow(/16 hex digits/);
    expect(() => ptzMoveCmd({ pan: 'left', speed: 300 })).toThrow(/speed must be a whole number from 0 to 255/);
    expect(() => ptzPresetCmd('set', 0)).toThrow(/preset/);
  });

  it('reaches the channel’s device as DeviceControl over SIP', async () => {
    const w = await gbWorld('sqlite');
    try {
      const got = new Promise<[string, Record<string, string>]>((r) => w.device.once('control', (c, f) => r([c, f])));
      await w.gb.platform.deviceControl(GB_CHANNEL, ptzMoveCmd({ pan: 'left', speed: 0x80 }));
      const [cmdType, fields] = await got;
      expect(cmdType).toBe('DeviceControl');
      expect(fields).toMatchObject({ DeviceID: GB_CHANNEL, PTZCmd: 'A50F010280000037' });
      expect(parsePtzCmd(fields['PTZCmd']!).cmd).toBe(0x02);
      await expect(w.gb.platform.deviceControl('34020000001310000099', ptzMoveCmd({}))).rejects.toThrow(/in no registered device's catalog/);
    } finally {
      await w.close();
    }
  }, 120_000);
});
