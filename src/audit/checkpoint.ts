// Signed checkpoints: the platform key vouches that entry `seq` of the register had hash
// `rowHash` at time `at`. Copied off the box as JSON lines, they catch a chain that was rewritten
// wholesale (re-hashed after an edit) or cut short, which the chain alone cannot show.
import type { KeyObject } from 'node:crypto';
import { Errors, type ErrorDetail } from '../errors.js';
import { keyIdOf, verifySignature, type PlatformKeys } from './platform-key.js';

export interface Checkpoint {
  seq: number;
  rowHash: string;
  at: number;
  keyId: string;
  /** Base64 Ed25519 signature over checkpointStatement(). */
  signature: string;
}

const MAX_LINE = 1024;
const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;
const SIGNATURE = /^[A-Za-z0-9+/]{86}==$/;

/** The exact bytes signed. */
export function checkpointStatement(cp: Omit<Checkpoint, 'signature'>): Buffer {
  return Buffer.from(`vigil-audit-checkpoint/1\nseq ${cp.seq}\nhash ${cp.rowHash}\nat ${cp.at}\nkey ${cp.keyId}\n`, 'utf8');
}

export function signCheckpoint(keys: PlatformKeys, seq: number, rowHash: string, at: number): Checkpoint {
  const unsigned = { seq, rowHash, at, keyId: keys.keyId };
  return { ...unsigned, signature: keys.sign(checkpointStatement(unsigned)) };
}

/** Public keys by key id, for checking checkpoints signed by any of them. */
export function keyRing(keys: KeyObject | KeyObject[]): Map<string, KeyObject> {
  return new Map((Array.isArray(keys) ? keys : [keys]).map((k) => [keyIdOf(k), k]));
}

/** Why a checkpoint's signature does not hold, or null when it does. */
export function checkpointSignatureProblem(cp: Checkpoint, ring: Map<string, KeyObject>): string | null {
  const key = ring.get(cp.keyId);
  if (!key) return `signed by key ${cp.keyId}, which is not a trusted platform key`;
  if (!HEX64.test(cp.rowHash) || !verifySignature(key, checkpointStatement(cp), cp.signature)) return 'its signature is not valid';
  return null;
}

export function toCheckpointLine(cp: Checkpoint): string {
  return JSON.stringify({ seq: cp.seq, rowHash: cp.rowHash, at: cp.at, keyId: cp.keyId, signature: cp.signature });
}

/**
 * Reads an exported checkpoints file (one JSON object a line, blank lines ignored). Every bad
 * line is reported; nothing is returned unless all lines are good.
 */
export function parseCheckpointLines(text: string): Checkpoint[] {
  const out: Checkpoint[] = [];
  const problems: ErrorDetail[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length && problems.length < 20; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const path = `line ${i + 1}`;
    if (line.length > MAX_LINE) {
      problems.push({ path, message: `longer than ${MAX_LINE} characters` });
      continue;
    }
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      problems.push({ path, message: 'not JSON' });
      continue;
    }
    const o = (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as Record<string, unknown>;
    const wrong: string[] = [];
    if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) wrong.push('seq');
    if (typeof o.rowHash !== 'string' || !HEX64.test(o.rowHash)) wrong.push('rowHash');
    if (!Number.isSafeInteger(o.at) || (o.at as number) < 0) wrong.push('at');
    if (typeof o.keyId !== 'string' || !KEY_ID.test(o.keyId)) wrong.push('keyId');
    if (typeof o.signature !== 'string' || !SIGNATURE.test(o.signature)) wrong.push('signature');
    if (wrong.length) {
      problems.push({ path, message: `missing or malformed: ${wrong.join(', ')}` });
      continue;
    }
    out.push({ seq: o.seq as number, rowHash: o.rowHash as string, at: o.at as number, keyId: o.keyId as string, signature: o.signature as string });
  }
  if (problems.length) throw Errors.validation('the checkpoints file cannot be read', problems);
  return out;
}
