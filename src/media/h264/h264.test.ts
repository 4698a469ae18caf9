import { describe, expect, it } from 'vitest';
import { InPlaceRtpPacket, parseRtpPacket, readRtpPacket, serializeRtpPacket } from '../rtp/rtp-packet.js';
import { captureRtp, ffprobeJson, mediaFixture } from '../../../test/support/media-fixtures.js';
import type { AccessUnit, RtpPayloadPacket } from './access-unit.js';
import { groupAccessUnits, joinAnnexB, splitAnnexB } from './annexb.js';
import { H264Depacketizer } from './depacketizer.js';
import { H264Error } from './errors.js';
import { H264Nal, h264NalType } from './nal.js';
import { packetizeH264 } from './packetizer.js';
import { h264CodecString, parseH264Sps } from './sps.js';
import { parseSpropParameterSets } from './sprop.js';

const PROFILE_NAMES: Record<number, string> = { 66: 'Baseline', 77: 'Main', 100: 'High' };

/** Access units → RTP packets through our packetizer, 3600 ticks apart, marker on the last. */
function toRtp(aus: Buffer[][], maxPayload: number, firstSeq = 65500, firstTs = 0xffff0000): RtpPayloadPacket[] {
  const out: RtpPayloadPacket[] = [];
  let seq = firstSeq;
  aus.forEach((au, i) => {
    const payloads = packetizeH264(au, { maxPayload });
    payloads.forEach((payload, j) => {
      out.push({ payload, sequenceNumber: seq++ & 0xffff, timestamp: (firstTs + i * 3600) >>> 0, marker: j === payloads.length - 1 });
    });
  });
  return out;
}

function depacketizeAll(packets: RtpPayloadPacket[]): { aus: AccessUnit[]; d: H264Depacketizer } {
  const d = new H264Depacketizer();
  const aus = packets.flatMap((p) => d.push(p));
  const last = d.flush();
  if (last) aus.push(last);
  return { aus, d };
}

describe('H.264 SPS against ffprobe', () => {
  // 640x360 and 1920x1080 are coded as 368 and 1088 lines and cropped; 720x576 interlaced is
  // coded in field macroblock pairs (frame_mbs_only_flag 0).
  const names = ['h264-720p.h264', 'h264-bframes.h264', 'h264-1080p-main.h264', 'h264-interlaced.h264', 'h264-baseline.h264'] as const;
  for (const name of names) {
    it(`parses ${name} like ffprobe does`, async () => {
      const f = await mediaFixture(name);
      const [probe] = (await ffprobeJson(f.path, ['-show_streams'])).streams;
      const spsNal = splitAnnexB(f.bytes).find((n) => h264NalType(n) === H264Nal.SPS)!;
      const sps = parseH264Sps(spsNal);
      expect([sps.width, sps.height]).toEqual([probe.width, probe.height]);
      const constrained = sps.profileIdc === 66 && (sps.constraintFlags & 0x40) !== 0;
      expect(`${constrained ? 'Constrained ' : ''}${PROFILE_NAMES[sps.profileIdc]}`).toBe(probe.profile);
      expect(sps.levelIdc).toBe(probe.level);
      expect(`${sps.frameRate}/1`).toBe(probe.r_frame_rate);
      expect(sps.frameMbsOnly).toBe(name !== 'h264-interlaced.h264');
      expect(probe.pix_fmt).toBe('yuv420p');
      expect(sps.chromaFormatIdc).toBe(1);
      expect(sps.bitDepthLuma).toBe(Number(probe.bits_per_raw_sample));
      expect(h264CodecString(spsNal)).toMatch(
        new RegExp(`^avc1\\.${sps.profileIdc.toString(16)}[0-9a-f]{2}${probe.level.toString(16).padStart(2, '0')}$`),
      );
    });
  }

  it('reads the reorder depth ffprobe reports as has_b_frames', async () => {
    for (const name of ['h264-720p.h264', 'h264-bframes.h264'] as const) {
      const f = await mediaFixture(name);
      const [probe] = (await ffprobeJson(f.path, ['-show_streams'])).streams;
      const sps = parseH264Sps(splitAnnexB(f.bytes).find((n) => h264NalType(n) === H264Nal.SPS)!);
      expect(sps.maxNumReorderFrames).toBe(probe.has_b_frames);
    }
  });

  it('rejects what is not an SPS with a typed error', () => {
    expect(() => parseH264Sps(Buffer.from([0x68, 0xce, 0x38, 0x80]))).toThrow(H264Error);
    expect(() => parseH264Sps(Buffer.from([0x67, 0x64]))).toThrow(H264Error);
  });
});

describe('sprop-parameter-sets', () => {
  it('decodes the base64 list of an SDP fmtp line', async () => {
    const f = await mediaFixture('h264-720p.h264');
    const nalus = splitAnnexB(f.bytes);
    const sps = nalus.find((n) => h264NalType(n) === H264Nal.SPS)!;
    const pps = nalus.find((n) => h264NalType(n) === H264Nal.PPS)!;
    const ps = parseSpropParameterSets(`${sps.toString('base64')},${pps.toString('base64')}`);
    expect(ps.sps?.equals(sps)).toBe(true);
    expect(ps.pps?.equals(pps)).toBe(true);
    expect(() => parseSpropParameterSets('Z0IAH5W@,aM4')).toThrow(H264Error);
  });
});

describe('H.264 packetizer ↔ depacketizer', () => {
  it('round-trips every NAL unit of a real stream through STAP-A and FU-A, across seq/ts wrap', async () => {
    const f = await mediaFixture('h264-720p.h264');
    const aus = groupAccessUnits(splitAnnexB(f.bytes), 'h264');
    expect(aus.length).toBe(50);
    const packets = toRtp(aus, 1200);
    const kinds = new Set(packets.map((p) => p.payload[0]! & 0x1f));
    expect(kinds.has(H264Nal.STAP_A)).toBe(true);
    expect(kinds.has(H264Nal.FU_A)).toBe(true);
    expect(packets.every((p) => p.payload.length <= 1200)).toBe(true);

    const { aus: got, d } = depacketizeAll(packets);
    expect(got.length).toBe(aus.length);
    got.forEach((au, i) => {
      expect(au.nalus.length).toBe(aus[i]!.length);
      au.nalus.forEach((n, j) => expect(n.equals(aus[i]![j]!)).toBe(true));
      expect(au.keyframe).toBe(i % 25 === 0);
      expect(au.damaged).toBe(false);
      expect(au.pts90k).toBe(0xffff0000 + i * 3600); // keeps rising past 2^32
    });
    expect(d.stats.lostPackets).toBe(0);
  });

  it('drops the whole NAL unit when one FU-A fragment is lost and marks the access unit damaged', async () => {
    const f = await mediaFixture('h264-720p.h264');
    const aus = groupAccessUnits(splitAnnexB(f.bytes), 'h264').slice(0, 3);
    const packets = toRtp(aus, 1200);
    // A middle fragment of the IDR picture's slice.
    const idrFrags = packets.filter((p) => (p.payload[0]! & 0x1f) === H264Nal.FU_A && p.timestamp === packets[0]!.timestamp);
    const lost = idrFrags[Math.floor(idrFrags.length / 2)]!;
    const { aus: got, d } = depacketizeAll(packets.filter((p) => p !== lost));
    expect(d.stats.lostPackets).toBe(1);
    expect(got[0]!.damaged).toBe(true);
    expect(got[0]!.nalus.some((n) => h264NalType(n) === H264Nal.IDR)).toBe(false);
    expect(got[0]!.nalus.length).toBe(aus[0]!.length - 1);
    expect(got[1]!.damaged).toBe(false);
    got[1]!.nalus.forEach((n, j) => expect(n.equals(aus[1]![j]!)).toBe(true));
  });

  it('counts STAP-B, MTAP and FU-B instead of misreading them', () => {
    const d = new H264Depacketizer();
    let seq = 0;
    for (const type of [25, 26, 27, 29]) d.push({ payload: Buffer.from([type, 0, 1, 2, 3]), timestamp: 1, marker: false, sequenceNumber: seq++ });
    d.push({ payload: Buffer.from([0x65, 0x88, 0x84]), timestamp: 1, marker: true, sequenceNumber: seq++ });
    expect(d.stats.unsupportedPackets).toBe(4);
    expect(d.stats.damagedAccessUnits).toBe(1);
  });

  it('ignores duplicate and late packets', () => {
    const d = new H264Depacketizer();
    const p = { payload: Buffer.from([0x41, 0x9a]), timestamp: 9, marker: false, sequenceNumber: 10 };
    d.push(p);
    d.push(p);
    expect(d.stats.latePackets).toBe(1);
  });
});

describe('H.264 from a real RTP sender (ffmpeg -f rtp over UDP)', () => {
  for (const bf of [0, 2]) {
    it(`yields the NAL units ffmpeg encoded (bf=${bf})`, async () => {
      const cap = await captureRtp(
        ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25:duration=1'],
        ['-c:v', 'libx264', '-preset', 'veryfast', '-g', '25', '-bf', String(bf)],
        'h264',
      );
      const rtp = cap.packets.map(parseRtpPacket);
      expect(rtp.some((p) => (p.payload[0]! & 0x1f) === H264Nal.FU_A)).toBe(true);
      const { aus, d } = depacketizeAll(rtp);
      expect(d.stats.lostPackets).toBe(0);
      const want = groupAccessUnits(splitAnnexB(cap.elementary), 'h264');
      expect(aus.length).toBe(want.length);
      // ffmpeg's RTP sender passes every NAL unit through; compare whole access units byte for byte.
      aus.forEach((au, i) => expect(joinAnnexB(au.nalus).equals(joinAnnexB(want[i]!))).toBe(true));
      expect(aus.filter((a) => a.keyframe).length).toBe(1);
      const steps = aus.slice(1).map((a, i) => a.pts90k - aus[i]!.pts90k);
      if (bf === 0) expect(steps.every((s) => s === 3600)).toBe(true);
      else expect(steps.some((s) => s < 0)).toBe(true); // presentation order differs from decode order
    });
  }
});

describe('H.264 depacketizer reading packets in place', () => {
  it('gives the same access units from packets parsed in place into one reused object', () => {
    const aus = [[Buffer.from([0x67, 1, 2, 3]), Buffer.from([0x68, 4]), Buffer.alloc(5000, 0x65)], [Buffer.alloc(3000, 0x41)], [Buffer.alloc(700, 0x41), Buffer.alloc(20, 0x41)]];
    const packets = toRtp(aus, 1200);
    const plain = depacketizeAll(packets).aus.map((u) => u.nalus.map((n) => Buffer.from(n)));
    // Every packet serialised into one shared read buffer at an odd offset, parsed into one object.
    const d = new H264Depacketizer();
    const reused = new InPlaceRtpPacket();
    const read = Buffer.alloc(2000);
    const inPlace: Buffer[][] = [];
    for (const p of packets) {
      read.fill(0xee);
      const bytes = serializeRtpPacket({ marker: p.marker, payloadType: 96, sequenceNumber: p.sequenceNumber, timestamp: p.timestamp, ssrc: 7, csrc: [], paddingLength: 0, payload: p.payload });
      bytes.copy(read, 13);
      const packet = readRtpPacket(read, 13, 13 + bytes.length, reused);
      expect(packet).toBe(reused);
      for (const u of d.push(packet)) inPlace.push(u.nalus.map((n) => Buffer.from(n)));
    }
    expect(inPlace).toEqual(plain);
    expect(inPlace.flat()).toEqual(aus.flat());
  });
});
