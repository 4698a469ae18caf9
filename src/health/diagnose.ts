// Video quality diagnosis (视频质量诊断) of one sample, pure: decoded keyframes and the camera's
// reference in, findings out. No national standard defines the checks (notes §3); the list follows
// the de-facto vendor one, and every threshold is configuration. Checks that a broken picture
// would fool are skipped behind the ones that explain it: a black picture is "too dark", not also
// blurred, flat and moved.
import { changedShare, luma, measurePicture, signature, similarity, type Picture, type PictureMeasures } from './picture-metrics.js';

export const FINDING_KINDS = [
  'signal_loss',
  'frozen',
  'too_dark',
  'too_bright',
  'blur',
  'colour_cast',
  'noise',
  'occlusion',
  'scene_change',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export interface Thresholds {
  /** Mean luma (0..255) below which the picture is too dark, above which too bright. */
  darkLuma: number;
  brightLuma: number;
  /** Variance of the Laplacian below which the picture is blurred. */
  blurLaplacianVar: number;
  /** Colour cast: mean chroma offset at least this… */
  castOffset: number;
  /** …and at least this many times the chroma spread. */
  castFactor: number;
  /** Estimated noise standard deviation above which the picture is noisy. */
  noiseSigma: number;
  /** Share of the picture in one flat area above which the view is blocked. */
  occlusionShare: number;
  /** Two samples apart in time with less than this share of changed pixels are one frozen picture. */
  frozenChangedShare: number;
  /** Correlation with the reference view below which the camera was moved (R1.5). */
  sceneSimilarity: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  darkLuma: 30,
  brightLuma: 225,
  blurLaplacianVar: 40,
  castOffset: 30,
  castFactor: 0.6,
  noiseSigma: 5,
  occlusionShare: 0.5,
  frozenChangedShare: 0.0005,
  sceneSimilarity: 0.7,
};

export interface Finding {
  kind: FindingKind;
  /** The measured value and the threshold it crossed (null for signal loss). */
  value: number | null;
  threshold: number | null;
  detail: string;
}

export interface SampleInput {
  /** Decoded keyframes oldest first; empty when none could be had. */
  pictures: Picture[];
  /** Why there is no picture (stale recording, connection refused, timeout). */
  lossReason?: string;
  /** The previous sample's newest picture (luma), for a frozen check when this one has a single picture. */
  previous?: Float32Array | undefined;
  /** The camera's approved view. */
  reference?: Float32Array | undefined;
}

export interface Diagnosis {
  findings: Finding[];
  measures: PictureMeasures | null;
  /** Share of changed pixels between the two newest pictures, when there were two. */
  changedShare: number | null;
  similarity: number | null;
  /** The newest picture's luma and signature, to keep as "previous" and possibly as reference. */
  luma: Float32Array | null;
  signature: Float32Array | null;
}

export function diagnose(input: SampleInput, t: Thresholds = DEFAULT_THRESHOLDS): Diagnosis {
  const newest = input.pictures.at(-1);
  if (!newest) {
    return {
      findings: [{ kind: 'signal_loss', value: null, threshold: null, detail: input.lossReason ?? 'no picture' }],
      measures: null, changedShare: null, similarity: null, luma: null, signature: null,
    };
  }
  const y = luma(newest);
  const m = measurePicture(newest, y);
  const sig = signature(y, newest.width, newest.height);
  const findings: Finding[] = [];
  const add = (kind: FindingKind, value: number, threshold: number, detail: string) => findings.push({ kind, value, threshold, detail });

  const earlier = input.pictures.length > 1 ? luma(input.pictures.at(-2)!) : input.previous;
  const changed = earlier && earlier.length === y.length ? changedShare(earlier, y) : null;
  const sim = input.reference ? similarity(input.reference, sig) : null;
  const result = (): Diagnosis => ({ findings, measures: m, changedShare: changed, similarity: sim, luma: y, signature: sig });

  if (m.meanLuma < t.darkLuma) {
    add('too_dark', m.meanLuma, t.darkLuma, `mean luma ${m.meanLuma.toFixed(1)} below ${t.darkLuma}`);
    return result();
  }
  if (m.meanLuma > t.brightLuma) {
    add('too_bright', m.meanLuma, t.brightLuma, `mean luma ${m.meanLuma.toFixed(1)} above ${t.brightLuma}`);
    return result();
  }
  if (changed !== null && changed < t.frozenChangedShare) {
    add('frozen', changed, t.frozenChangedShare, `${(changed * 100).toFixed(3)} % of the picture changed between samples`);
  }
  const occluded = m.flatShare > t.occlusionShare;
  if (occluded) add('occlusion', m.flatShare, t.occlusionShare, `${Math.round(m.flatShare * 100)} % of the picture is one flat area`);
  if (!occluded && m.laplacianVar < t.blurLaplacianVar) {
    add('blur', m.laplacianVar, t.blurLaplacianVar, `sharpness ${m.laplacianVar.toFixed(1)} below ${t.blurLaplacianVar}`);
  }
  if (m.castOffset >= t.castOffset && m.castFactor >= t.castFactor) {
    add('colour_cast', m.castFactor, t.castFactor, `chroma offset ${m.castOffset.toFixed(1)}, ${m.castFactor.toFixed(2)}× its spread`);
  }
  if (m.noiseSigma > t.noiseSigma) add('noise', m.noiseSigma, t.noiseSigma, `noise σ ${m.noiseSigma.toFixed(1)} above ${t.noiseSigma}`);
  if (!occluded && sim !== null && sim < t.sceneSimilarity) {
    add('scene_change', sim, t.sceneSimilarity, `view correlates ${sim.toFixed(2)} with the reference (below ${t.sceneSimilarity}): position or direction changed`);
  }
  return result();
}
