// Signed tree heads: the platform key (src/audit/platform-key.ts) signs the UTF-8 text
//   vigil-tree-head/1\ncamera <id>\nsize <n>\nroot <hex>\nat <epoch ms>\nkey <key id>\n
// A head copied off the box pins every fragment recorded before it: an inclusion proof ties a
// fragment to it, a consistency proof ties it to any later head.
import type { KeyObject } from 'node:crypto';
import { verifySignature, type PlatformKeys } from '../audit/platform-key.js';

export interface TreeHead {
  cameraId: number;
  size: number;
  /** Lower-case hex. */
  root: string;
  at: number;
  keyId: string;
  /** Ed25519, base64. */
  signature: string;
}

export function treeHeadText(h: Omit<TreeHead, 'signature'>): string {
  return `vigil-tree-head/1\ncamera ${h.cameraId}\nsize ${h.size}\nroot ${h.root}\nat ${h.at}\nkey ${h.keyId}\n`;
}

export function signTreeHead(keys: PlatformKeys, cameraId: number, size: number, root: string, at: number): TreeHead {
  const unsigned = { cameraId, size, root, at, keyId: keys.keyId };
  return { ...unsigned, signature: keys.sign(Buffer.from(treeHeadText(unsigned), 'utf8')) };
}

export function verifyTreeHead(publicKey: KeyObject, h: TreeHead): boolean {
  return verifySignature(publicKey, Buffer.from(treeHeadText(h), 'utf8'), h.signature);
}
