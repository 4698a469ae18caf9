// npx tsx bench/proof.bench.ts — the inclusion proofs of a one-fragment export on a camera whose
// log already holds BENCH_PROOF_LEAVES leaves (default 100,000, about a day of 1 s fragments),
// on a SQLite file as the platform opens it. The log is filled through the repository the way the
// sealer fills it (leaves and stored subtree roots in batches of 5,000).
//   before   what export did until issue 16: read every leaf of the camera, build the whole tree,
//            take the two proofs (the file's init segment and the fragment)
//   after    integrity's proofs from the stored subtree roots: O(log n) rows a proof
// Both sets of proofs are checked equal and verified against the root. Median of several runs,
// each printed with the one-minute load average. Last line: one JSON object.
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/db/database.js';
import type { StoredNode } from '../src/db/integrity-log.repository.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createRepositories } from '../src/db/repositories.js';
import { inclusionProofs } from '../src/integrity/inclusion-proofs.js';
import { Frontier, MerkleTree, verifyInclusion } from '../src/integrity/merkle.js';
import { runBench } from './bench-run.js';

const LEAVES = Number(process.env.BENCH_PROOF_LEAVES ?? 100_000);
const CAMERA = 1;
const BATCH = 5000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => loadavg()[0]!.toFixed(2);

await runBench('proof', async (run) => {
  const dir = run.tempDir('vigil-bench-proof-');
  const db = openDatabase(`sqlite:${join(dir, 'bench.db')}`);
  run.onCleanup('close the database', () => db.close());
  await migrateToLatest(db);
  const repos = createRepositories(db);
  const frontier = new Frontier();

  await run.phase('fill', 600, async () => {
    for (let from = 0; from < LEAVES; from += BATCH) {
      const leaves: { fragmentId: number; fileId: number; leafHash: string }[] = [];
      const nodes: StoredNode[] = [];
      for (let i = from; i < Math.min(LEAVES, from + BATCH); i++) {
        const h = createHash('sha256').update(`leaf ${i}`).digest();
        frontier.append(h, (at, node) => nodes.push({ ...at, hash: node.toString('hex') }));
        leaves.push({ fragmentId: i + 1, fileId: 1 + Math.floor(i / 600), leafHash: h.toString('hex') });
      }
      const ok = await db.kysely.transaction().execute((trx) =>
        repos.integrityLog.appendLeaves(trx, CAMERA, from, leaves, nodes, { size: frontier.size, frontier: frontier.toJSON(), lastFragmentId: frontier.size }, 0),
      );
      if (!ok) throw new Error('the log moved under the bench');
    }
  });
  const size = frontier.size;
  const root = frontier.root();
  // The last file's init segment and one fragment in it: a one-fragment export of recent footage.
  const wanted = [size - 600 + 1, size - 37];

  const before = await run.phase('before', 600, async () => {
    const times: number[] = [];
    let proofs: Buffer[][] = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      const tree = new MerkleTree((await repos.integrityLog.leafHashes(CAMERA, size)).map((h) => Buffer.from(h, 'hex')));
      proofs = wanted.map((i) => tree.proof(i));
      times.push(performance.now() - t);
      console.log(`before: ${times.at(-1)!.toFixed(1)} ms (load ${load()})`);
    }
    return { ms: median(times), proofs };
  });

  const after = await run.phase('after', 600, async () => {
    const times: number[] = [];
    let proofs: Buffer[][] = [];
    for (let r = 0; r < 21; r++) {
      const t = performance.now();
      const got = await inclusionProofs(repos.integrityLog, CAMERA, size, wanted);
      proofs = wanted.map((i) => got.get(i)!);
      times.push(performance.now() - t);
    }
    console.log(`after: median ${median(times).toFixed(2)} ms of ${times.length} runs (load ${load()})`);
    return { ms: median(times), proofs };
  });

  const leafOf = async (i: number) => Buffer.from((await repos.integrityLog.leafHashesAt(CAMERA, [i])).get(i)!, 'hex');
  for (const [k, i] of wanted.entries()) {
    if (!before.proofs[k]!.every((h, j) => h.equals(after.proofs[k]![j]!))) throw new Error(`the proofs of leaf ${i} differ`);
    if (!verifyInclusion(await leafOf(i), i, size, after.proofs[k]!, root)) throw new Error(`the proof of leaf ${i} does not verify`);
  }
  const nodes = await db.kysely.selectFrom('integrity_nodes').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  Object.assign(run.result, { leaves: size, storedNodes: Number(nodes.n), beforeMs: Number(before.ms.toFixed(1)), afterMs: Number(after.ms.toFixed(2)), load1: Number(load()) });
});
