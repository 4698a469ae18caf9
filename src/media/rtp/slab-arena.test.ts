import { describe, expect, it } from 'vitest';
import { SlabArena, SlabPool } from './slab-arena.js';

function unit(arena: SlabArena, ...parts: Buffer[]): Buffer {
  arena.open();
  for (const p of parts) arena.append(p);
  return arena.close();
}

describe('SlabArena', () => {
  it('packs units into one slab and keeps their bytes until released', () => {
    const pool = new SlabPool(64);
    const arena = new SlabArena(pool);
    const a = unit(arena, Buffer.from('hello '), Buffer.from('world'));
    const b = unit(arena, Buffer.from('again'));
    expect(a.toString()).toBe('hello world');
    expect(b.toString()).toBe('again');
    expect(a.buffer).toBe(b.buffer);
    expect(pool.stats.allocated).toBe(1);
  });

  it('moves a unit that outgrows its slab, whole, to a fresh slab', () => {
    const pool = new SlabPool(16);
    const arena = new SlabArena(pool);
    const first = unit(arena, Buffer.from('0123456789'));
    const second = unit(arena, Buffer.from('abcd'), Buffer.from('efgh'));
    expect(first.toString()).toBe('0123456789');
    expect(second.toString()).toBe('abcdefgh');
    expect(second.buffer).not.toBe(first.buffer);
  });

  it('gives a unit larger than a slab a buffer of its own', () => {
    const pool = new SlabPool(16);
    const arena = new SlabArena(pool);
    const parts = Array.from({ length: 10 }, (_, i) => Buffer.alloc(7, 65 + i));
    const big = unit(arena, ...parts);
    expect(big).toEqual(Buffer.concat(parts));
    expect(unit(arena, Buffer.from('after')).toString()).toBe('after');
  });

  it('reuses a slab only after every claim on it is released', () => {
    const pool = new SlabPool(8);
    const arena = new SlabArena(pool);
    const a = unit(arena, Buffer.from('AAAAAA'));
    const releaseA = arena.claim()!;
    const b = unit(arena, Buffer.from('BBBBBB')); // next slab: the first is retired, still claimed
    const releaseB = arena.claim()!;
    const c = unit(arena, Buffer.from('CCCCCC'));
    expect(pool.stats.reused).toBe(0);
    expect(a.toString()).toBe('AAAAAA');
    releaseA();
    releaseA(); // a second call changes nothing
    const d = unit(arena, Buffer.from('DDDDDD')); // may take A's slab now
    expect(pool.stats.reused).toBe(1);
    expect(d.buffer).toBe(a.buffer);
    expect([b.toString(), c.toString(), d.toString()]).toEqual(['BBBBBB', 'CCCCCC', 'DDDDDD']);
    releaseB();
  });

  it('a further claim (retain) keeps a slab its first claim has let go, until it is let go too', () => {
    for (const units of [1, 2]) {
      const pool = new SlabPool(8);
      const arena = new SlabArena(pool);
      // One unit in one slab, or an access unit whose two units lie in two slabs.
      const held = Array.from({ length: units }, (_, i) => unit(arena, Buffer.from(`${i}AAAAA`)));
      const claim = arena.claimShared()!;
      const letGo = claim.retain();
      const letGoToo = claim.retain();
      claim.release(); // the recorder wrote it
      letGoToo();
      letGoToo(); // a second call lets go nothing more
      for (let i = 0; i < 6; i++) {
        unit(arena, Buffer.from('BBBBBB')); // each fills a slab: the arena moves on again and again
        arena.claim()!();
      }
      expect(held.map(String)).toEqual(Array.from({ length: units }, (_, i) => `${i}AAAAA`));
      const reusedBefore = pool.stats.reused;
      letGo();
      // Now the held slabs go back and are written again.
      for (let i = 0; i < 6; i++) {
        unit(arena, Buffer.from('CCCCCC'));
        arena.claim()!();
      }
      expect(pool.stats.reused).toBeGreaterThan(reusedBefore);
      expect(held.some((h) => h.toString() !== `${held.indexOf(h)}AAAAA`)).toBe(true);
    }
  });

  it('an aborted unit gives its bytes back to the slab', () => {
    const pool = new SlabPool(16);
    const arena = new SlabArena(pool);
    arena.open();
    arena.append(Buffer.from('discarded'));
    arena.abort();
    expect(arena.claim()).toBeUndefined();
    const kept = unit(arena, Buffer.from('kept'));
    expect(kept.byteOffset).toBe(0); // where the discarded bytes were
    expect(pool.stats.allocated).toBe(1);
  });

  it('leaves unreleased slabs to the garbage collector and bounds the free list', () => {
    const pool = new SlabPool(32, 2);
    const arena = new SlabArena(pool);
    const releases: (() => void)[] = [];
    for (let i = 0; i < 20; i++) {
      unit(arena, Buffer.alloc(20, i));
      releases.push(arena.claim()!);
    }
    for (const r of releases) r();
    expect(pool.stats.free).toBeLessThanOrEqual(2);
  });

  it('keeps the slabs a burst needs, and lets go of those a whole period left unused', () => {
    let t = 0;
    const pool = new SlabPool(32, 1000, 10_000, () => t);
    const burst = (n: number) => {
      const taken = Array.from({ length: n }, () => pool.take());
      for (const s of taken) pool.give(s);
    };
    burst(100);
    expect(pool.stats).toMatchObject({ allocated: 100, free: 100 });
    // The same burst again and again: served from the free list, nothing allocated.
    for (let i = 0; i < 5; i++) {
      t += 3000;
      burst(100);
    }
    expect(pool.stats).toMatchObject({ allocated: 100, reused: 500, trimmed: 0 });
    // Fewer cameras: bursts of 30 for a while; the 70 never taken go at the next trim.
    for (let i = 0; i < 8; i++) {
      t += 3000;
      burst(30);
    }
    expect(pool.stats.trimmed).toBe(70);
    expect(pool.stats.free).toBe(30);
    expect(pool.stats.allocated).toBe(100);
  });
});

describe('SlabArena with length prefixes', () => {
  const prefixOf = (u: Buffer) => Buffer.from(u.buffer, u.byteOffset - 4, 4).readUInt32BE(0);

  it('writes each unit\'s length in the 4 bytes before it, so adjacent units read as MP4 samples', () => {
    const arena = new SlabArena(new SlabPool(64), { lengthPrefix: true });
    const a = unit(arena, Buffer.from('abc'), Buffer.from('de'));
    const b = unit(arena, Buffer.from('fghij'));
    expect([a.toString(), b.toString()]).toEqual(['abcde', 'fghij']);
    expect([prefixOf(a), prefixOf(b)]).toEqual([5, 5]);
    expect(b.byteOffset).toBe(a.byteOffset + a.length + 4);
    const run = Buffer.from(a.buffer, a.byteOffset - 4, 18);
    expect(run).toEqual(Buffer.from('\0\0\0\x05abcde\0\0\0\x05fghij', 'latin1'));
  });

  it('keeps the prefix with a unit moved to a fresh slab or to a buffer of its own', () => {
    const arena = new SlabArena(new SlabPool(16), { lengthPrefix: true });
    unit(arena, Buffer.from('012345'));
    arena.open();
    arena.append(Buffer.from('abc'));
    arena.appendByte(0x64);
    arena.appendRange(Buffer.from('xxefghxx'), 2, 6); // 8 bytes: moves to a fresh slab
    expect(arena.openBytes).toBe(8);
    const moved = arena.close();
    expect(moved.toString()).toBe('abcdefgh');
    expect(prefixOf(moved)).toBe(8);
    const parts = Array.from({ length: 5 }, (_, i) => Buffer.alloc(7, 65 + i));
    const big = unit(arena, ...parts);
    expect(big).toEqual(Buffer.concat(parts));
    expect(prefixOf(big)).toBe(35);
  });
});
