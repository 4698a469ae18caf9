// The device's own recordings (GB/T 28181 §9.8, §9.9), all parts real: the platform INVITEs
// s=Playback and s=Download with the t= range of what the simulated device's RecordInfo lists;
// the device serves the range's pictures from its encoder. Playback is steered with MANSRTSP
// INFO (pause, resume, seek, scale) and the device obeys; a download ends with the device's
// MediaStatus 121, after which the platform hangs up. SQLite and PostgreSQL.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { MansrtspCommand } from '../../src/media/sip/mansrtsp.js';
import type { StreamSession } from '../../src/sim/gb-device.js';
import { DIALECTS } from '../support/databases.js';
import { closeEncoder, DEVICE_RECORDS, GB_CHANNEL, gbWorld, until } from '../support/gb-sim.js';

const closers: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});
afterAll(closeEncoder);

const first = DEVICE_RECORDS[0]!;

for (const dialect of DIALECTS) {
  describe(`GB/T 28181 device playback and download (${dialect})`, () => {
    it('s=Playback over the recorded range, steered by MANSRTSP; s=Download ends with MediaStatus 121 and our BYE', async () => {
      const w = await gbWorld(dialect, { records: true });
      closers.push(w.close);
      const { gb, device } = w;
      const streams: StreamSession[] = [];
      device.on('stream', (s) => streams.push(s));
      const commands: MansrtspCommand[] = [];
      device.on('playback', (_s, c) => commands.push(c));

      // Playback of a minute of the device's first recording.
      const range = { startMs: first.startMs + 60_000, endMs: first.startMs + 120_000 };
      const pb = await gb.player.play(undefined, GB_CHANNEL, 'udp', { session: 'Playback', range });
      closers.push(() => pb.close());
      let units = 0;
      pb.on('unit', () => units++);
      expect(streams[0]).toMatchObject({ session: 'Playback', range: { start: range.startMs / 1000, end: range.endMs / 1000 } });
      expect(String(streams[0]!.ssrc).padStart(10, '0')[0]).toBe('1'); // y= of a history stream
      await until('playback pictures', () => units >= 10);
      await pb.control({ kind: 'pause' });
      expect(streams[0]!.playback.paused).toBe(true);
      await pb.control({ kind: 'seek', seconds: 30 });
      await pb.control({ kind: 'scale', scale: 2 });
      expect(streams[0]!.playback).toEqual({ paused: false, positionSeconds: 30, scale: 2 });
      const before = units;
      await until('pictures again after the seek', () => units >= before + 10);
      expect(commands.map((c) => c.kind)).toEqual(['pause', 'seek', 'scale']);
      const ended = new Promise((r) => device.once('ended', (_s, by) => r(by)));
      await pb.close();
      expect(await ended).toBe('platform');

      // Download of 2 s (TCP, lossless): 50 pictures, then 121, then the platform's BYE.
      const dl = await gb.player.play(undefined, GB_CHANNEL, 'tcp-passive', { session: 'Download', range: { startMs: first.startMs, endMs: first.startMs + 2000 }, downloadSpeed: 4 });
      closers.push(() => dl.close());
      let got = 0;
      dl.on('unit', () => got++);
            const hungUp = new Promise((r) => device.once('ended', (_s, by) => r(by)));
      await expect(dl.control({ kind: 'pause' })).rejects.toThrow(/s=Playback sessions/);
      await dl.downloaded;
      expect(await hungUp).toBe('platform');
      expect(got).toBe(50);
      expect(streams[1]).toMatchObject({ session: 'Download' });

      // A range the device does not hold: refused, clearly.
      await expect(gb.player.play(undefined, GB_CHANNEL, 'udp', { session: 'Playback', range: { startMs: first.endMs + 10_000, endMs: first.endMs + 20_000 } })).rejects.toThrow(/404/);
      await expect(gb.player.play(undefined, GB_CHANNEL, 'udp', { session: 'Download', range: { startMs: first.endMs, endMs: first.startMs } })).rejects.toThrow(/end is after its start/);
    }, 240_000);
  });
}
