// What one leaf of a camera's log says about a fragment. The bytes' SHA-256 (taken at write time)
// is bound to where the fragment lives and when it was recorded, so an edited index row, a moved
// or reordered fragment and changed bytes all change the leaf. Fixed layout, big-endian, 86 bytes:
//   0x01 version ‖ u64 camera id ‖ u64 file start ms ‖ u32 seq ‖ u64 byte offset ‖ u32 size ‖
//   u64 start ms ‖ u64 end ms ‖ u8 keyframe ‖ u32 samples ‖ 32 bytes SHA-256 of the fragment
// Each file's init segment (codec configuration, which decides how every picture decodes) has a
// leaf of its own before the file's first fragment, 53 bytes:
//   0x02 ‖ u64 camera id ‖ u64 file start ms ‖ u32 init size ‖ 32 bytes SHA-256 of the init segment
import { leafHash, type Hash } from './merkle.js';

export const LEAF_VERSION = 1;
export const LEAF_BYTES = 86;

export interface LeafFacts {
  cameraId: number;
  fileStartMs: number;
  seq: number;
  byteOffset: number;
  size: number;
  startMs: number;
  endMs: number;
  keyframe: boolean;
  samples: number;
  /** Lower-case hex. */
  sha256: string;
}

export function leafData(f: LeafFacts): Buffer {
  const b = Buffer.alloc(LEAF_BYTES);
  let o = b.writeUInt8(LEAF_VERSION, 0);
  o = b.writeBigUInt64BE(BigInt(f.cameraId), o);
  o = b.writeBigUInt64BE(BigInt(f.fileStartMs), o);
  o = b.writeUInt32BE(f.seq >>> 0, o);
  o = b.writeBigUInt64BE(BigInt(f.byteOffset), o);
  o = b.writeUInt32BE(f.size >>> 0, o);
  o = b.writeBigUInt64BE(BigInt(Math.max(0, f.startMs)), o);
  o = b.writeBigUInt64BE(BigInt(Math.max(0, f.endMs)), o);
  o = b.writeUInt8(f.keyframe ? 1 : 0, o);
  o = b.writeUInt32BE(f.samples >>> 0, o);
  const sha = Buffer.from(f.sha256, 'hex');
  // A malformed stored hash still yields a leaf (all zeros), which then fails to match.
  if (sha.length === 32) sha.copy(b, o);
  return b;
}

export function fragmentLeaf(f: LeafFacts): Hash {
  return leafHash(leafData(f));
}

export const INIT_LEAF_VERSION = 2;

export interface InitLeafFacts {
  cameraId: number;
  fileStartMs: number;
  initSize: number;
  sha256: string;
}

export function initLeafData(f: InitLeafFacts): Buffer {
  const b = Buffer.alloc(53);
  let o = b.writeUInt8(INIT_LEAF_VERSION, 0);
  o = b.writeBigUInt64BE(BigInt(f.cameraId), o);
  o = b.writeBigUInt64BE(BigInt(f.fileStartMs), o);
  o = b.writeUInt32BE(f.initSize >>> 0, o);
  const sha = Buffer.from(f.sha256, 'hex');
  if (sha.length === 32) sha.copy(b, o);
  return b;
}

export function initLeaf(f: InitLeafFacts): Hash {
  return leafHash(initLeafData(f));
}
