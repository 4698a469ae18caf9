// Assembles the GB/T 28181 platform over one SIP transport: the use cases (registry through its
// own services, access register for changes and refusals) and the SIP side. Used by the
// 'gb28181' process role and by the tests, so both run the same assembly.
import type { Logger } from 'pino';
import type { SecurityLog } from '../access/security-log.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import { SipEndpoint } from '../media/sip/endpoint.js';
import { SipTransport } from '../media/sip/transport.js';
import type { Registry } from '../registry/index.js';
import { GbDeviceService } from './device.service.js';
import { GbPlatform } from './sip-platform.js';
import { MediaReceiver } from './media-receiver.js';
import { GbPlayer } from './play.js';
import type { GbLivePlayer } from '../ingest/gb28181-source.js';

export interface OpenGbOptions {
  settings: Config['gb28181'];
  utcOffsetMinutes: number;
  repos: Repositories;
  registry: Registry;
  log: SecurityLog;
  clock: Clock;
  logger: Logger;
  /** Test hooks: ask new devices for DeviceInfo/Catalog (default true); SIP timers. */
  queryOnRegister?: boolean;
  digestQop?: boolean;
  timers?: { T1: number; T2: number };
  /** How long follow-ups of a registration wait while others register (GbPlatformOptions.followUpHoldMs). */
  followUpHoldMs?: number;
  /** Devices' MESSAGE and NOTIFY in slices of this long after REGISTERs (GbPlatformOptions.messageSliceMs; bench:gb A/B). */
  messageSliceMs?: number;
  /** Where device alarms go (the health alarms); without it they are only logged. */
  alarms?: GbAlarmSink;
}

/** The part of the health alarm service device alarms need. */
export interface GbAlarmSink {
  raise(a: { kind: 'device_alarm'; severity: 'info' | 'warning' | 'critical'; camera_id: number | null; organisation_id: number | null; title: string; clip_from?: number | null; clip_to?: number | null; detail?: Record<string, unknown> }): Promise<unknown>;
}

export interface GbRuntime {
  platform: GbPlatform;
  service: GbDeviceService;
  endpoint: SipEndpoint;
  /** Live video of channels: INVITE, media on the shared receiver. */
  player: GbPlayer;
  receiver: MediaReceiver;
  port: number;
  close(): Promise<void>;
}

export async function openGb28181(o: OpenGbOptions): Promise<GbRuntime> {
  const s = o.settings;
  const domain = s.domain ?? s.sipId.slice(0, 10);
  const transport = new SipTransport({ host: s.host, port: s.port });
  const port = await transport.listen();
  const endpoint = new SipEndpoint(transport, { localId: s.sipId, contactHost: s.publicAddress, userAgent: 'Vigil', ...(o.timers ? { timers: o.timers } : {}) });
  const service = new GbDeviceService({
    repo: o.repos.gbDevices,
    cameras: o.repos.cameras,
    groups: o.repos.cameraGroups,
    organisations: o.repos.organisations,
    registry: o.registry,
    settings: { ...s, domain },
    clock: o.clock,
    recordChange: (deviceId) => (trx, change) =>
      o.log.append(trx, null, {
        action: 'registry_change',
        outcome: 'success',
        cameraIds: change.cameraIds ?? [],
        target: `${change.object}${change.id !== undefined ? `:${change.id}` : ''} ${change.action} (GB/T 28181 catalog of ${deviceId})`,
        detail: change.detail ?? {},
      }),
    recordRefusal: async (deviceId, channelId, error) => {
      await o.log.record(null, {
        action: 'registry_change',
        outcome: 'refused',
        cameraIds: [],
        target: `camera ${channelId} create (GB/T 28181 catalog of ${deviceId})`,
        reason: error.message,
        detail: { gbId: channelId, device: deviceId, ...('code' in error ? { code: (error as { code: string }).code } : {}), ...('articles' in error ? { articles: (error as { articles: string[] }).articles } : {}) },
      });
    },
  });
  const platform = new GbPlatform(endpoint, service, { sipId: s.sipId, domain, utcOffsetMinutes: o.utcOffsetMinutes, ...(o.queryOnRegister !== undefined ? { queryOnRegister: o.queryOnRegister } : {}), ...(o.digestQop !== undefined ? { digestQop: o.digestQop } : {}), ...(o.followUpHoldMs !== undefined ? { followUpHoldMs: o.followUpHoldMs } : {}), ...(o.messageSliceMs !== undefined ? { messageSliceMs: o.messageSliceMs } : {}), catalogSubscribeSeconds: s.catalogSubscribeSeconds, queryTimeoutMs: s.queryTimeoutSeconds * 1000 }, o.clock, o.logger);
  platform.start();
  const receiver = new MediaReceiver({ host: s.host, portMin: s.mediaPortMin, portMax: s.mediaPortMax });
  await receiver.start();
  const player = new GbPlayer(endpoint, receiver, o.repos.gbDevices, { sipId: s.sipId, domain, publicAddress: s.publicAddress });
  platform.on('offline', (id, reason) => player.endDevice(id, `device offline (${reason === 'expired' ? 'registration expired' : 'keepalives missed'})`));
  platform.on('unregistered', (id) => player.endDevice(id, 'device unregistered'));
  platform.on('mediaStatus', (id, callId, type) => {
    if (!player.mediaStatus(id, callId, type)) o.logger.info({ deviceId: id, callId, type }, 'GB/T 28181 MediaStatus for no session of ours');
  });
  // Device alarms (Alarm NOTIFY) become health alarms on the channel's camera, with the recording's
  // range around the alarm time so the console can open it.
  platform.on('alarm', (a) => {
    o.logger.warn({ ...a }, 'GB/T 28181 device alarm');
    void (async () => {
      const cam = await o.repos.cameras.getByGbId(a.channelId);
      const at = a.atMs ?? o.clock.now();
      await o.alarms?.raise({
        kind: 'device_alarm',
        severity: a.priority <= 1 ? 'critical' : a.priority === 2 ? 'warning' : 'info',
        camera_id: cam?.id ?? null,
        organisation_id: cam?.regionId ?? null,
        title: `GB/T 28181 alarm from ${a.channelId}${a.description ? `: ${a.description}` : ''}`,
        clip_from: at - 10_000,
        clip_to: at + 20_000,
        detail: { device: a.deviceId, channel: a.channelId, priority: a.priority, method: a.method, type: a.type ?? null },
      });
    })().catch((err: unknown) => o.logger.error({ err }, 'GB/T 28181 alarm not stored'));
  });
  transport.on('malformed', (err, remote) => o.logger.debug({ err: err.message, remote }, 'GB/T 28181: not SIP, dropped'));
  transport.on('error', (err) => o.logger.error({ err }, 'GB/T 28181 transport error'));
  return {
    platform,
    service,
    endpoint,
    player,
    receiver,
    port,
    async close() {
      await platform.lowers?.close();
      platform.close();
      await receiver.close();
      endpoint.close();
      await transport.close();
    },
  };
}

/**
 * What gb28181:// camera sources use of a running platform (src/ingest/gb28181-source.ts): its
 * player to INVITE a channel, and DeviceControl IFameCmd to ask the channel for a keyframe.
 */
export function livePlayerOf(gb: Pick<GbRuntime, 'player' | 'platform'>): GbLivePlayer {
  return {
    play: (device, channel, transport) => gb.player.play(device, channel, transport),
    requestKeyframe: (_device, channel) => gb.platform.requestKeyframe(channel),
  };
}
