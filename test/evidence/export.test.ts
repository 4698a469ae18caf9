// Evidence export end to end: only under an approved copy request, the package holds the original
// bytes as MP4 files ffprobe and ffmpeg read without error, the manifest names camera, range,
// officers, approver, purpose and destination, `verifyPackage` accepts it and names the first bad
// position of a changed byte, cancelling leaves nothing, and every step is registered.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Manifest } from '../../src/export/manifest.js';
import { isFreePadding } from '../../src/media/fmp4/free-box.js';
import { restore } from '../../src/media/fmp4/rebase.js';
import { verifyPackage } from '../../src/export/package-verify.js';
import { exportWorld, type ExportWorld } from './export-world.js';

const run = promisify(execFile);

describe('evidence export', () => {
  let x: ExportWorld;
  let dir: string;
  let manifest: Manifest;
  beforeAll(async () => {
    x = await exportWorld();
    // Footage a recorder node kept aside in the range (and some outside it, not named).
    for (const [at, path] of [[x.files[1]!.startMs + 1000, 'fenced/1/epoch-2-a.mp4'], [x.range.to + 60_000, 'fenced/1/epoch-2-b.mp4']] as const) {
      await x.t.repos.fencedFootage.register({
        cameraId: x.w.camA, nodeId: 'n2', epoch: 2, sourcePath: x.files[1]!.path, path, startMs: at, endMs: at + 2000, fragments: 1, bytes: 4096, sha256: 'a'.repeat(64), overlapsHolder: true, keptAt: at + 3000,
      });
    }
    const started = await x.exports.start(await x.actor(x.inv1), { requestId: x.requestId, cameraId: x.w.camA, ...x.range });
    expect(started.state).toBe('running');
    const done = await x.exports.settled(started.id);
    expect(done, done.error ?? '').toMatchObject({ state: 'done', bytesDone: done.bytesTotal });
    dir = join(x.t.dataDir, done.path);
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  }, 90_000);
  afterAll(() => x.t.close());

  it('writes the original bytes of the files in range, time fields rebased in place, as MP4 that ffmpeg plays', async () => {
    expect(manifest.files).toHaveLength(3);
    for (const [i, f] of manifest.files.entries()) {
      const exported = readFileSync(join(dir, f.name));
      const original = readFileSync(x.store.absolute(x.files[i]!.path));
      // Every file lies wholly inside the range: the copy is the recording itself — its init
      // segment and every fragment, bit for bit, in order — less the padding that direct I/O
      // leaves between fragments on disk (free boxes, which hold no footage).
      const pieces: [number, number][] = [[0, f.init.size], ...x.files[i]!.fragments.map((g): [number, number] => [g.byteOffset, g.byteOffset + g.size])];
      for (let k = 1; k < pieces.length; k++) expect(isFreePadding(original.subarray(pieces[k - 1]![1], pieces[k]![0]))).toBe(true);
      expect(original.length).toBe(pieces.at(-1)![1]);
      // The copy starts at time zero: only the listed time fields differ, and putting their
      // recorded bytes back gives the recording exactly.
      const restored = Buffer.concat([restore(exported.subarray(0, f.init.size), f.init.patches!), ...f.fragments.map((g) => restore(exported.subarray(g.offset, g.offset + g.size), g.patches!))]);
      expect(restored.equals(Buffer.concat(pieces.map(([a, b]) => original.subarray(a, b))))).toBe(true);
      expect(f.init.patches).toHaveLength(1);
      expect(f.fragments.every((g) => g.patches!.length === 1)).toBe(true);
      expect(f.start).toEqual({ wallClockMs: f.fragments[0]!.startMs, wallClock: new Date(f.fragments[0]!.startMs).toISOString(), decodeTime: 0, timescale: 90000 });
      const { stdout } = await run('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_name,nb_read_packets,width', '-of', 'json', join(dir, f.name)]);
      expect(JSON.parse(stdout).streams[0]).toMatchObject({ codec_name: 'h264', width: 320, nb_read_packets: '100' });
      const { stderr } = await run('ffmpeg', ['-v', 'error', '-i', join(dir, f.name), '-f', 'null', '-']);
      expect(stderr).toBe('');
    }
  });

  it('names the camera, the range in UTC, the officers, the approver, purpose, destination and request', () => {
    expect(manifest).toMatchObject({
      format: 'vigil-evidence/2',
      camera: { id: x.w.camA, nationalId: '34010400001320000001' },
      range: { from: new Date(x.range.from).toISOString(), to: new Date(x.range.to).toISOString() },
      request: { id: x.requestId, kind: 'copy', purpose: '盗窃案侦查', destination: '蜀山分局刑侦大队 evidence room', caseNumber: 'SS-2027-118', requestingUnit: '蜀山分局' },
      platform: { keyId: x.t.audit.keys.keyId },
    });
    expect(manifest.request.officers.map((o) => o.workId)).toEqual(['P001', 'P002']);
    expect(manifest.request.approvers).toMatchObject([{ role: 'approver', workId: 'H001' }]);
    expect(readdirSync(dir).sort()).toEqual(['footage', 'manifest.json', 'manifest.sig', 'platform-key.pem', 'verify.html']);
  });

  it('names the footage a recorder node kept aside in the range, which the package does not hold', () => {
    const at = x.files[1]!.startMs + 1000;
    expect(manifest.keptAside).toEqual([{ path: 'fenced/1/epoch-2-a.mp4', node: 'n2', epoch: 2, fromMs: at, toMs: at + 2000, bytes: 4096, sha256: 'a'.repeat(64), overlapsRecording: true }]);
    expect(manifest.files.map((f) => f.name).join()).not.toContain('epoch-2');
  });

  it('verifies offline, and a changed byte anywhere is found at its position', async () => {
    const good = await verifyPackage(dir);
    expect(good).toMatchObject({ ok: true, files: 3, fragments: 12, keyId: x.t.audit.keys.keyId });
    const copy = (name: string) => {
      const d = join(tmpdir(), `vigil-pkg-${name}-${process.pid}`);
      cpSync(dir, d, { recursive: true });
      return d;
    };
    const f = manifest.files[1]!;
    const bad = copy('byte');
    const mp4 = readFileSync(join(bad, f.name));
    mp4[f.fragments[2]!.offset + 77]! ^= 0x01;
    writeFileSync(join(bad, f.name), mp4);
    expect((await verifyPackage(bad)).first).toMatchObject({ where: `${f.name}#${f.fragments[2]!.seq}` });

    // A changed decode time (a rebased field) is caught by the file's signed hash, and a patch
    // that claims more than a time field is refused.
    const retimed = copy('tfdt');
    const moved = readFileSync(join(retimed, f.name));
    moved[f.fragments[1]!.offset + f.fragments[1]!.patches![0]!.offset + 7]! ^= 0x01;
    writeFileSync(join(retimed, f.name), moved);
    expect((await verifyPackage(retimed)).problems).toEqual([expect.objectContaining({ where: f.name, message: 'the file does not match its hash' })]);

    const forged = copy('manifest');
    const text = readFileSync(join(forged, 'manifest.json'), 'utf8').replace('盗窃案侦查', '盗窃案侦察');
    writeFileSync(join(forged, 'manifest.json'), text);
    expect((await verifyPackage(forged)).first).toMatchObject({ where: 'manifest' });

    // A format 1 package (the recording byte for byte, no patches), signed by the platform, still verifies.
    const v1 = copy('format1');
    const old = JSON.parse(readFileSync(join(v1, 'manifest.json'), 'utf8')) as Manifest;
    for (const g of old.files) {
      const b = readFileSync(join(v1, g.name));
      const orig = Buffer.concat([restore(b.subarray(0, g.init.size), g.init.patches!), ...g.fragments.map((h) => restore(b.subarray(h.offset, h.offset + h.size), h.patches!))]);
      writeFileSync(join(v1, g.name), orig);
      g.sha256 = createHash('sha256').update(orig).digest('hex');
      delete g.start;
      delete g.init.patches;
      for (const h of g.fragments) delete h.patches;
    }
    const v1Bytes = Buffer.from(JSON.stringify({ ...old, format: 'vigil-evidence/1' }, null, 2));
    writeFileSync(join(v1, 'manifest.json'), v1Bytes);
    writeFileSync(join(v1, 'manifest.sig'), `${x.t.audit.keys.sign(v1Bytes)}\n`);
    expect(await verifyPackage(v1)).toMatchObject({ ok: true, files: 3, fragments: 12 });

    // Even signed by the platform key, a patch may only cover a time field: one that restores
    // changed picture bytes (in the mdat) is refused by the parse of the restored fragment.
    const hidden = copy('patch');
    const pm = JSON.parse(readFileSync(join(hidden, 'manifest.json'), 'utf8')) as Manifest;
    const pf = pm.files[0]!;
    const pg = pf.fragments[1]!;
    const pb = readFileSync(join(hidden, pf.name));
    const at = pg.size - 16;
    pg.patches!.push({ offset: at, original: pb.toString('hex', pg.offset + at, pg.offset + at + 8) });
    pb.fill(0x55, pg.offset + at, pg.offset + at + 8);
    writeFileSync(join(hidden, pf.name), pb);
    pf.sha256 = createHash('sha256').update(pb).digest('hex');
    const pBytes = Buffer.from(JSON.stringify(pm, null, 2));
    writeFileSync(join(hidden, 'manifest.json'), pBytes);
    writeFileSync(join(hidden, 'manifest.sig'), `${x.t.audit.keys.sign(pBytes)}\n`);
    expect((await verifyPackage(hidden)).problems).toEqual([{ where: `${pf.name}#${pg.seq}`, message: 'its patches change more than its decode times (tfdt)' }]);

    // A consistent re-hash of bytes and manifest needs the platform's private key.
    const { generateKeyPairSync } = await import('node:crypto');
    expect((await verifyPackage(dir, { publicKey: generateKeyPairSync('ed25519').publicKey })).ok).toBe(false);
  });

  it('registers the copy with both officers and the export with its manifest hash', async () => {
    const found = [];
    for await (const e of x.t.audit.entries({ approvalId: x.requestId })) if (e.action === 'copy' || e.action === 'export') found.push(e);
    expect(found.map((e) => [e.action, e.outcome])).toEqual([['copy', 'success'], ['export', 'success']]);
    expect(found[0]!.actors.map((a) => a.workId).sort()).toEqual(['P001', 'P002']);
    expect(found[1]!.detail).toMatchObject({ state: 'done', manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('refuses (and registers) an export without an approved copy or retrieve request', async () => {
    const other = await x.t.registry.cameras.get(x.w.camB);
    await expect(x.exports.start(await x.actor(x.inv1), { requestId: x.requestId, cameraId: other.id, ...x.range })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(x.exports.start(await x.actor(x.inv1), { requestId: x.requestId, cameraId: x.w.camA, from: x.range.from - 3_600_000, to: x.range.to })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const view = await x.approvedRequest({ kind: 'view' });
    const viewRefusal = await x.exports.start(await x.actor(x.inv1), { requestId: view, cameraId: x.w.camA, ...x.range }).then(() => null, (e: unknown) => e as { code: string; message: string; articles?: string[] });
    if (!viewRefusal) throw new Error('a view request must not allow an export');
    expect(viewRefusal).toMatchObject({ code: 'RULE_REFUSED' });
    // A refusal cites articles of the jurisdiction, never a requirement number of this project.
    expect(viewRefusal.message).not.toMatch(/R5\.3/);
    for (const a of viewRefusal.articles ?? []) expect(a).toMatch(/^[A-Z]{2,4}(\d{1,4})?-\d/);
    const refused = [];
    for await (const e of x.t.audit.entries({ action: 'copy', outcome: 'refused' })) refused.push(e);
    expect(refused.length).toBeGreaterThanOrEqual(2);
  });

  it('can be cancelled by its maker, leaving no folder, and the cancellation is registered', async () => {
    const me = await x.actor(x.inv1);
    const started = await x.exports.start(me, { requestId: x.requestId, cameraId: x.w.camA, ...x.range });
    await expect(x.exports.cancel(await x.actor(x.inv2), started.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const r = await x.exports.cancel(me, started.id);
    // A tiny export may finish before the cancel lands; either way nothing half-written remains.
    expect(['cancelled', 'done']).toContain(r.state);
    expect(existsSync(join(x.t.dataDir, `${r.path}.partial`))).toBe(false);
    if (r.state === 'cancelled') expect(existsSync(join(x.t.dataDir, r.path))).toBe(false);
    const ends = [];
    for await (const e of x.t.audit.entries({ action: 'export' })) ends.push(e.detail.state);
    expect(ends.at(-1)).toBe(r.state);
  });
});
