// Where a stream hub of this process takes a camera's stream from before it opens the camera
// itself (issue 19, issue 22): the recording session of this process when the recorder role runs
// here and records the camera (its access units, no second connection to the camera); else, on
// PostgreSQL, the recorder node that holds the camera; else nothing, and the hub opens the camera.
// Asked each time a hub opens a feed, so a camera the recorder takes up or gives away later is
// found again the next time (a feed already open keeps its source until that source ends).
import { LocalLiveSource } from '../cluster/local-live.js';
import type { LiveTap } from '../cluster/peer-live.js';
import type { Config } from '../config/config.js';
import type { Db } from '../db/database.js';
import type { Repositories } from '../db/repositories.js';
import type { MediaSource } from '../ingest/source.js';
import { peerLiveRelayOf } from './peer-footage.js';

type Taps = (cameraId: number) => LiveTap | undefined;

/** The recorder of each process (by its configuration), which starts after the roles that watch. */
const recorders = new WeakMap<Config, Taps>();

/** The recorder role offers its sessions to this process's hubs; returns the withdrawal. */
export function offerRecordedLive(config: Config, taps: Taps): () => void {
  recorders.set(config, taps);
  return () => {
    if (recorders.get(config) === taps) recorders.delete(config);
  };
}

/** The hub's relay: this process's recording session of the camera, else its holder node's stream. */
export function liveRelayOf(ctx: { config: Config; db: Db; repos: Repositories }): (cameraId: number) => Promise<MediaSource | undefined> {
  const peer = peerLiveRelayOf(ctx);
  return async (cameraId) => {
    const tap = recorders.get(ctx.config)?.(cameraId);
    if (tap) return new LocalLiveSource(tap, cameraId);
    return peer?.(cameraId);
  };
}
