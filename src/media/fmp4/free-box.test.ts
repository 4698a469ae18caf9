import { describe, expect, it } from 'vitest';
import { isFreePadding, writeFreeBox } from './free-box.js';

describe('free box', () => {
  it('writes a box of the size asked, which reads back as padding', () => {
    const b = Buffer.alloc(4096, 0xee);
    writeFreeBox(b, 100, 3000);
    expect(b.readUInt32BE(100)).toBe(3000);
    expect(b.toString('latin1', 104, 108)).toBe('free');
    expect(b.subarray(108, 3100).every((x) => x === 0)).toBe(true);
    expect(b[3100]).toBe(0xee);
    expect(isFreePadding(b.subarray(100, 3100))).toBe(true);
    expect(() => writeFreeBox(b, 0, 7)).toThrow(RangeError);
  });

  it('tells padding from anything else', () => {
    const two = Buffer.alloc(24);
    writeFreeBox(two, 0, 8);
    writeFreeBox(two, 8, 16);
    expect(isFreePadding(two)).toBe(true);
    expect(isFreePadding(Buffer.alloc(0))).toBe(true);
    expect(isFreePadding(two.subarray(0, 20))).toBe(false); // a box cut short
    expect(isFreePadding(Buffer.concat([two, Buffer.alloc(3)]))).toBe(false); // stray bytes
    const other = Buffer.from(two);
    other.write('skip', 12, 'latin1');
    expect(isFreePadding(other)).toBe(false);
    const zero = Buffer.alloc(16); // size 0 would mean "to the end of the file"
    expect(isFreePadding(zero)).toBe(false);
  });
});
