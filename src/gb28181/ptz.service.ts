// PTZ of a GB/T 28181 channel as a use case (issue 18 §6): who may steer is decided here — the
// `control-ptz` policy (ptz:control within the camera's scope: duty operators, maintainers) —
// so the API, the CLI and anything else obey the same rule. Every command sent is registered
// (config_change, the register's action for ptz:control); a refusal is registered once and
// thrown. The command goes to the channel's device as DeviceControl/PTZCmd (ptz.ts).
import type { Actor } from '../access/actor.js';
import { can, refusal } from '../access/policy.js';
import type { SecurityLog } from '../access/security-log.js';
import { cameraSubject } from '../access/subjects.js';
import type { Repositories } from '../db/repositories.js';
import { Errors } from '../errors.js';
import { ptzMoveCmd, ptzPresetCmd } from './ptz.js';

export type PtzCommand =
  | { action: 'move'; pan?: 'left' | 'right'; tilt?: 'up' | 'down'; zoom?: 'in' | 'out'; speed?: number; zoomSpeed?: number }
  | { action: 'stop' }
  | { action: 'preset'; op: 'set' | 'goto' | 'delete'; preset: number };

/** Sends a PTZCmd to a channel (GbPlatform.deviceControl); rejects when its device is not registered. */
export type DeviceControl = (channelId: string, ptzCmd: string) => Promise<void>;

export interface GbPtzDeps {
  repos: Repositories;
  log: SecurityLog;
  /** Undefined when no GB/T 28181 platform runs in this process. */
  control: () => DeviceControl | undefined;
}

/** "move left up zoom in", "stop", "preset goto 3". */
export function describePtz(c: PtzCommand): string {
  if (c.action === 'stop') return 'stop';
  if (c.action === 'preset') return `preset ${c.op} ${c.preset}`;
  return ['move', c.pan, c.tilt, c.zoom ? `zoom ${c.zoom}` : undefined].filter(Boolean).join(' ');
}

export class GbPtzService {
  constructor(private readonly deps: GbPtzDeps) {}

  /**
   * Whether the console should offer a PTZ pad on this camera: a GB/T 28181 channel the actor may
   * steer. Nothing is attempted, so nothing is registered; the stream address stays unshown.
   */
  async offer(actor: Actor, cameraId: number): Promise<{ gb28181: boolean; mayControl: boolean }> {
    const subject = await cameraSubject(this.deps.repos, cameraId);
    // A camera one may not see is answered as one that does not exist (registered like any refusal).
    if (!can(actor, 'see', subject)) {
      return this.deps.log.refuse(actor, { action: 'config_change', cameraIds: [cameraId], reason: 'camera out of scope', target: `camera ${cameraId} PTZ offer` }, refusal('control-ptz', subject, actor));
    }
    const camera = (await this.deps.repos.cameras.get(cameraId))!;
    return { gb28181: /^gb28181:\/\//.test(camera.sourceUrl ?? ''), mayControl: can(actor, 'control-ptz', subject) };
  }

  async command(actor: Actor, cameraId: number, c: PtzCommand): Promise<{ ptzCmd: string }> {
    const subject = await cameraSubject(this.deps.repos, cameraId);
    const camera = (await this.deps.repos.cameras.get(cameraId))!;
    const what = describePtz(c);
    const entry = { action: 'config_change' as const, cameraIds: [cameraId], target: `camera ${cameraId} PTZ ${what}` };
    if (!can(actor, 'control-ptz', subject)) {
      return this.deps.log.refuse(actor, { ...entry, reason: 'no permission to steer this camera (ptz:control)' }, can(actor, 'see', subject) ? Errors.forbidden(`PTZ of camera ${cameraId} refused: you may not steer this camera`).withParams({ reason: 'ptz-not-permitted' }) : refusal('control-ptz', subject, actor));
    }
    const channel = /^gb28181:\/\/[^/]*\/(\d{20})/.exec(camera.sourceUrl ?? '')?.[1];
    if (!channel) throw Errors.validation(`camera ${cameraId} is not a GB/T 28181 channel: PTZ goes to GB/T 28181 devices only`);
    if (c.action === 'move' && !c.pan && !c.tilt && !c.zoom) throw Errors.validation('a move names pan, tilt or zoom (or send stop)');
    const ptzCmd = c.action === 'preset' ? ptzPresetCmd(c.op, c.preset) : ptzMoveCmd(c.action === 'stop' ? {} : c);
    const control = this.deps.control();
    if (!control) throw Errors.unavailable('the GB/T 28181 platform does not run in this process (role gb28181)');
    try {
      await control(channel, ptzCmd);
    } catch (e) {
      await this.deps.log.record(actor, { ...entry, outcome: 'failed', reason: e instanceof Error ? e.message : String(e), detail: { channel, ptzCmd } });
      throw Errors.unavailable(`PTZ of camera ${cameraId} not delivered: ${e instanceof Error ? e.message : String(e)}`);
    }
    await this.deps.log.record(actor, { ...entry, outcome: 'success', detail: { channel, ptzCmd } });
    return { ptzCmd };
  }
}
