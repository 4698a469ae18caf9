// The API role: the HTTP API, its OpenAPI page, metrics, and the web console's static files.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../api/app.js';
import { consolePlugin } from '../api/plugins/console.js';
import { openWatching } from './watching.js';
import { projectRoot } from '../project-root.js';
import { openEvidence } from './evidence.js';
import { RestreamServer } from '../restream/restream-server.js';
import type { Context } from './context.js';
import { storageThresholds } from '../storage/disk-usage.js';
import { gbUseCases } from '../gb28181/use-cases.js';
import { SegmentStore } from '../recorder/segment-store/segment-store.js';
import { gbInProcess } from './gb28181.service.js';
import { openEmergency } from './cascade.service.js';

export interface ApiServiceOptions {
  /** `vigil serve --demo`: the API docs are open unless http.publicDocs says otherwise. */
  demo?: boolean;
  /** The built console to serve (default: the project's dist/web); a benchmark serves two builds side by side. */
  webRoot?: string;
}

export async function startApiService(ctx: Context, options: ApiServiceOptions = {}): Promise<{ url: string; close(): Promise<void> }> {
  const webRoot = options.webRoot ?? join(projectRoot(), 'dist', 'web');
  const watching = openWatching(ctx);
  // Exports and maskings run in this process and say so every few seconds: one whose process
  // stopped (this one before a restart, or another API process) is failed and its folder removed.
  const evidence = openEvidence(ctx);
  await evidence.exports.recover();
  await evidence.releases.recover();
  evidence.exports.watch();
  evidence.releases.watch();
  const stopEvidence = () => Promise.all([evidence.exports.stopWatching(), evidence.releases.stopWatching()]);
  // The masking models load now, so a missing or corrupt one is said at start, not at the first release.
  evidence.warmMasker().catch((err: unknown) => ctx.logger.error({ err }, 'the release masking models cannot be loaded: releases will fail until they are installed'));
  const r = ctx.config.retention;
  const gbCases = gbUseCases({
    repos: ctx.repos,
    log: ctx.access.log,
    logger: ctx.logger.child({ role: 'gb28181' }),
    clock: ctx.clock,
    store: new SegmentStore(ctx.config.dataDir, { directIo: ctx.config.recorder.directIo }),
    recorder: ctx.config.recorder,
    runtime: () => gbInProcess.runtime,
    settings: ctx.config.gb28181,
    ...(watching.media.live ? { live: watching.media.live } : {}),
  });
  // Backfills run in this process and say so every few seconds: one whose process stopped (this
  // one before a restart, or another API process) is marked interrupted (its partial range left nothing).
  await gbCases.backfill.recover();
  gbCases.backfill.watch();
  // Emergency connections opened through the API run in this process, from its stream hub.
  const hub = watching.media.live?.hub;
  const emergency = openEmergency(ctx, 'API', hub ? (id, viewer) => hub.watch(id, viewer) : undefined, hub ? (id) => hub.requestKeyframe(id) : undefined);
  // Connections whose process crashed (this one before a restart, or `vigil cascade connect`) are taken over here.
  void emergency.watch();
  const app = await buildApp({
    db: ctx.db,
    registry: ctx.registry,
    profiles: ctx.profiles,
    access: ctx.access,
    version: ctx.version,
    logger: ctx.logger,
    metrics: ctx.metrics,
    media: watching.media,
    health: { health: ctx.health, dataDir: ctx.config.dataDir },
    supervision: ctx.supervision,
    shares: { shares: ctx.shares },
    emergency,
    gb28181: gbCases,
    evidence: {
      ...evidence,
      keys: ctx.audit.keys,
      dataDir: ctx.config.dataDir,
      absolute: (p) => evidence.store.absolute(p),
      thresholds: storageThresholds(r),
    },
    security: {
      trustedProxies: ctx.config.http.trustedProxies,
      publicDocs: ctx.config.http.publicDocs ?? options.demo === true,
      metricsToken: ctx.config.metrics.token,
    },
    plugins: existsSync(webRoot) ? [consolePlugin(webRoot)] : [],
  });
  const address = await app.listen({ host: ctx.config.http.host, port: ctx.config.http.port });
  const live = watching.media.live;
  const { restream: rs } = ctx.config;
  const restream = rs.enabled && live ? new RestreamServer({ hub: live.hub, register: live.register, access: ctx.access, host: rs.host, port: rs.port, logger: ctx.logger.child({ role: 'restream' }) }) : undefined;
  try {
    await restream?.listen();
  } catch (e) {
    await emergency.close();
    await watching.close();
    await app.close();
    await gbCases.close();
    await stopEvidence();
    throw e;
  }
  return {
    url: address.replace('0.0.0.0', '127.0.0.1'),
    async close() {
      await restream?.close();
      await emergency.close();
      await watching.close();
      await app.close();
      await gbCases.close();
      await stopEvidence();
    },
  };
}
