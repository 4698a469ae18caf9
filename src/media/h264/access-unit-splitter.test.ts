import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../../../test/corpus/rtsp-fuzz/mutate.js';
import { splitAnnexB } from './annexb.js';
import { AccessUnitSplitter } from './access-unit-splitter.js';

const run = promisify(execFile);
let stream: Buffer;

beforeAll(async () => {
  // The same encoder settings as the simulator, for 40 frames: 40 delimiters.
  const { stdout } = await run('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-frames:v', '40',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-bf', '0', '-x264-params', 'aud=1', '-f', 'h264', '-'],
  { encoding: 'buffer', maxBuffer: 16 << 20 });
  stream = stdout;
});

function slices(nalus: Buffer[]): number {
  return nalus.filter((n) => (n[0]! & 0x1f) === 1 || (n[0]! & 0x1f) === 5).length;
}

describe('AccessUnitSplitter', () => {
  it('cuts a stream fed in random chunks into the same access units as fed whole', () => {
    const all = splitAnnexB(stream);
    const rand = prng(7);
    for (let trial = 0; trial < 20; trial++) {
      const s = new AccessUnitSplitter();
      const units: Buffer[][] = [];
      for (let o = 0; o < stream.length;) {
        const n = 1 + Math.floor(rand() * (trial < 10 ? 7 : 5000));
        units.push(...s.push(stream.subarray(o, o + n)));
        o += n;
      }
      // The last access unit waits for a delimiter that never comes.
      expect(units).toHaveLength(39);
      expect(units.every((u) => u.every((n) => (n[0]! & 0x1f) !== 9))).toBe(true);
      expect(units.every((u) => slices(u) >= 1)).toBe(true);
      expect(units.filter((u) => u.some((n) => (n[0]! & 0x1f) === 5))).toHaveLength(4);
      const flat = units.flat();
      const expected = all.filter((n) => (n[0]! & 0x1f) !== 9).slice(0, flat.length);
      expect(flat.map((n) => n.toString('hex'))).toEqual(expected.map((n) => n.toString('hex')));
    }
  });

  it('drops data that grows past the cap without a delimiter, and recovers', () => {
    const s = new AccessUnitSplitter({ maxAccessUnitBytes: 1000 });
    // Bytes before any delimiter are not kept at all; after one, they are an access unit growing.
    expect(s.push(Buffer.alloc(5000, 0x55))).toEqual([]);
    expect(s.dropped).toBe(0);
    expect(s.push(Buffer.concat([Buffer.from([0, 0, 0, 1, 9, 0xf0]), Buffer.alloc(5000, 0x55)]))).toEqual([]);
    expect(s.dropped).toBe(1);
    const units = s.push(stream);
    expect(units.length).toBeGreaterThan(0);
  });

  it('never throws on random bytes and keeps its buffer bounded', () => {
    const rand = prng(99);
    const s = new AccessUnitSplitter({ maxAccessUnitBytes: 64 << 10 });
    for (let i = 0; i < 2000; i++) {
      const b = Buffer.alloc(1 + Math.floor(rand() * 2000));
      for (let j = 0; j < b.length; j++) b[j] = rand() < 0.3 ? 0 : rand() < 0.1 ? 1 : Math.floor(rand() * 256);
      s.push(b);
    }
    expect(s.dropped).toBeGreaterThanOrEqual(0);
  });
});
