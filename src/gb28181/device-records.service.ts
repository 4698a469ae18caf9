// The device's own recordings of a GB/T 28181 channel (RecordInfo, §9.7) for the playback
// timeline, beside Vigil's recording and marked as the device's: who may see them is who may play
// the camera back (the `play-back` policy); a refusal is registered once and thrown.
import type { Actor } from '../access/actor.js';
import { can, refusal } from '../access/policy.js';
import type { SecurityLog } from '../access/security-log.js';
import { cameraSubject } from '../access/subjects.js';
import type { Repositories } from '../db/repositories.js';
import { Errors } from '../errors.js';
import type { DeviceRecording } from './record-info.js';

export type RecordInfoQuery = (channelId: string, fromMs: number, toMs: number) => Promise<DeviceRecording[]>;

export interface DeviceRecordRange {
  startMs: number;
  endMs: number;
  /** Always 'device': kept on the camera's device (NVR/SD card), not recorded by Vigil. */
  source: 'device';
  type: string | null;
  name: string | null;
}

export class GbDeviceRecordsService {
  constructor(private readonly deps: { repos: Repositories; log: SecurityLog; recordInfo: () => RecordInfoQuery | undefined }) {}

  async list(actor: Actor, cameraId: number, fromMs: number, toMs: number): Promise<{ cameraId: number; channelId: string | null; from: number; to: number; ranges: DeviceRecordRange[] }> {
    if (!(toMs > fromMs) || toMs - fromMs > 32 * 86_400_000) throw Errors.validation('the span must end after it starts and last at most 32 days');
    const subject = await cameraSubject(this.deps.repos, cameraId);
    if (!can(actor, 'play-back', subject)) {
      return this.deps.log.refuse(actor, { action: 'playback', cameraIds: [cameraId], from: fromMs, to: toMs, target: `camera ${cameraId} device recordings (RecordInfo)` }, can(actor, 'see', subject) ? Errors.forbidden(`the device recordings of camera ${cameraId} are refused: you may not play this camera back`).withParams({ reason: 'device-records-not-permitted' }) : refusal('play-back', subject, actor));
    }
    const camera = (await this.deps.repos.cameras.get(cameraId))!;
    const channelId = /^gb28181:\/\/[^/]*\/(\d{20})/.exec(camera.sourceUrl ?? '')?.[1];
    // Only a GB/T 28181 device keeps recordings we can ask for: any other camera's device holds none
    // we know of (the timeline asks this of every camera it draws).
    if (!channelId) return { cameraId, channelId: null, from: fromMs, to: toMs, ranges: [] };
    const query = this.deps.recordInfo();
    if (!query) throw Errors.unavailable('the GB/T 28181 platform does not run in this process (role gb28181)');
    let items: DeviceRecording[];
    try {
      items = await query(channelId, fromMs, toMs);
    } catch (e) {
      throw Errors.unavailable(`the device of camera ${cameraId} did not answer RecordInfo: ${e instanceof Error ? e.message : String(e)}`);
    }
    const ranges = items
      .map((r) => ({ startMs: Math.max(fromMs, r.startMs), endMs: Math.min(toMs, r.endMs), source: 'device' as const, type: r.type ?? null, name: r.name ?? null }))
      .filter((r) => r.endMs > r.startMs);
    return { cameraId, channelId, from: fromMs, to: toMs, ranges };
  }
}
