// The PS muxer (what the simulated GB/T 28181 device sends) against a demuxer we did not write:
// pictures read from ffmpeg's own program streams are muxed again, and ffmpeg reads our stream
// back with the same packet count and the same decoded pictures; our RTP packetizer and
// depacketizer carry every NAL unit unchanged. H.264 and H.265 (PSM stream_type 0x1B / 0x24).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
      const ps = Buffer.concat(units.map((u, i) => muxPsFrame({ codec: u.codec, nalus: u.nalus, keyframe: u.keyframe, pts90k: 90_000 + i * 3600 })));
      const path = join(scratchDir(), `mux-${fixture}-${Date.now()}.ps`);
      await writeFile(path, ps);
      const { stdout } = await run('ffprobe', ['-v', 'error', '-f', 'mpeg', '-count_packets', '-show_entries', 'stream=codec_name,nb_read_packets', '-of', 'csv=p=0', path]);
      expect(stdout.trim()).toBe(`${fixture.endsWith('h264') ? 'h264' : 'hevc'},50`);
      const es = await mediaFixture(fixture);
      expect(await frameMd5s(path, 'v', ['-f', 'mpeg'])).toEqual(await frameMd5s(es.path, 'v', ['-f', fixture.endsWith('h264') ? 'h264' : 'hevc']));

      // Over RTP: every NAL unit and timestamp arrives as sent, marker-ended.
      const rtp = new RtpPsPacketizer(0x1234, 96, 1400, 65530);
      const back: PsAccessUnit[] = [];
      const dep = new RtpPsDepacketizer({ video: (u) => back.push(u) }, { ssrc: 0x1234 });
      units.forEach((u, i) => {
        for (const p of rtp.packetize(muxPsFrame({ codec: u.codec, nalus: u.nalus, keyframe: u.keyframe, pts90k: 2 ** 33 - 3600 * 10 + i * 3600 }), i * 3600)) dep.push(p);
      });
      expect(back.length).toBe(50);
      expect(dep.stats.lost).toBe(0);
      expect(back.map((u) => u.nalus.map((n) => n.toString('hex')).join())).toEqual(units.map((u) => u.nalus.map((n) => n.toString('hex')).join()));
      expect(back[11]!.pts).toBe(3600); // wrapped at 2^33
      expect(back.filter((u) => u.keyframe).length).toBe(2);
    }, 60_000);
  }
});

const SPS = Buffer.from('6742c01e95a0500' + '5b2', 'hex');
const PPS = Buffer.from('68ce3c80', 'hex');
const idr = (n: number) => Buffer.concat([Buffer.from([0x65, 0x88]), randomBytes(n)]).map((b) => (b === 0 ? 1 : b)) as Buffer;
const p = (n: number) => Buffer.concat([Buffer.from([0x41, 0x9a]), randomBytes(n)]).map((b) => (b === 0 ? 1 : b)) as Buffer;

describe('PS muxer, parameter sets and large frames', () => {
  it('round-trips H.264 frames through RTP-PS', () => {
    const frames = [
      { keyframe: true, nalus: [idr(5000)], pts90k: 90_000 },
      { keyframe: false, nalus: [p(800)], pts90k: 93_600 },
      { keyframe: false, nalus: [p(150_000)], pts90k: 97_200 },
      { keyframe: true, nalus: [SPS, PPS, idr(3000)], pts90k: 100_800 },
    ];
    const units: PsAccessUnit[] = [];
    const rx = new RtpPsDepacketizer({ video: (u) => units.push(u) }, { ssrc: 0x0100000001 % 2 ** 32 });
    const tx = new RtpPsPacketizer(0x0100000001 % 2 ** 32);
    let markers = 0;
    for (const f of frames) {
      const packets = tx.packetize(muxPsFrame({ codec: 'h264', parameterSets: [SPS, PPS], ...f }), f.pts90k);
      for (const pkt of packets) {
        expect(pkt.length).toBeLessThanOrEqual(1412);
        if (pkt[1]! & 0x80) markers++;
        rx.push(pkt);
      }
    }
    // The last frame is emitted when the next one begins or by the marker.
    expect(markers).toBe(frames.length);
    expect(rx.stats).toMatchObject({ wrongSsrc: 0, lost: 0, malformed: 0 });
    expect(units.map((u) => [u.pts, u.keyframe])).toEqual(frames.map((f) => [f.pts90k, f.keyframe]));
    expect(units[0]!.nalus.map((n) => n[0]! & 0x1f)).toEqual([7, 8, 5]);
    expect(Buffer.compare(units[0]!.nalus[2]!, frames[0]!.nalus[0]!)).toBe(0);
    expect(Buffer.compare(units[2]!.nalus[0]!, frames[2]!.nalus[0]!)).toBe(0);
    expect(units[3]!.nalus.map((n) => n[0]! & 0x1f)).toEqual([7, 8, 5]);
  });
});
