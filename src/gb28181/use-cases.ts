// The GB/T 28181 use cases the API serves (PTZ, the device's recordings, backfill), built the
// same way by the API role and the tests. Each reaches the devices through the platform running in
// this process, looked up per call (the API starts before the gb28181 role, and may run without it).
import type { Logger } from 'pino';
import type { SecurityLog } from '../access/security-log.js';
import type { Config } from '../config/config.js';
import type { Repositories } from '../db/repositories.js';
import { BackfillWriter } from '../recorder/backfill-writer.js';
import type { SegmentStore } from '../recorder/segment-store/segment-store.js';
import { GbBackfillService, type GbBackfillDeps } from './backfill.service.js';
import { GbDeviceRecordsService } from './device-records.service.js';
import { GbDevicePlaybackService, type DevicePlaybackDeps } from './device-playback.service.js';
import type { StreamHub } from '../live/stream-hub.js';
import type { StreamRegister } from '../live/stream-register.js';
import type { WebRtcViewerOptions } from '../live/webrtc-viewer.js';
import type { GbRuntime } from './open.js';
import { GbPtzService } from './ptz.service.js';

export interface GbUseCases {
  ptz: GbPtzService;
  deviceRecords: GbDeviceRecordsService;
  backfill: GbBackfillService;
  /** The device's own recordings played in the browser; where this process has a stream hub. */
  devicePlayback?: GbDevicePlaybackService;
  /** Releases the backfill's direct-write buffers (the store's probe file). */
  close(): Promise<void>;
}

export function gbUseCases(o: {
  repos: Repositories;
  log: SecurityLog;
  logger: Logger;
  clock: { now(): number };
  /** Where backfilled footage is written: the recorder's store and file settings. */
  store: SegmentStore;
  recorder: { fileSeconds: number; fragmentMaxMs: number };
  runtime: () => GbRuntime | undefined;
  /** gb28181.devicePlayback and gb28181.backfill of the configuration. */
  settings: Pick<Config['gb28181'], 'devicePlayback' | 'backfill'>;
  /** The stream hub and register of this process's watching (live view): device playback is watched through them. */
  live?: { hub: StreamHub; register: StreamRegister; webrtc?: WebRtcViewerOptions | undefined };
}): GbUseCases {
  const { repos, log } = o;
  const p = o.settings.devicePlayback;
  const b = o.settings.backfill;
  const playbackTimes: Pick<DevicePlaybackDeps, 'answerMs' | 'firstPictureMs' | 'silentMs' | 'maxRangeMs'> = { answerMs: p.answerSeconds * 1000, firstPictureMs: p.firstPictureSeconds * 1000, silentMs: p.silentSeconds * 1000, maxRangeMs: p.maxRangeMinutes * 60_000 };
  const backfillTimes: Pick<GbBackfillDeps, 'minGapMs' | 'stallMs' | 'maxPieceMs'> = { minGapMs: b.minGapSeconds * 1000, stallMs: b.stallSeconds * 1000, maxPieceMs: b.maxPieceMinutes * 60_000 };
  const devicePlayback = o.live
    ? new GbDevicePlaybackService({
        repos, hub: o.live.hub, register: o.live.register, logger: o.logger, clock: o.clock, ...(o.live.webrtc ? { webrtc: o.live.webrtc } : {}), ...playbackTimes,
        invite: () => { const rt = o.runtime(); return rt ? (dev, ch, transport, kind) => rt.player.play(dev, ch, transport, kind) : undefined; },
      })
    : undefined;
  const backfill = new GbBackfillService({
    repos, log, logger: o.logger, clock: o.clock, ...backfillTimes,
    recordInfo: () => { const rt = o.runtime(); return rt ? (ch, from, to) => rt.platform.queryRecordInfo(ch, from, to) : undefined; },
    // TCP: a download must arrive whole (no UDP loss to leave holes in backfilled footage).
    download: () => { const rt = o.runtime(); return rt ? (ch, range, speed) => rt.player.play(undefined, ch, 'tcp-passive', { session: 'Download', range, downloadSpeed: speed }) : undefined; },
    writer: (cameraId) => new BackfillWriter(cameraId, { store: o.store, repo: repos.recordings, logger: o.logger }, o.recorder),
  });
  return {
    ...(devicePlayback ? { devicePlayback } : {}),
    ptz: new GbPtzService({ repos, log, control: () => { const rt = o.runtime(); return rt ? (ch, cmd) => rt.platform.deviceControl(ch, cmd) : undefined; } }),
    deviceRecords: new GbDeviceRecordsService({ repos, log, recordInfo: () => { const rt = o.runtime(); return rt ? (ch, from, to) => rt.platform.queryRecordInfo(ch, from, to) : undefined; } }),
    backfill,
    close: async () => {
      await backfill.close();
      await devicePlayback?.closeAll();
      await o.store.close();
    },
  };
}
