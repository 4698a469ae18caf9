// The verify commands as an operator runs them: exit 0 and a summary on a good store and package,
// exit 1 and the first bad position after a change.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/config.schema.js';
import { treeHeadsCommand, verifyCommand, verifyExportCommand } from '../../src/cli/commands/verify.js';
import type { Manifest } from '../../src/export/manifest.js';
import type { Context } from '../../src/services/context.js';
import { exportWorld, type ExportWorld } from './export-world.js';

const capture = () => {
  const s = new PassThrough();
  let text = '';
  s.on('data', (d: Buffer) => (text += d.toString()));
  return { s, text: () => text };
};

describe('vigil verify, verify-export and tree-heads', () => {
  let x: ExportWorld;
  let ctx: Context;
  let pkg: string;
  beforeAll(async () => {
    x = await exportWorld();
    // The command reads the configuration as a process has it (the storage backend among it: local here).
    ctx = { config: { ...configSchema.parse({}), dataDir: x.t.dataDir }, repos: x.t.repos, audit: x.t.audit } as unknown as Context;
    const started = await x.exports.start(await x.actor(x.inv1), { requestId: x.requestId, cameraId: x.w.camA, ...x.range });
    pkg = join(x.t.dataDir, (await x.exports.settled(started.id)).path);
  }, 90_000);
  afterAll(() => x.t.close());

  it('verify: OK, then the first bad position after a flipped bit', async () => {
    const ok = capture();
    expect(await verifyCommand(ctx, ['--camera', String(x.w.camA)], ok.s)).toBe(0);
    expect(ok.text()).toContain('OK: footage, index and logs agree');
    const f = x.files[1]!;
    const path = x.store.absolute(f.path);
    const original = readFileSync(path);
    const bad = Buffer.from(original);
    bad[f.fragments[2]!.byteOffset + 9]! ^= 4;
    writeFileSync(path, bad);
    try {
      const out = capture();
      expect(await verifyCommand(ctx, [], out.s)).toBe(1);
      expect(out.text()).toContain(`TAMPERED: first bad position — camera ${x.w.camA}, ${f.path}, fragment 2 at byte ${f.fragments[2]!.byteOffset}`);
    } finally {
      writeFileSync(path, original);
    }
  });

  it('verify-export: VERIFIED, then NOT VERIFIED naming the fragment', async () => {
    const ok = capture();
    expect(await verifyExportCommand([pkg], ok.s)).toBe(0);
    expect(ok.text()).toMatch(/VERIFIED: 3 file\(s\), 12 fragment\(s\)/);
    // Each file says which wall-clock instant its time 0 is.
    expect(ok.text()).toMatch(/footage\/001-\S+\.mp4: time 0 is \d{4}-\d\d-\d\dT[\d:.]+Z \(0\.000 s into the recording\)/);
    const bad = join(tmpdir(), `vigil-cli-pkg-${process.pid}`);
    cpSync(pkg, bad, { recursive: true });
    const m = JSON.parse(readFileSync(join(bad, 'manifest.json'), 'utf8')) as Manifest;
    const b = readFileSync(join(bad, m.files[0]!.name));
    b[m.files[0]!.fragments[3]!.offset + 1]! ^= 1;
    writeFileSync(join(bad, m.files[0]!.name), b);
    const out = capture();
    expect(await verifyExportCommand([bad, '--json'], out.s)).toBe(1);
    expect(JSON.parse(out.text()).problems[0].where).toBe(`${m.files[0]!.name}#3`);
  });

  it('tree-heads: signed heads as JSON lines', async () => {
    const out = capture();
    await treeHeadsCommand(ctx, ['--camera', String(x.w.camA)], out.s);
    const heads = out.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(heads.at(-1)).toMatchObject({ cameraId: x.w.camA, keyId: x.t.audit.keys.keyId, size: 18 }); // 4 files: an init leaf each, 2 + 3 × 4 fragments
  });
});
