import { describe, expect, it } from 'vitest';
import { BitReader, removeEmulationPrevention } from './bit-reader.js';
import { BitstreamError } from './errors.js';

describe('BitReader', () => {
  it('reads u(n), ue(v) and se(v) as in H.264 Table 9-2 and 9-3', () => {
    // ue: 1 → 0, 010 → 1, 011 → 2, 00100 → 3; se: 010 → +1, 011 → −1; then u(32) of all ones.
    const r = new BitReader(Buffer.from([0b10100110, 0b01000100, 0b11111111, 0xff, 0xff, 0xff, 0b11111000]));
    expect([r.ue(), r.ue(), r.ue(), r.ue(), r.se(), r.se()]).toEqual([0, 1, 2, 3, 1, -1]);
    expect(r.u(32)).toBe(0xffffffff);
    expect(r.u(3)).toBe(7);
    expect(r.bitsLeft).toBe(3);
  });

  it('throws BitstreamError past the end and on over-long Exp-Golomb codes', () => {
    expect(() => new BitReader(Buffer.from([0xff])).u(9)).toThrow(BitstreamError);
    expect(() => new BitReader(Buffer.alloc(8)).ue()).toThrow(BitstreamError);
    expect(() => new BitReader(Buffer.from([0x01])).ue()).toThrow(BitstreamError);
  });
});

describe('removeEmulationPrevention', () => {
  it('drops each 0x03 that follows two zero bytes, and only those', () => {
    const nal = Buffer.from([0x67, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 3, 0, 3]);
    expect([...removeEmulationPrevention(nal)]).toEqual([0x67, 0, 0, 1, 0, 0, 0, 0, 3, 0, 3]);
  });

  it('returns the same buffer when there is nothing to remove', () => {
    const nal = Buffer.from([0x67, 0x64, 0, 0x1f, 0xac]);
    expect(removeEmulationPrevention(nal)).toBe(nal);
  });
});
