// The PS muxer (what the simulated GB/T 28181 device sends) against a demuxer we did not write:
// pictures read from ffmpeg's own program streams are muxed again, and ffmpeg reads our stream
// back with the same packet count and the same decoded pictures; our RTP packetizer and
// depacketizer carry every NAL unit unchanged. H.264 and H.265 (PSM stream_type 0x1B / 0x24).
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { frameMd5s, mediaFixture, scratchDir } from '../../../test/support/media-fixtures.js';
import { crc32Mpeg, muxPsFrame, RtpPsPacketizer } from './ps-muxer.js';
import { PsReader } from './ps-reader.js';
import { RtpPsDepacketizer } from './rtp-ps.js';
import type { PsAccessUnit } from './video-assembler.js';

const run = promisify(execFile);

async function unitsOf(fixture: 'h264-720p.h264' | 'h265-360p.h265'): Promise<PsAccessUnit[]> {
  const es = await mediaFixture(fixture);
  const out = join(scratchDir(), `mux-src-${fixture}-${Date.now()}.ps`);
  await run('ffmpeg', ['-v', 'error', '-y', '-f', fixture.endsWith('h264') ? 'h264' : 'hevc', '-framerate', '25', '-i', es.path, '-c', 'copy', '-f', 'vob', out]);
  const units: PsAccessUnit[] = [];
  const reader = new PsReader({ video: (u) => units.push(u) });
  reader.push(await readFile(out));
  reader.flush();
  return units;
}

describe('PS muxer', () => {
  it('computes the MPEG-2 CRC-32 of the check string', () => {
    expect(crc32Mpeg(Buffer.from('123456789')).toString(16)).toBe('376e6e7');
  });

  for (const fixture of ['h264-720p.h264', 'h265-360p.h265'] as const) {
    it(`${fixture}: ffmpeg reads our program stream back, picture for picture`, async () => {
      const units = await unitsOf(fixture);
      expect(units.length).toBe(50);
      const ps = Buffer.concat(units.map((u, i) => muxPsFrame({ codec: u.codec, nalus: u.nalus, keyframe: u.keyframe, pts: 90_000 + i * 3600 })));
      const path = join(scratchDir(), `mux-${fixture}-${Date.now()}.ps`);
      await writeFile(path, ps);
      const { stdout } = await run('ffprobe', ['-v', 'error', '-f', 'mpeg', '-count_packets', '-show_entries', 'stream=codec_name,nb_read_packets', '-of', 'csv=p=0', path]);
      expect(stdout.trim()).toBe(`${fixture.endsWith('h264') ? 'h264' : 'hevc'},50`);
      const es = await mediaFixture(fixture);
      expect(await frameMd5s(path, 'v', ['-f', 'mpeg'])).toEqual(await frameMd5s(es.path, 'v', ['-f', fixture.endsWith('h264') ? 'h264' : 'hevc']));

      // Over RTP: every NAL unit and timestamp arrives as sent, marker-ended.
      const rtp = new RtpPsPacketizer(0x1234, 1400, 65530);
      const back: PsAccessUnit[] = [];
      const dep = new RtpPsDepacketizer({ video: (u) => back.push(u) }, { ssrc: 0x1234 });
      units.forEach((u, i) => {
        for (const p of rtp.packets(muxPsFrame({ codec: u.codec, nalus: u.nalus, keyframe: u.keyframe, pts: 2 ** 33 - 3600 * 10 + i * 3600 }), i * 3600)) dep.push(p);
      });
      expect(back.length).toBe(50);
      expect(dep.stats.lost).toBe(0);
      expect(back.map((u) => u.nalus.map((n) => n.toString('hex')).join())).toEqual(units.map((u) => u.nalus.map((n) => n.toString('hex')).join()));
      expect(back[11]!.pts).toBe(3600); // wrapped at 2^33
      expect(back.filter((u) => u.keyframe).length).toBe(2);
    }, 60_000);
  }
});
