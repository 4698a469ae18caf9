// The PS muxer against the project's own PS/RTP reader (written earlier against real devices'
// and ffmpeg's streams): H.264 frames muxed, cut into RTP and read back come out whole, with
// their times, keyframes and parameter sets; a frame larger than one PES is split and rejoined.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { muxPsFrame, RtpPsPacketizer } from './ps-muxer.js';
import { RtpPsDepacketizer } from './rtp-ps.js';
import type { PsAccessUnit } from './video-assembler.js';

const SPS = Buffer.from('6742c01e95a0500' + '5b2', 'hex');
const PPS = Buffer.from('68ce3c80', 'hex');
const idr = (n: number) => Buffer.concat([Buffer.from([0x65, 0x88]), randomBytes(n)]).map((b) => (b === 0 ? 1 : b)) as Buffer;
const p = (n: number) => Buffer.concat([Buffer.from([0x41, 0x9a]), randomBytes(n)]).map((b) => (b === 0 ? 1 : b)) as Buffer;

describe('PS muxer', () => {
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
