// The integrity routes through the real app on SQLite, over real recordings: signed tree heads
// that check against the published key, a verification that passes and then names a flipped byte
// at its file and fragment, ranges over a day refused, supervision of another city refused, and
// the disk state against its thresholds.
import { createPublicKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyTreeHead } from '../../../integrity/tree-head.js';
import { world, type World } from '../../../../test/access/fixtures.js';
import { recordFootage, type WrittenFile } from '../../../../test/evidence/footage.js';
import { testApp, type TestApp } from '../../../../test/support/app.js';
import { person, signIn, type Client } from '../../../../test/support/auth.js';

describe('integrity routes', () => {
  let t: TestApp;
  let w: World;
  let files: WrittenFile[];
  let supervisor: Client;
  let outsider: Client;
  let admin: Client;
  const start = () => files[0]!.startMs;

  beforeAll(async () => {
    t = await testApp('sqlite');
    w = await world(t);
    supervisor = await signIn(t, await person(t, 'sup', [['supervisor', w.cityA]]));
    outsider = await signIn(t, await person(t, 'sup-b', [['supervisor', w.cityB]]));
    admin = await signIn(t, await person(t, 'admin', [['system_administrator', w.cityA]]));
    files = await recordFootage(t.repos, t.dataDir, w.camA, { startMs: t.clock.now() - 3_600_000, files: 2, secondsPerFile: 3, gapMs: 1000 });
    await t.evidence.merkle.sealAll();
    await t.evidence.merkle.signHeads();
  }, 60_000);
  afterAll(() => t.close());

  it('gives signed tree heads that check against the platform key it publishes', async () => {
    const res = await supervisor.inject({ method: 'GET', url: `/api/v1/integrity/tree-heads?cameraId=${w.camA}` });
    expect(res.statusCode, res.body).toBe(200);
    const { keyId, publicKeyPem, items } = res.json();
    expect(keyId).toBe(t.audit.keys.keyId);
    expect(items).toHaveLength(1);
    // Two files, each an init leaf and three fragments.
    expect(items[0]).toMatchObject({ cameraId: w.camA, size: 8 });
    const key = createPublicKey(publicKeyPem);
    expect(verifyTreeHead(key, items[0])).toBe(true);
    expect(verifyTreeHead(key, { ...items[0], size: 7 })).toBe(false);
    expect((await outsider.inject({ method: 'GET', url: `/api/v1/integrity/tree-heads?cameraId=${w.camA}` })).statusCode).toBe(403);
  });

  it('verifies stored footage, then names a flipped byte at its file and fragment', async () => {
    const range = { cameraId: w.camA, from: start() - 1000, to: start() + 60_000 };
    const verify = (c: Client, body: Record<string, unknown>) => c.inject({ method: 'POST', url: '/api/v1/integrity/verify', payload: body });
    const good = await verify(supervisor, range);
    expect(good.statusCode, good.body).toBe(200);
    expect(good.json()).toMatchObject({ ok: true, files: 2, fragments: 6, unsealed: 0, first: null });

    const f = files[1]!;
    const path = t.evidence.absolute(f.path);
    const bytes = readFileSync(path);
    const frag = f.fragments[1]!;
    bytes[frag.byteOffset + 50]! ^= 0x04;
    writeFileSync(path, bytes);
    const bad = (await verify(supervisor, range)).json();
    expect(bad.ok).toBe(false);
    expect(bad.first).toMatchObject({ kind: 'bytes_changed', fileId: f.id, seq: frag.seq });

    expect((await verify(supervisor, { ...range, to: range.from + 24 * 3_600_000 + 1 })).statusCode).toBe(400);
    expect((await verify(supervisor, { ...range, to: range.from })).statusCode).toBe(400);
    expect((await verify(outsider, range)).statusCode).toBe(403);
    expect((await verify(admin, range)).statusCode).toBe(403);
    const checks = [];
    for await (const e of t.audit.entries({ action: 'register_access' })) if (e.target === 'integrity verify') checks.push(e.detail.ok);
    expect(checks).toEqual([true, false]);
  });

  it('reports the recordings volume against its thresholds to those who run the platform', async () => {
    const res = await admin.inject({ method: 'GET', url: '/api/v1/integrity/storage' });
    expect(res.statusCode, res.body).toBe(200);
    const s = res.json();
    expect(s.thresholds).toEqual({ warning: 0.85, critical: 0.9, full: 0.95 });
    expect(s.totalBytes).toBeGreaterThan(0);
    expect(s.usedFraction).toBeCloseTo(1 - s.freeBytes / s.totalBytes, 6);
    const expected = s.usedFraction >= 0.95 ? 'full' : s.usedFraction >= 0.9 ? 'critical' : s.usedFraction >= 0.85 ? 'warning' : 'ok';
    expect(s).toMatchObject({ level: expected, acceptingWrites: expected !== 'full' });
    expect((await supervisor.inject({ method: 'GET', url: '/api/v1/integrity/storage' })).statusCode).toBe(403);
  });
});
