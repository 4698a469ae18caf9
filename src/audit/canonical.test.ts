import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isVigilError } from '../errors.js';
import { canonicalJson, RowHasher, type HashedFields } from './canonical.js';
import { toAuditContent, type AuditEntryInput } from './entry.js';

const GENESIS = '0'.repeat(64);

const vector: HashedFields = {
  seq: 1,
  at: 1767225600000,
  action: 'view',
  actors: '[{"userId":1,"workId":"W1","name":"张三"}]',
  camera_ids: '[3]',
  range_from: 1767222000000,
  range_to: 1767225000000,
  target: null,
  purpose: '巡查',
  destination: null,
  approval_id: null,
  source_address: '10.0.0.8',
  outcome: 'success',
  reason: null,
  detail: '{}',
};

/** The README's encoding written out the slow, obvious way. */
function slowHash(prev: string, r: HashedFields): string {
  const order = [r.seq, r.at, r.action, r.actors, r.camera_ids, r.range_from, r.range_to, r.target, r.purpose, r.destination, r.approval_id, r.source_address, r.outcome, r.reason, r.detail];
  const parts = [Buffer.from([1]), Buffer.from(prev, 'hex')];
  for (const v of order) {
    const len = Buffer.alloc(4);
    if (v === null) {
      len.writeUInt32BE(0xffffffff);
      parts.push(len);
    } else {
      const b = Buffer.from(String(v), 'utf8');
      len.writeUInt32BE(b.length);
      parts.push(len, b);
    }
  }
  return createHash('sha256').update(Buffer.concat(parts)).digest('hex');
}

describe('row hash', () => {
  it('matches the test vector in README.md (computed independently)', () => {
    expect(new RowHasher().hash(GENESIS, vector)).toBe('c82c4bc086be562c7b7370e8ae48200b443499564712e12b08d582e0935c285c');
  });

  it('agrees with a plain implementation for random rows, including long and non-BMP text, reusing its buffer', () => {
    const hasher = new RowHasher();
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = ['a', 'Z', '0', '"', '\\', '中', '國', '𠀋', '😀', ' ', '\n', 'é'];
    const text = (max: number) => Array.from({ length: Math.floor(rnd() * max) }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    let prev = GENESIS;
    for (let i = 0; i < 300; i++) {
      const r: HashedFields = {
        ...vector,
        seq: i + 1,
        purpose: rnd() < 0.3 ? null : text(i % 50 === 0 ? 20_000 : 40),
        reason: rnd() < 0.5 ? null : text(10),
        detail: JSON.stringify({ t: text(30) }),
        approval_id: rnd() < 0.5 ? null : Math.floor(rnd() * 1e12),
      };
      const h = hasher.hash(prev, r);
      expect(h).toBe(slowHash(prev, r));
      prev = h;
    }
  });

  it('changes when any single field changes, and tells null from empty text', () => {
    const hasher = new RowHasher();
    const base = hasher.hash(GENESIS, vector);
    const variants: Partial<HashedFields>[] = [
      { seq: 2 }, { at: vector.at + 1 }, { action: 'copy' }, { actors: '[]' }, { camera_ids: '[4]' }, { range_from: null },
      { range_to: 1 }, { target: '' }, { purpose: '巡查 ' }, { destination: 'x' }, { approval_id: 1 }, { source_address: null },
      { outcome: 'failed' }, { reason: '' }, { detail: '{"a":1}' },
    ];
    const seen = new Set([base]);
    for (const v of variants) seen.add(hasher.hash(GENESIS, { ...vector, ...v }));
    seen.add(hasher.hash('1'.repeat(64), vector));
    expect(seen.size).toBe(variants.length + 2);
    // Moving bytes between neighbouring fields must not collide (the reason for length prefixes).
    expect(hasher.hash(GENESIS, { ...vector, purpose: 'ab', destination: 'c' })).not.toBe(hasher.hash(GENESIS, { ...vector, purpose: 'a', destination: 'bc' }));
  });

  it('refuses a previous hash that is not 64 hex digits', () => {
    expect(() => new RowHasher().hash('zz'.repeat(32), vector)).toThrow(/64 hex/);
    expect(() => new RowHasher().hash('ab', vector)).toThrow(/64 hex/);
  });
});

describe('canonical JSON', () => {
  it('sorts keys at every level and drops undefined like JSON does', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"z":1}]},"b":1}');
    expect(canonicalJson({ 中: '文', a: null, arr: [undefined] })).toBe('{"a":null,"arr":[null],"中":"文"}');
  });
  it('refuses what JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson({ n: 1n })).toThrow(TypeError);
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 100; i++) at = (at.x = {}) as Record<string, unknown>;
    expect(() => canonicalJson(deep)).toThrow(/deeper/);
  });
});

describe('entry validation', () => {
  const ok: AuditEntryInput = { action: 'view', actors: [{ userId: 1, workId: null, name: 'a' }], outcome: 'success' };
  const problems = (e: AuditEntryInput) => {
    try {
      toAuditContent(e, 1);
      return [];
    } catch (err) {
      if (!isVigilError(err)) throw err;
      return err.details.map((d) => d.path);
    }
  };
  it('stores the fields in a fixed form', () => {
    const c = toAuditContent({ ...ok, actors: [{ name: 'n', workId: 'w', userId: 3 } as never], detail: { b: 1, a: 2 } }, 99);
    expect(c).toMatchObject({ at: 99, actors: '[{"userId":3,"workId":"w","name":"n"}]', camera_ids: '[]', detail: '{"a":2,"b":1}' });
  });
  it('names every bad field', () => {
    expect(problems(ok)).toEqual([]);
    expect(problems({ ...ok, action: 'delete_everything' as never, outcome: 'maybe' as never })).toEqual(['action', 'outcome']);
    expect(problems({ ...ok, actors: [] })).toEqual(['actors']);
    expect(problems({ ...ok, purpose: 'a\0b', from: 10, to: 5, cameraIds: [0], approvalId: 1.5 })).toEqual(['cameraIds[0]', 'to', 'approvalId', 'purpose']);
    expect(problems({ ...ok, detail: { big: 'x'.repeat(20_000) } })).toEqual(['detail']);
    expect(problems({ ...ok, at: -1 })).toEqual(['at']);
    expect(problems({ ...ok, organisationIds: [4, -2] })).toEqual(['organisationIds[1]']);
    expect(problems({ ...ok, organisationIds: 4 as never })).toEqual(['organisationIds']);
  });
  it('keeps the organisations an entry is about out of the hashed content', () => {
    expect(toAuditContent({ ...ok, organisationIds: [4, 7] }, 1)).toEqual(toAuditContent(ok, 1));
  });
  it('needs two officers with work IDs for a successful copy or retrieval, not for a refused one', () => {
    const one = [{ userId: 1, workId: 'A', name: null }];
    const same = [{ userId: 1, workId: 'A', name: null }, { userId: 1, workId: 'A', name: null }];
    const two = [{ userId: 1, workId: 'A', name: null }, { userId: 2, workId: 'B', name: null }];
    expect(problems({ ...ok, action: 'copy', actors: one })).toEqual(['actors']);
    expect(problems({ ...ok, action: 'retrieve', actors: same })).toEqual(['actors']);
    expect(problems({ ...ok, action: 'retrieve', actors: [two[0]!, { userId: 2, workId: null, name: null }] })).toEqual(['actors']);
    expect(problems({ ...ok, action: 'copy', actors: two })).toEqual([]);
    expect(problems({ ...ok, action: 'copy', actors: one, outcome: 'refused' })).toEqual([]);
  });
});
