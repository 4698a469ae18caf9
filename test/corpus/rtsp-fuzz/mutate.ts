// Reproducible input mutation for the media wire parsers' fuzz tests: a seeded PRNG, a corpus of
// real inputs, and byte-level edits that tend to find length and bounds mistakes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function loadCorpus(dir: string, ext?: string): Buffer[] {
  return readdirSync(dir)
    .filter((f) => !ext || f.endsWith(ext))
    .sort()
    .map((f) => readFileSync(join(dir, f)));
}

const INTERESTING = [0x00, 0xff, 0x7f, 0x80, 0x0a, 0x0d, 0x3a, 0x3b, 0x24, 0x20, 0x3d];
const TOKENS = ['\r\n', '\r\n\r\n', '999999999999999999', '-1', ':', ';', '=', ',', '$', '0', '\n', 'Content-Length: 99999999\r\n'];

/** Returns a mutated copy of one corpus entry (1–4 stacked edits). */
export function mutate(corpus: Buffer[], rand: () => number): Buffer {
  const pick = (n: number) => Math.floor(rand() * n);
  let b = Buffer.from(corpus[pick(corpus.length)]!);
  const edits = 1 + pick(4);
  for (let e = 0; e < edits; e++) {
    const at = b.length ? pick(b.length) : 0;
    switch (pick(8)) {
      case 0:
        if (b.length) b[at] = b[at]! ^ (1 << pick(8));
        break;
      case 1:
        if (b.length) b[at] = INTERESTING[pick(INTERESTING.length)]!;
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), Buffer.from(TOKENS[pick(TOKENS.length)]!), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + pick(16)))]);
        break;
      case 4:
        b = b.subarray(0, at);
        break;
      case 5: {
        const len = 1 + pick(32);
        b = Buffer.concat([b.subarray(0, at), b.subarray(at, at + len), b.subarray(at)]);
        break;
      }
      case 6: {
        const other = corpus[pick(corpus.length)]!;
        const from = other.length ? pick(other.length) : 0;
        b = Buffer.concat([b.subarray(0, at), other.subarray(from)]);
        break;
      }
      default: {
        const rnd = Buffer.alloc(1 + pick(8));
        for (let i = 0; i < rnd.length; i++) rnd[i] = pick(256);
        b = Buffer.concat([b.subarray(0, at), rnd, b.subarray(at)]);
      }
    }
  }
  return b;
}

/**
 * Runs `parse` on `iterations` mutations and returns the errors it threw that are not of the
 * expected typed class (should be none) and how much the heap grew.
 */
export function fuzz(
  corpus: Buffer[],
  iterations: number,
  seed: number,
  parse: (input: Buffer) => unknown,
  isTyped: (e: unknown) => boolean,
): { untyped: { input: string; error: unknown }[]; typed: number; heapGrowthBytes: number } {
  const rand = prng(seed);
  const untyped: { input: string; error: unknown }[] = [];
  let typed = 0;
  const heapBefore = process.memoryUsage().heapUsed;
  for (let i = 0; i < iterations; i++) {
    const input = mutate(corpus, rand);
    try {
      parse(input);
    } catch (error) {
      if (isTyped(error)) typed++;
      else if (untyped.length < 5) untyped.push({ input: input.toString('base64'), error });
    }
  }
  return { untyped, typed, heapGrowthBytes: process.memoryUsage().heapUsed - heapBefore };
}
