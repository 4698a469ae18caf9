// The recorder role: records every camera in service that has a source URL, with its metrics on
// the registry the process shares with /metrics (the context's unless given).
import type { Registry } from 'prom-client';
import { Recorder } from '../recorder/recorder.js';
import { sizeLibuvPoolForRecording } from '../config/environment.js';
import { DiskGate } from '../recorder/disk-gate.js';
import { createRecorderMetrics } from '../recorder/metrics.js';
import type { Context } from './context.js';

// Every fragment of every camera ends in an fsync, which holds a libuv pool thread for as long as
// the disk takes; with the default four threads a hundred cameras queue behind each other. The
// pool is sized when first used, so this must run at load time, before any asynchronous I/O.
sizeLibuvPoolForRecording();

export async function startRecorderService(ctx: Context, options: { metrics?: Registry } = {}): Promise<{ recorder: Recorder; close(): Promise<void> }> {
  const r = ctx.config.retention;
  const disk = new DiskGate(ctx.config.dataDir, ctx.logger.child({ role: 'recorder' }), {
    warning: r.diskWarningPercent / 100,
    critical: r.diskCriticalPercent / 100,
    full: r.diskFullPercent / 100,
  });
  await disk.start();
  const recorder = new Recorder({
    acceptingWrites: disk.acceptingWrites,
    dataDir: ctx.config.dataDir,
    settings: ctx.config.recorder,
    repo: ctx.repos.recordings,
    clock: ctx.clock,
    logger: ctx.logger.child({ role: 'recorder' }),
    metrics: createRecorderMetrics(options.metrics ?? ctx.metrics),
  });
  await recorder.start();
  return {
    recorder,
    async close() {
      disk.close();
      await recorder.close();
    },
  };
}
