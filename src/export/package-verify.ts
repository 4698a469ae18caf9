// `vigil verify-export PACKAGE`: checks an evidence package offline, with nothing but the package
// (and, better, a platform key obtained elsewhere): the manifest's signature, the tree head's
// signature, every file's and fragment's SHA-256, that each file is exactly its init segment and
// fragments, and each leaf's inclusion proof to the signed root. Names the first bad position.
// Format 2 files start at time zero: their listed patches (decode times, creation time) are put
// back first, and must cover exactly those fields, so what is hashed is the recording's bytes.
import { createHash, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keyIdOf, parsePublicKey, verifySignature } from '../audit/platform-key.js';
import { fragmentLeaf, initLeaf } from '../integrity/leaf.js';
import { verifyInclusion } from '../integrity/merkle.js';
import { verifyTreeHead } from '../integrity/tree-head.js';
import { rebaseFragment, restore, stampInit, type Patch } from '../media/fmp4/rebase.js';
import { MANIFEST, PACKAGE_FORMATS, PUBLIC_KEY, SIGNATURE, type Manifest } from './manifest.js';

export interface PackageProblem {
  /** 'manifest', 'tree-head', or a file name with '#seq'. */
  where: string;
  message: string;
}

export interface PackageReport {
  ok: boolean;
  keyId: string | null;
  files: number;
  fragments: number;
  bytes: number;
  problems: PackageProblem[];
  first: PackageProblem | null;
  manifest: Manifest | null;
}

const HEX64 = /^[0-9a-f]{64}$/;

export async function verifyPackage(dir: string, options: { publicKey?: KeyObject } = {}): Promise<PackageReport> {
  const r: PackageReport = { ok: false, keyId: null, files: 0, fragments: 0, bytes: 0, problems: [], first: null, manifest: null };
  const fail = (where: string, message: string) => r.problems.push({ where, message });
  const done = () => {
    r.first = r.problems[0] ?? null;
    r.ok = r.problems.length === 0;
    return r;
  };
  let manifestBytes: Buffer;
  let key: KeyObject;
  try {
    manifestBytes = await readFile(join(dir, MANIFEST));
    key = options.publicKey ?? parsePublicKey(await readFile(join(dir, PUBLIC_KEY), 'utf8'));
  } catch (e) {
    fail('manifest', `the package cannot be read: ${(e as Error).message}`);
    return done();
  }
  r.keyId = keyIdOf(key);
  const sig = (await readFile(join(dir, SIGNATURE), 'utf8').catch(() => '')).trim();
  if (!verifySignature(key, manifestBytes, sig)) {
    fail('manifest', 'manifest.json is not signed by the platform key (changed, or signed by another key)');
    return done();
  }
  let m: Manifest;
  try {
    m = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
  } catch {
    fail('manifest', 'manifest.json is not JSON');
    return done();
  }
  r.manifest = m;
  if (!PACKAGE_FORMATS.includes(m.format)) fail('manifest', `unknown format ${String(m.format)}`);
  if (m.platform?.keyId !== r.keyId) fail('manifest', `the manifest names key ${m.platform?.keyId}, the package is signed with ${r.keyId}`);
  const head = m.treeHead;
  if (!head || !verifyTreeHead(key, head) || head.cameraId !== m.camera?.id) {
    fail('tree-head', 'the tree head is not signed by the platform key for this camera');
    return done();
  }
  const root = Buffer.from(head.root, 'hex');
  const proofOk = (leaf: Buffer, index: number, proof: unknown) =>
    Array.isArray(proof) && proof.every((p) => typeof p === 'string' && HEX64.test(p)) && verifyInclusion(leaf, index, head.size, (proof as string[]).map((p) => Buffer.from(p, 'hex')), root);

  for (const f of m.files ?? []) {
    r.files++;
    if (typeof f.name !== 'string' || f.name.includes('..') || f.name.startsWith('/')) {
      fail(String(f.name), 'a file name outside the package');
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(join(dir, ...f.name.split('/')));
    } catch {
      fail(f.name, 'missing from the package');
      continue;
    }
    r.bytes += bytes.length;
    const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
    // Format 2: the substituted fields go back to the recorded bytes before anything is hashed.
    const badInitPatch = patchProblem(f.init.patches, f.init.size);
    if (badInitPatch) fail(`${f.name}#init`, badInitPatch);
    const init = restore(bytes.subarray(0, f.init.size), badInitPatch ? [] : f.init.patches ?? []);
    const initSha = sha(init);
    if (!badInitPatch && f.init.patches?.length && !sameFields(f.init.patches, () => stampInit(init, 0).patches)) fail(`${f.name}#init`, 'its patches change more than mvhd\'s creation time');
    if (initSha !== f.init.sha256 || init.length !== f.init.size) fail(`${f.name}#init`, 'the init segment does not match its hash');
    else if (!proofOk(initLeaf({ cameraId: head.cameraId, fileStartMs: f.fileStartMs, initSize: f.init.size, sha256: initSha }), f.init.leafIndex, f.init.proof)) {
      fail(`${f.name}#init`, `the init segment's leaf ${f.init.leafIndex} is not in the signed tree`);
    }
    let end = f.init.size;
    for (const g of f.fragments) {
      r.fragments++;
      const where = `${f.name}#${g.seq}`;
      if (g.offset !== end) fail(where, `the fragment starts at ${g.offset}, the previous one ended at ${end}`);
      end = g.offset + g.size;
      const stored = bytes.subarray(g.offset, g.offset + g.size);
      if (stored.length !== g.size) {
        fail(where, 'the file ends inside this fragment');
        break;
      }
      const badPatch = patchProblem(g.patches, g.size);
      if (badPatch) {
        fail(where, badPatch);
        continue;
      }
      const part = restore(stored, g.patches ?? []);
      if (g.patches?.length && !sameFields(g.patches, () => rebaseFragment(part, new Map()).patches)) fail(where, 'its patches change more than its decode times (tfdt)');
      if (sha(part) !== g.sha256) {
        fail(where, `the bytes at ${g.offset} do not match the fragment's hash`);
        continue;
      }
      const leaf = fragmentLeaf({ cameraId: head.cameraId, fileStartMs: f.fileStartMs, seq: g.seq, byteOffset: g.originalOffset, size: g.size, startMs: g.startMs, endMs: g.endMs, keyframe: g.keyframe, samples: g.samples, sha256: g.sha256 });
      if (!proofOk(leaf, g.leafIndex, g.proof)) fail(where, `leaf ${g.leafIndex} is not in the tree of size ${head.size} signed at ${new Date(head.at).toISOString()}`);
    }
    if (bytes.length !== end) fail(f.name, `${bytes.length} bytes where the manifest accounts for ${end}`);
    if (sha(bytes) !== f.sha256) fail(f.name, 'the file does not match its hash');
  }
  return done();
}

/** Patches must be 4, 8 or 16 bytes of hex (the decode-time and creation-time fields), in order, inside the segment. */
function patchProblem(patches: Patch[] | undefined, size: number): string | null {
  if (patches === undefined) return null;
  if (!Array.isArray(patches)) return 'its patches are not a list';
  let end = 0;
  for (const p of patches) {
    const n = typeof p?.original === 'string' && /^[0-9a-f]*$/.test(p.original) ? p.original.length / 2 : -1;
    if (![4, 8, 16].includes(n) || !Number.isSafeInteger(p.offset) || p.offset < end || p.offset + n > size) return `a patch at ${String(p?.offset)} is not a time field inside it`;
    end = p.offset + n;
  }
  return null;
}

/** The patches cover exactly the fields the rebasing would substitute in these recorded bytes. */
function sameFields(patches: Patch[], expected: () => Patch[]): boolean {
  try {
    const e = expected();
    return e.length === patches.length && e.every((p, i) => p.offset === patches[i]!.offset && p.original.length === patches[i]!.original.length);
  } catch {
    return false;
  }
}
