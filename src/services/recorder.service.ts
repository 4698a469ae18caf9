// The recorder role: records every camera in service that has a source URL, with its metrics on
// the registry the process shares with /metrics (the context's unless given).
import type { Registry } from 'prom-client';
import { Recorder } from '../recorder/recorder.js';
import { libuvPoolSize } from '../config/environment.js';
import { DiskGate } from '../recorder/disk-gate.js';
import { createRecorderMetrics } from '../recorder/metrics.js';
import { storageThresholds } from '../storage/disk-usage.js';
import type { Context } from './context.js';
import { cameraPolicies } from '../retention/camera-policies.js';
import { FencedFootageUploader } from '../retention/fenced-footage-uploader.js';
import { FootageUploader } from '../retention/footage-uploader.js';
import { ObjectLockSync } from '../retention/object-lock-sync.js';
import { absoluteFootagePath } from '../storage/footage-reader.js';
import { objectStoreOf } from './object-storage.js';
import { LeaseKeeper } from '../cluster/lease-keeper.js';
import { nodeIdOf } from '../config/config.js';
import { startPeerFootageServer } from './peer-footage.js';
import { offerRecordedLive } from './live-relay.js';

/** Below this many libuv pool threads, a hundred cameras' fragment writes queue behind each other. */
const WANTED_POOL_THREADS = 16;

/**
 * On PostgreSQL a recorder is one node among any number (issue 22): it records the cameras whose
 * leases it holds. On SQLite the one process records every camera, as it always did.
 */
/** The LISTEN/NOTIFY channel on which recorder nodes wake each other when leases are given up. */
export const LEASE_CHANNEL = 'vigil_leases';

export function leaseKeeperFor(ctx: Context, url: string | null = ctx.config.cluster.advertiseUrl ?? null): LeaseKeeper | undefined {
  if (ctx.db.dialect !== 'postgres') return undefined;
  const c = ctx.config.cluster;
  const wakeups = ctx.wakeups;
  return new LeaseKeeper(
    ctx.repos.leases,
    () => ctx.repos.recordings.recordableCameras(),
    {
      nodeId: nodeIdOf(ctx.config), url, capacity: c.capacity, leaseMs: c.leaseSeconds * 1000, handOversPerRound: c.handOversPerRound, fullLookEveryRounds: c.fullLookEveryRounds,
      ...(wakeups ? { wakeups: { notify: () => void wakeups.notify(LEASE_CHANNEL).catch(() => undefined), listen: (cb: () => void) => wakeups.listen(LEASE_CHANNEL, cb) } } : {}),
    },
    ctx.logger.child({ role: 'recorder', node: nodeIdOf(ctx.config) }),
  );
}

export async function startRecorderService(ctx: Context, options: { metrics?: Registry } = {}): Promise<{ recorder: Recorder; leases?: LeaseKeeper; close(): Promise<void> }> {
  // Files on this node's disk, read by the other processes until they are in the object store.
  // And the cameras it records, to the API nodes' live viewers.
  let recording: Recorder | undefined;
  const peer = await startPeerFootageServer(ctx, (id) => recording?.liveTap(id));
  const leases = leaseKeeperFor(ctx, peer?.url ?? ctx.config.cluster.advertiseUrl ?? null);
  const disk = new DiskGate(ctx.config.dataDir, ctx.logger.child({ role: 'recorder' }), storageThresholds(ctx.config.retention));
  await disk.start();
  const pool = libuvPoolSize();
  if (pool < WANTED_POOL_THREADS) {
    ctx.logger.warn(
      { uvThreadpoolSize: pool, wanted: WANTED_POOL_THREADS },
      'libuv thread pool is small for recording: start through bin/vigil.cjs (npm start does) or set UV_THREADPOOL_SIZE=64',
    );
  }
  const recorder = new Recorder({
    acceptingWrites: disk.acceptingWrites,
    dataDir: ctx.config.dataDir,
    settings: ctx.config.recorder,
    repo: ctx.repos.recordings,
    sources: ctx.sources,
    clock: ctx.clock,
    logger: ctx.logger.child({ role: 'recorder' }),
    metrics: createRecorderMetrics(options.metrics ?? ctx.metrics),
    cameraChanges: ctx.registry.changes,
    ...(leases ? { leases, fencedFootage: ctx.repos.fencedFootage } : {}),
    // Gaps, connects and errors, once indexed, on the event stream: an open event list takes them
    // live (in a cluster the hub relays them to the API nodes).
    onCameraEvents: (events) => {
      for (const e of events) ctx.health.hub.publish({ type: 'camera_event', cameraId: e.cameraId, kind: e.kind, at: e.startMs, endMs: e.endMs });
    },
  });
  recording = recorder;
  // This process's stream hubs (live view, the upward cascade) take what the sessions receive.
  const withdrawLive = offerRecordedLive(ctx.config, (id) => recorder.liveTap(id));
  await leases?.start();
  // Cameras added, put in service or retired in this process are placed at once (other
  // processes' changes at the next full look, a few rounds at most).
  const unlisten = leases ? ctx.registry.changes.on(() => leases.lookNow()) : undefined;
  await recorder.start();
  const uploader = startUploader(ctx);
  // Sources stored before the policy (or before the configuration narrowed it) are refused when
  // opened; say at start which, once, so the administrator does not learn it camera by camera.
  void ctx.registry.cameras.refusedSources().then(
    (refused) => {
      if (refused.length) ctx.logger.warn({ cameras: refused.map((c) => ({ id: c.id, reason: c.reason })) }, `${refused.length} stored camera source(s) are refused by the source policy and will not be recorded: see vigil camera check-sources`);
    },
    (e: unknown) => ctx.logger.warn({ err: e }, 'the stored camera sources could not be checked against the source policy'),
  );
  return {
    recorder,
    ...(leases ? { leases } : {}),
    async close() {
      disk.close();
      unlisten?.();
      withdrawLive();
      await recorder.close();
      await uploader?.close();
      // Files closed and indexed: the leases are given up so other nodes take over at once.
      await leases?.close();
      await peer?.close();
    },
  };
}

/**
 * With an object store: closed files are uploaded from this node's disk (resuming from the index
 * after a crash) and legal holds mirrored, every `uploadIntervalSeconds`.
 */
function startUploader(ctx: Context): FootageUploader | null {
  const objects = objectStoreOf(ctx);
  if (!objects) return null;
  const logger = ctx.logger.child({ role: 'uploader' });
  let bucketReady = false;
  const policies = cameraPolicies({ repos: ctx.repos, profile: (id) => ctx.catalogue.get(id), effectiveProfileId: (org) => ctx.registry.organisations.effectiveProfileId(org) });
  const uploader = new FootageUploader({
    repos: ctx.repos, objects, logger, clock: ctx.clock, policies,
    absolute: (p) => absoluteFootagePath(ctx.config.dataDir, p),
    keepLocalCopy: ctx.config.storage.keepLocalCopy,
    concurrency: ctx.config.storage.uploadConcurrency,
    // Footage this node kept aside after losing a camera's lease goes to the store like the rest.
    fenced: new FencedFootageUploader({
      repo: ctx.repos.fencedFootage, recordings: ctx.repos.recordings, nodeId: nodeIdOf(ctx.config), objects, clock: ctx.clock, logger,
      absolute: (p) => absoluteFootagePath(ctx.config.dataDir, p), keepLocalCopy: ctx.config.storage.keepLocalCopy,
    }),
    prepare: async () => {
      if (bucketReady) return;
      await objects.ensureBucket();
      bucketReady = true;
    },
  });
  const holds = new ObjectLockSync({ repos: ctx.repos, objects, logger, policies, fenced: ctx.repos.fencedFootage });
  uploader.start(ctx.config.storage.uploadIntervalSeconds * 1000, () => holds.sync());
  return uploader;
}
