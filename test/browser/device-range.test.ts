// Where the playback page offers a device's own recording: its RecordInfo records (a record a file)
// joined into runs, so a moment between two files, or in a short file's last second, still plays.
import { describe, expect, it } from 'vitest';
import { deviceRangeAt } from '../../web/src/pages/playback/device-range.js';

const files = (from: number, n: number, len: number, space = 0) => Array.from({ length: n }, (_, i) => ({ startMs: from + i * (len + space), endMs: from + i * (len + space) + len }));

describe('device recording range at a moment', () => {
  it('joins files one after another into one recording, played from the moment to its end', () => {
    const records = files(10_000, 15, 2_000, 40); // 2 s files with 40 ms between them
    const end = records.at(-1)!.endMs;
    expect(deviceRangeAt(records, 11_500)).toEqual({ from: 11_500, to: end }); // a file's last half second
    expect(deviceRangeAt(records, 12_010)).toEqual({ from: 12_010, to: end }); // between two files
    expect(deviceRangeAt(records.slice().reverse(), 20_000)).toEqual({ from: 20_000, to: end }); // in any order
  });

  it('keeps recordings apart where the device has a real gap, and offers nothing in it or at the very end', () => {
    const records = [...files(0, 3, 2_000), ...files(60_000, 3, 2_000)];
    expect(deviceRangeAt(records, 1_000)).toEqual({ from: 1_000, to: 6_000 });
    expect(deviceRangeAt(records, 30_000)).toBeNull();
    expect(deviceRangeAt(records, 5_500)).toBeNull(); // less than a second left
    expect(deviceRangeAt(records, 61_000)).toEqual({ from: 61_000, to: 66_000 });
    expect(deviceRangeAt(records, null)).toBeNull();
    expect(deviceRangeAt(undefined, 1_000)).toBeNull();
  });

  it('asks for an hour at most', () => {
    expect(deviceRangeAt([{ startMs: 0, endMs: 7_200_000 }], 1_000)).toEqual({ from: 1_000, to: 3_601_000 });
  });
});
