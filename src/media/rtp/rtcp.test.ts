import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RtpError } from './errors.js';
import { buildBye, buildReceiverReport, buildSdesCname, buildSenderReport, ntpMiddle, ntpToUnixMs, parseRtcp, unixMsToNtp } from './rtcp.js';

const corpus = (name: string) => readFileSync(new URL(`../../../test/corpus/rtp/${name}`, import.meta.url));

describe('RTCP (RFC 3550 §6)', () => {
  it('parses GStreamer SR + SDES compounds', () => {
    const packets = parseRtcp(corpus('gst-rtcp-1-0.bin'));
    expect(packets.map((p) => p.type)).toEqual(['sr', 'sdes']);
    const sr = packets[0]!;
    if (sr.type !== 'sr') throw new Error('not an SR');
    // GStreamer's NTP clock is the wall clock of the capture day, not 1900 or 2036.
    expect(ntpToUnixMs(sr.ntpSeconds, sr.ntpFraction)).toBeGreaterThan(Date.UTC(2020, 0, 1));
    const sdes = packets[1]!;
    if (sdes.type !== 'sdes') throw new Error('not SDES');
    expect(sdes.chunks[0]!.items.get(1)).toMatch(/@/);
  });

  it('round-trips RR, SDES, SR and BYE', () => {
    const block = { ssrc: 9, fractionLost: 12, packetsLost: -3, highestSequence: 70000, jitter: 40, lastSr: 0x12345678, delaySinceLastSr: 65536 };
    const compound = Buffer.concat([
      buildSenderReport({ ssrc: 5, ntpSeconds: 3_900_000_000, ntpFraction: 1 << 31, rtpTimestamp: 4_294_967_000, packetCount: 10, octetCount: 1000, reports: [block] }),
      buildReceiverReport({ ssrc: 7, reports: [block, { ...block, ssrc: 10, packetsLost: 8_000_000 }] }),
      buildSdesCname(7, 'vigil@host'),
      buildBye([5, 6], 'gone'),
    ]);
    const [sr, rr, sdes, bye] = parseRtcp(compound);
    expect(sr).toMatchObject({ type: 'sr', ssrc: 5, ntpSeconds: 3_900_000_000, rtpTimestamp: 4_294_967_000, packetCount: 10, octetCount: 1000, reports: [block] });
    expect(rr).toMatchObject({ type: 'rr', ssrc: 7, reports: [block, { ssrc: 10, packetsLost: 8_000_000 }] });
    expect(sdes).toMatchObject({ type: 'sdes' });
    if (sdes?.type === 'sdes') expect(sdes.chunks[0]!.items.get(1)).toBe('vigil@host');
    expect(bye).toEqual({ type: 'bye', ssrcs: [5, 6], reason: 'gone' });
  });

  it('keeps unknown packet types and rejects broken lengths with typed errors', () => {
    const app = Buffer.from([0x80, 204, 0, 1, 1, 2, 3, 4]);
    expect(parseRtcp(app)).toEqual([{ type: 'other', packetType: 204, count: 0, body: Buffer.from([1, 2, 3, 4]) }]);
    expect(() => parseRtcp(Buffer.from([0x80, 200, 0, 10, 0, 0, 0, 0]))).toThrow(RtpError);
    expect(() => parseRtcp(Buffer.from([0x81, 201, 0, 1, 0, 0, 0, 0]))).toThrow(RtpError); // RR count 1, no block
    expect(() => parseRtcp(Buffer.from([0x00, 201, 0, 1, 0, 0, 0, 0]))).toThrow(RtpError);
    expect(() => parseRtcp(Buffer.from([0x81, 202, 0, 1, 0, 0, 0, 1]))).toThrow(RtpError); // SDES unterminated
  });

  it('converts NTP and Unix time both ways', () => {
    const ms = Date.UTC(2024, 5, 1, 12, 0, 0, 250);
    const ntp = unixMsToNtp(ms);
    expect(ntpToUnixMs(ntp.seconds, ntp.fraction)).toBeCloseTo(ms, 3);
    expect(ntpMiddle(0x0001_0002, 0x0003_0004)).toBe(0x0002_0003);
  });
});
