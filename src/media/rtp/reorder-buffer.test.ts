import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from './reorder-buffer.js';
import type { RtpPacket } from './rtp-packet.js';

const pkt = (seq: number, ssrc = 1): RtpPacket => ({
  marker: false, payloadType: 96, sequenceNumber: seq & 0xffff, timestamp: seq * 3000, ssrc, csrc: [], paddingLength: 0, payload: Buffer.alloc(0),
});
const seqs = (ps: RtpPacket[]) => ps.map((p) => p.sequenceNumber);

describe('ReorderBuffer', () => {
  it('puts swapped packets back in order across the 65535 → 0 wrap', () => {
    const b = new ReorderBuffer({ capacity: 8 });
    const out: number[] = [];
    for (const s of [65533, 65535, 65534, 1, 0, 2]) out.push(...seqs(b.push(pkt(s), 0)));
    expect(out).toEqual([65533, 65534, 65535, 0, 1, 2]);
    expect(b.stats).toMatchObject({ lost: 0, late: 0, duplicate: 0, emitted: 6 });
  });

  it('counts a gap as lost once the wait runs out, and a straggler after it as late', () => {
    const b = new ReorderBuffer({ capacity: 64, maxDelayMs: 50 });
    expect(seqs(b.push(pkt(65534), 0))).toEqual([65534]);
    expect(seqs(b.push(pkt(1), 10))).toEqual([]); // 65535 and 0 missing
    expect(seqs(b.poll(40))).toEqual([]);
    expect(seqs(b.poll(60))).toEqual([1]);
    expect(b.stats.lost).toBe(2);
    expect(seqs(b.push(pkt(0), 70))).toEqual([]);
    expect(b.stats.late).toBe(1);
  });

  it('counts duplicates, held or already emitted', () => {
    const b = new ReorderBuffer();
    b.push(pkt(10), 0);
    b.push(pkt(12), 0);
    b.push(pkt(12), 0); // held
    b.push(pkt(10), 0); // emitted
    expect(b.stats.duplicate).toBe(2);
    expect(seqs(b.push(pkt(11), 0))).toEqual([11, 12]);
  });

  it('gives up on the oldest gaps when a packet lands past the window', () => {
    const b = new ReorderBuffer({ capacity: 4, maxDelayMs: 1e9 });
    b.push(pkt(100), 0);
    b.push(pkt(102), 0);
    expect(seqs(b.push(pkt(106), 0))).toEqual([102]);
    expect(b.stats.lost).toBe(1); // 101 skipped; 103–105 still awaited
    expect(b.size).toBe(1);
    expect(seqs(b.flush())).toEqual([106]);
    expect(b.stats.lost).toBe(4);
  });

  it('treats a far jump or a new SSRC as a restart, not as thousands lost', () => {
    const b = new ReorderBuffer();
    b.push(pkt(5), 0);
    expect(seqs(b.push(pkt(40000), 0))).toEqual([40000]);
    expect(seqs(b.push(pkt(7, 2), 0))).toEqual([7]);
    expect(b.stats).toMatchObject({ lost: 0, resyncs: 2 });
  });

  it('stays bounded under a flood of random sequence numbers', () => {
    const b = new ReorderBuffer({ capacity: 64 });
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      b.push(pkt(x & 0xffff), i);
      expect(b.size).toBeLessThanOrEqual(64);
    }
  });
});
