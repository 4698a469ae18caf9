import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRtpPacket } from '../rtp/rtp-packet.js';
import type { AccessUnit, RtpPayloadPacket } from '../h264/access-unit.js';
import { groupAccessUnits, joinAnnexB, splitAnnexB } from '../h264/annexb.js';
import { Fmp4Muxer, type FragmentOut } from '../fmp4/muxer.js';
import { scanFragments } from '../fmp4/scan.js';
import {
  captureRtp, decodeErrors, ffprobeJson, frameMd5s, mediaFixture, scratchDir,
} from '../../../test/support/media-fixtures.js';
import { H265Depacketizer } from './depacketizer.js';
import { H265Error } from './errors.js';
import { H265Nal, h265NalType, isH265Irap } from './nal.js';
import { packetizeH265 } from './packetizer.js';
import { h265CodecString, parseH265Sps } from './sps.js';

function toRtp(aus: Buffer[][], maxPayload: number): RtpPayloadPacket[] {
  const out: RtpPayloadPacket[] = [];
  let seq = 65530;
  aus.forEach((au, i) => {
    const payloads = packetizeH265(au, { maxPayload });
    payloads.forEach((payload, j) =>
      out.push({ payload, sequenceNumber: seq++ & 0xffff, timestamp: (0xfffff000 + i * 3600) >>> 0, marker: j === payloads.length - 1 }),
    );
  });
  return out;
}

function depacketizeAll(packets: RtpPayloadPacket[]) {
  const d = new H265Depacketizer();
  const aus: AccessUnit[] = packets.flatMap((p) => d.push(p));
  const last = d.flush();
  if (last) aus.push(last);
  return { aus, d };
}

describe('H.265 SPS against ffprobe', () => {
  it('reads profile, level, size after the conformance window, chroma and bit depth', async () => {
    const f = await mediaFixture('h265-360p.h265');
    const [probe] = (await ffprobeJson(f.path, ['-show_streams'])).streams;
    const spsNal = splitAnnexB(f.bytes).find((n) => h265NalType(n) === H265Nal.SPS)!;
    const sps = parseH265Sps(spsNal);
    // 360 is not a multiple of x265's 8-pixel minimum coding block: the window crops 368 → 360.
    expect([sps.width, sps.height]).toEqual([probe.width, probe.height]);
    expect(probe.profile).toBe('Main');
    expect(sps.profileIdc).toBe(1);
    expect(sps.levelIdc).toBe(probe.level);
    expect(probe.pix_fmt).toBe('yuv420p');
    expect([sps.chromaFormatIdc, sps.bitDepthLuma, sps.bitDepthChroma]).toEqual([1, 8, 8]);
    // Main is compatible with Main and Main 10 (flags 1 and 2): "6" once bit-reversed.
    expect(h265CodecString(sps)).toMatch(new RegExp(`^hvc1\\.1\\.6\\.L${probe.level}(\\.[0-9A-F]{1,2})*$`));
  });

  it('rejects what is not an SPS with a typed error', () => {
    expect(() => parseH265Sps(Buffer.from([0x44, 0x01, 0xc1]))).toThrow(H265Error);
    expect(() => parseH265Sps(Buffer.from([0x42, 0x01, 0x01]))).toThrow(H265Error);
  });
});

describe('H.265 packetizer ↔ depacketizer (RFC 7798)', () => {
  it('round-trips a real stream through AP and FU packets', async () => {
    const f = await mediaFixture('h265-360p.h265');
    const aus = groupAccessUnits(splitAnnexB(f.bytes), 'h265');
    expect(aus.length).toBe(50);
    const packets = toRtp(aus, 1000);
    const kinds = new Set(packets.map((p) => h265NalType(p.payload)));
    expect(kinds.has(H265Nal.AP)).toBe(true);
    expect(kinds.has(H265Nal.FU)).toBe(true);
    expect(packets.every((p) => p.payload.length <= 1000)).toBe(true);
    const { aus: got } = depacketizeAll(packets);
    expect(got.map((a) => joinAnnexB(a.nalus))).toEqual(aus.map((a) => joinAnnexB(a)));
    expect(got.map((a) => a.keyframe)).toEqual(aus.map((a) => a.some((n) => isH265Irap(h265NalType(n)))));
    expect(got.filter((a) => a.keyframe).length).toBe(2);
    expect(got[1]!.pts90k - got[0]!.pts90k).toBe(3600);
  });

  it('drops a NAL unit whose FU lost a fragment and marks its access unit', async () => {
    const f = await mediaFixture('h265-360p.h265');
    const aus = groupAccessUnits(splitAnnexB(f.bytes), 'h265').slice(0, 2);
    const packets = toRtp(aus, 1000);
    const fus = packets.filter((p) => h265NalType(p.payload) === H265Nal.FU && isH265Irap(p.payload[2]! & 0x3f));
    const { aus: got, d } = depacketizeAll(packets.filter((p) => p !== fus[1]));
    expect(d.stats.lostPackets).toBe(1);
    expect(got[0]!.damaged).toBe(true);
    expect(got[0]!.keyframe).toBe(false); // the IRAP slice was the lost unit
    expect(got[1]!.damaged).toBe(false);
  });

  it('counts PACI packets as unsupported', () => {
    const d = new H265Depacketizer();
    d.push({ payload: Buffer.from([50 << 1, 1, 0, 0, 0]), timestamp: 0, marker: true, sequenceNumber: 1 });
    expect(d.stats.unsupportedPackets).toBe(1);
  });
});

describe('H.265 from ffmpeg over RTP, into fMP4', () => {
  it('depacketizes what ffmpeg sends and muxes it into an hvc1 file ffmpeg decodes bit-exactly', async () => {
    const cap = await captureRtp(
      ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=2'],
      ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'keyint=25:min-keyint=25:bframes=0:log-level=error'],
      'hevc',
    );
    const rtp = cap.packets.map(parseRtpPacket);
    expect(rtp.some((p) => h265NalType(p.payload) === H265Nal.FU)).toBe(true);
    const { aus, d } = depacketizeAll(rtp);
    expect(d.stats.lostPackets).toBe(0);
    const want = groupAccessUnits(splitAnnexB(cap.elementary), 'h265');
    expect(aus.map((a) => joinAnnexB(a.nalus))).toEqual(want.map((a) => joinAnnexB(a)));

    const m = new Fmp4Muxer({ video: { codec: 'h265' } });
    const outs: (FragmentOut | null)[] = aus.map((au) => m.addVideo(au));
    outs.push(m.flush());
    const parts = outs.flatMap((o) => (o ? [...(o.init ? [o.init] : []), ...o.bytes] : []));
    const path = join(scratchDir(), 'h265.mp4');
    const es = join(scratchDir(), 'h265-es.hevc');
    writeFileSync(path, Buffer.concat(parts));
    writeFileSync(es, cap.elementary);

    const s = (await ffprobeJson(path, ['-count_frames', '-show_streams'])).streams[0];
    expect([s.codec_name, s.codec_tag_string, s.width, s.height, Number(s.nb_read_frames)]).toEqual(['hevc', 'hvc1', 640, 360, 50]);
    expect(m.tracks[0]!.codec).toMatch(/^hvc1\.1\.6\.L\d+/);
    expect(await decodeErrors(path)).toBe('');
    expect(await frameMd5s(path)).toEqual(await frameMd5s(es));
    const scan = await scanFragments(path);
    expect(scan.fragments.map((f) => f.tracks[0]!.sampleCount)).toEqual([25, 25]);
  });
});
