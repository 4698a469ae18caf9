// The 'cascade' role: this platform as a lower platform registering to the configured upper
// platforms (cascade.uppers) on cascade.host:port, answering them from the shares and sending
// live video of shared channels from the process's stream hub.
import { openCascade, type CascadeRuntime } from '../cascade/open.js';
import { EmergencyService } from '../cascade/emergency.service.js';
import type { Watch } from '../cascade/upward-stream.js';
import type { GbRuntime } from '../gb28181/open.js';
import type { Context } from './context.js';
import { joinProcessHub } from './process-hub.js';
import type { CameraRepository } from '../db/camera.repository.js';
import { parseOnvifUrl } from '../ingest/onvif-source.js';
import { OnvifClient } from '../onvif/device.js';
import { onvifPtzAction } from '../onvif/ptz.js';

/**
 * How PTZ an upper gives under a share (checked and registered by the cascade agent) reaches the
 * camera: a GB/T 28181 channel (gb28181://device/channel) as DeviceControl through the platform
 * when it runs in this process; an ONVIF camera (onvif://) through its PTZ service, the command
 * turned into ContinuousMove, Stop or a preset operation (src/onvif/ptz.ts) on the camera's
 * profile (the one its URL names, else its first), the device's host admitted by the source guard.
 */
export function cascadePtz(d: { cameras: Pick<CameraRepository, 'get'>; gb?: GbRuntime | undefined; admit?: (u: URL) => Promise<string> }) {
  return async (cameraId: number, ptzCmd: string): Promise<void> => {
    const url = (await d.cameras.get(cameraId))?.sourceUrl ?? '';
    const gbChannel = /^gb28181:\/\/\d{20}\/(\d{20})/.exec(url)?.[1];
    if (gbChannel) {
      if (!d.gb) throw new Error(`camera ${cameraId} is a GB/T 28181 channel and the gb28181 role does not run in this process`);
      return d.gb.platform.deviceControl(gbChannel, ptzCmd);
    }
    if (!url.startsWith('onvif://')) throw new Error(`camera ${cameraId} is neither a GB/T 28181 channel nor an ONVIF camera: PTZ cannot reach it`);
    const action = onvifPtzAction(ptzCmd);
    const target = parseOnvifUrl(new URL(url));
    const client = new OnvifClient({ address: target.address, ...(target.username !== undefined ? { username: target.username, password: target.password ?? '' } : {}), ...(d.admit ? { admit: d.admit } : {}) });
    await client.getSystemDateAndTime().catch(() => undefined);
    const profile = target.profile ?? (await client.getProfiles())[0]?.token;
    if (!profile) throw new Error(`ONVIF camera ${cameraId} has no media profile to steer`);
    await client.ptz(profile, action);
  };
}

/**
 * `gb`: the GB/T 28181 platform when this process runs that role too; PTZ an upper may give under
 * a share then reaches GB cameras (gb28181://device/channel) through it. Other cameras: 501.
 */
export async function startCascadeService(ctx: Context, gb?: GbRuntime): Promise<CascadeRuntime> {
  const logger = ctx.logger.child({ role: 'cascade' });
  const settings = ctx.config.cascade;
  // The process's hub, shared with live view when the api role runs here (process-hub.ts). A
  // camera the recorder of this process records is forwarded from the recorder's session
  // (live-relay.ts), not opened a second time.
  const shared = joinProcessHub(ctx);
  const hub = shared.hub;
  let cascade: CascadeRuntime;
  try {
    cascade = await openCascade({
      // Uppers connected only on demand (emergency connection) are left to `vigil cascade connect`.
      settings: { ...settings, uppers: settings.uppers.filter((u) => !u.onDemand) },
      defaultSipId: ctx.config.gb28181.sipId,
      deviceName: `Vigil ${settings.sipId ?? ctx.config.gb28181.sipId}`,
      utcOffsetMinutes: ctx.config.health.utcOffsetMinutes,
      repos: ctx.repos,
      shares: ctx.shares,
      clock: ctx.clock,
      logger,
      watch: (id, viewer) => hub.watch(id, viewer),
      dataDir: ctx.config.dataDir,
      ptz: cascadePtz({ cameras: ctx.repos.cameras, gb, admit: (u) => ctx.sources.admitAddress(u) }),
      keyframe: (id) => hub.requestKeyframe(id),
    });
  } catch (e) {
    await shared.leave();
    throw e;
  }
  for (const link of cascade.links.values()) {
    link.on('state', (state, detail) => logger.info({ upper: link.settings.sipId, name: link.settings.name, state, detail }, 'upper platform link'));
  }
  logger.info({ port: cascade.port, uppers: settings.uppers.map((u) => u.sipId) }, 'GB/T 28181 cascade listening');
  if (!settings.uppers.length) logger.warn('the cascade role runs but no upper platform is configured (cascade.uppers)');
  return {
    ...cascade,
    async close() {
      await cascade.close();
      await shared.leave();
    },
  };
}

/**
 * Emergency connections (接入) opened in this process (`where`: the API, the command line), each
 * for one upper configured onDemand, serving live video from `watch` when given, and passing the
 * upper's keyframe requests (IFameCmd) to `keyframe` (the same hub's requestKeyframe).
 */
export function openEmergency(ctx: Context, where: string, watch?: Watch, keyframe?: (cameraId: number) => Promise<boolean>): EmergencyService {
  const settings = ctx.config.cascade;
  return new EmergencyService({
    settings, repos: ctx.repos, requests: ctx.access.requests, log: ctx.access.log, clock: ctx.clock, logger: ctx.logger.child({ role: 'emergency' }), where, heartbeatMs: settings.emergencyHeartbeatSeconds * 1000,
    cascade: {
      defaultSipId: ctx.config.gb28181.sipId,
      deviceName: `Vigil ${settings.sipId ?? ctx.config.gb28181.sipId}`,
      utcOffsetMinutes: ctx.config.health.utcOffsetMinutes,
      repos: ctx.repos, shares: ctx.shares, clock: ctx.clock, logger: ctx.logger.child({ role: 'emergency' }), dataDir: ctx.config.dataDir,
      ...(watch ? { watch } : {}),
      ...(keyframe ? { keyframe } : {}),
    },
  });
}
