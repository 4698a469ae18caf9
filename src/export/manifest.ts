// What an evidence package holds (format vigil-evidence/1). manifest.json lists every file with
// its SHA-256 and, for the init segment and each fragment, the facts its Merkle leaf is made of
// and an inclusion proof to the signed tree head; manifest.sig is the platform's Ed25519
// signature over the exact bytes of manifest.json; platform-key.pem is the public key.
//
// Format 2 (issue 15): each footage file starts at decode time zero. Its bytes are the
// recording's except the fields listed in `patches` (each fragment's tfdt, the init segment's
// mvhd creation/modification time), substituted in place; each patch keeps the bytes it replaced,
// so putting them back gives the recorded bytes that the SHA-256 and the Merkle leaf cover.
// Format 1 packages (no patches: the recording byte for byte) still verify.
import type { TreeHead } from '../integrity/tree-head.js';
import type { Patch } from '../media/fmp4/rebase.js';

export const PACKAGE_FORMAT = 'vigil-evidence/2';
/** Formats the verifiers accept. */
export const PACKAGE_FORMATS: readonly string[] = ['vigil-evidence/1', PACKAGE_FORMAT];
export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';
export const PUBLIC_KEY = 'platform-key.pem';
export const VERIFY_PAGE = 'verify.html';
export const FOOTAGE_DIR = 'footage';

export interface ManifestPerson {
  userId: number;
  workId: string | null;
  name: string | null;
}

export interface ManifestFragment {
  seq: number;
  /** Where the fragment starts in the exported file. */
  offset: number;
  /** Where it started in the original recording (part of its leaf). */
  originalOffset: number;
  size: number;
  startMs: number;
  endMs: number;
  keyframe: boolean;
  samples: number;
  /** SHA-256 of the recorded bytes (after the patches are put back). */
  sha256: string;
  leafIndex: number;
  proof: string[];
  /** In-place substitutions (offsets within the fragment) that rebase its decode times; format 2. */
  patches?: Patch[];
  /** 'device': backfilled (补录) from the camera's GB/T 28181 device's own recording; absent: recorded by Vigil. */
  origin?: 'device';
}

export interface ManifestFile {
  /** Relative to the package, forward slashes. */
  name: string;
  bytes: number;
  sha256: string;
  /** The original recording's start (its name and part of every leaf). */
  fileStartMs: number;
  /** The first exported sample: its wall-clock instant (UTC) and its decode time in the recording. Format 2. */
  start?: { wallClockMs: number; wallClock: string; decodeTime: number; timescale: number };
  init: { size: number; sha256: string; leafIndex: number; proof: string[]; patches?: Patch[] };
  fragments: ManifestFragment[];
}

export interface Manifest {
  format: typeof PACKAGE_FORMAT;
  exportId: number;
  createdAt: string;
  camera: { id: number; nationalId: string; name: string; address: string };
  range: { from: string; to: string; fromMs: number; toMs: number };
  request: {
    id: number;
    kind: string;
    requestingUnit: string;
    purpose: string;
    destination: string;
    caseNumber: string | null;
    officers: ManifestPerson[];
    approvers: (ManifestPerson & { role: string; at: string })[];
  };
  exportedBy: ManifestPerson;
  platform: { keyId: string; publicKeyPem: string };
  treeHead: TreeHead;
  files: ManifestFile[];
  /**
   * Footage of the camera in the range that a recorder node wrote after losing its lease and kept
   * aside (issue 22): not part of the recording and not in the package, named here so that the
   * receiver knows it exists. Absent when there is none.
   */
  keptAside?: { path: string; node: string; epoch: number; fromMs: number; toMs: number; bytes: number; sha256: string; overlapsRecording: boolean }[];
  note: string;
}
