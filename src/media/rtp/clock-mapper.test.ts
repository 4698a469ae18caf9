import { describe, expect, it } from 'vitest';
import { RtpClockMapper } from './clock-mapper.js';
import { unixMsToNtp } from './rtcp.js';

const sr = (m: RtpClockMapper, ms: number, rtp: number) => {
  const n = unixMsToNtp(ms);
  return m.onSenderReport(n.seconds, n.fraction, rtp >>> 0);
};

describe('RtpClockMapper', () => {
  const T = Date.UTC(2024, 0, 1);

  it('falls back to arrival time before any SR, then follows the SR', () => {
    const m = new RtpClockMapper({ clockRate: 90000 });
    expect(m.toWallClock(1000, T + 5)).toBe(T + 5);
    expect(m.toWallClock(1000 + 9000, T + 105)).toBe(T + 105);
    expect(m.source).toBe('arrival');
    sr(m, T - 2000, 1000);
    expect(m.source).toBe('sender-report');
    expect(m.toWallClock(1000 + 90000, T + 999)).toBe(T - 1000);
  });

  it('anchors on arrival when the RTP clock steps between two packets, until the next SR', () => {
    const m = new RtpClockMapper({ clockRate: 90000 });
    sr(m, T, 1_000_000);
    expect(m.toWallClock(1_000_000 + 3600, T + 40)).toBe(T + 40);
    // A shared stream restarted by another client: timestamps 12 s back, the packet 40 ms later.
    expect(m.toWallClock(1_000_000 + 3600 - 12 * 90000, T + 80)).toBe(T + 80);
    expect(m.jumps).toBe(1);
    expect(m.source).toBe('arrival');
    expect(m.toWallClock(1_000_000 + 7200 - 12 * 90000, T + 120)).toBe(T + 120);
    // The next SR describes the new timeline; from there on, the SR is followed again.
    sr(m, T + 120, 1_000_000 + 7200 - 12 * 90000);
    expect(m.source).toBe('sender-report');
    // A receiver that stalled for 3 s is no step: the timestamps ran on by one frame.
    expect(m.toWallClock(1_000_000 + 10800 - 12 * 90000, T + 3120)).toBe(T + 160);
    expect(m.jumps).toBe(1);
    // Packets lost for 3 s: timestamps and arrival moved together.
    expect(m.toWallClock(1_000_000 + 10800 + 3 * 90000 - 12 * 90000, T + 6120)).toBe(T + 3160);
    expect(m.jumps).toBe(1);
  });

  it('maps across the 32-bit timestamp wrap', () => {
    const m = new RtpClockMapper({ clockRate: 90000 });
    sr(m, T, 0xffff_ff00);
    // 0x100 ticks before the wrap, then 90000 more: one second after the SR plus 256/90 ms.
    expect(m.toWallClock(90000, T)).toBeCloseTo(T + 1000 + (0x100 * 1000) / 90000, 3);
    expect(m.toWallClock(0xffff_fe00, T)).toBeCloseTo(T - (0x100 * 1000) / 90000, 3);
  });

  it('keeps mapping over hours of wrapping timestamps', () => {
    const m = new RtpClockMapper({ clockRate: 90000 });
    sr(m, T, 123);
    let ts = 123;
    for (let s = 60; s <= 4 * 3600; s += 60) {
      ts = (ts + 90000 * 60) >>> 0;
      expect(m.toWallClock(ts, T + s * 1000)).toBeCloseTo(T + s * 1000, 3);
    }
  });

  it('detects a sender clock jump from SRs and a timestamp jump without SRs', () => {
    const m = new RtpClockMapper({ clockRate: 8000 });
    expect(sr(m, T, 0)).toBe(false);
    expect(sr(m, T + 1000, 8000)).toBe(false);
    expect(sr(m, T + 60_000, 16000)).toBe(true);
    expect(m.jumps).toBe(1);
    const a = new RtpClockMapper({ clockRate: 8000 });
    a.toWallClock(0, T);
    a.toWallClock(8000, T + 1000);
    expect(a.toWallClock(8000 * 3600, T + 1040)).toBe(T + 1040);
    expect(a.jumps).toBe(1);
  });
});
