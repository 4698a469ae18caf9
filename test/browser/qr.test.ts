// The console's QR encoder (second-factor enrolment) read back by libzbar, a decoder we did not
// write: every version 1–10, every mask, ASCII and UTF-8, and a real otpauth:// URI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { base32Encode, otpauthUri } from '../../src/access/totp.js';
import { encodeQr, formatBits, MAX_VERSION, QrTooLongError, rsRemainder, type QrMatrix } from '../../web/src/session/qr.js';

const dir = mkdtempSync(join(tmpdir(), 'vigil-qr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Renders at `scale` pixels a module with a 4-module quiet zone, as 8-bit grey. */
function raster(m: QrMatrix, scale = 4): { w: number; h: number; pixels: Buffer } {
  const side = (m.size + 8) * scale;
  const pixels = Buffer.alloc(side * side, 255);
  for (let r = 0; r < m.size; r++) {
    for (let c = 0; c < m.size; c++) {
      if (!m.modules[r]![c]) continue;
      for (let y = 0; y < scale; y++) pixels.fill(0, ((r + 4) * scale + y) * side + (c + 4) * scale, ((r + 4) * scale + y) * side + (c + 5) * scale);
    }
  }
  return { w: side, h: side, pixels };
}

function zbar(matrices: QrMatrix[]): (string | null)[] {
  const jobs = matrices.map((m, i) => {
    const { w, h, pixels } = raster(m);
    const file = join(dir, `${i}.y800`);
    writeFileSync(file, pixels);
    return { w, h, file };
  });
  const r = spawnSync('/usr/bin/python3', [join(__dirname, '..', 'support', 'zbar-decode.py')], { input: JSON.stringify(jobs), encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`zbar-decode.py failed (libzbar0 is needed): ${r.stderr}`);
  return JSON.parse(r.stdout) as (string | null)[];
}

/** A reproducible PRNG (mulberry32). */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('QR encoder', () => {
  it('format bits match the table of ISO/IEC 18004 Annex C for level M', () => {
    // Level M, masks 0..7: 101010000010010, 101000100100101, 101111001111100, 101101101001011,
    // 100010111111001, 100000011001110, 100111110010111, 100101010100000.
    expect([0, 1, 2, 3, 4, 5, 6, 7].map(formatBits)).toEqual([0x5412, 0x5125, 0x5e7c, 0x5b4b, 0x45f9, 0x40ce, 0x4f97, 0x4aa0]);
  });

  it('Reed–Solomon: a codeword block divides the generator (remainder of data+ec is zero)', () => {
    const data = [0x40, 0x56, 0x86, 0x56, 0xc6, 0xc6, 0xf2, 0xc2, 0x07, 0x76, 0xf7, 0x26, 0xc6, 0x42, 0x12, 0x03];
    const ec = rsRemainder(data, 10);
    expect(rsRemainder([...data, ...ec], 10)).toEqual(new Array(10).fill(0));
  });

  it('libzbar reads back every version and every mask', () => {
    const rand = prng(20261101);
    const cases: { text: string; m: QrMatrix }[] = [];
    const capacity = [0, 14, 26, 42, 62, 84, 106, 122, 152, 180, 213];
    for (let v = 1; v <= MAX_VERSION; v++) {
      const len = capacity[v]!;
      const text = Array.from({ length: len }, () => String.fromCharCode(0x21 + Math.floor(rand() * 94))).join('');
      const m = encodeQr(text, { mask: (v - 1) % 8 });
      expect(m.version).toBe(v);
      cases.push({ text, m });
    }
    for (let mask = 0; mask < 8; mask++) cases.push({ text: `mask ${mask} 值守`, m: encodeQr(`mask ${mask} 值守`, { mask }) });
    expect(zbar(cases.map((c) => c.m))).toEqual(cases.map((c) => c.text));
  });

  it('encodes a real enrolment URI with the best-penalty mask, and refuses what does not fit', () => {
    const uri = otpauthUri('Vigil', 'duty.operator@shushan', Buffer.from('0123456789abcdefghij'));
    expect(uri).toContain(base32Encode(Buffer.from('0123456789abcdefghij')));
    const m = encodeQr(uri);
    expect(zbar([m])).toEqual([uri]);
    expect(() => encodeQr('x'.repeat(214))).toThrow(QrTooLongError);
  });
});
