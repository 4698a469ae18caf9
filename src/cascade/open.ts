// Assembles the upward cascade over one SIP transport of its own: a link per configured upper
// platform (register, keepalive, re-register) and the agent that answers them from the shares.
// Used by the 'cascade' process role and by the tests, so both run the same assembly.
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import { SipEndpoint } from '../media/sip/endpoint.js';
import { SipTransport } from '../media/sip/transport.js';
import { VERSION } from '../version.js';
import { CascadeAgent } from './cascade-agent.js';
import type { ShareService } from './share.service.js';
import { UpperLink } from './upper-link.js';
import { MediaSessions } from './media-sessions.js';
import { CatalogSubscriptions } from './catalog-subscriptions.js';
import { EventSubscriptions } from './event-subscriptions.js';
import { rtpPayloadBytesFor, type Watch } from './upward-stream.js';
import { KeepOpen } from './keep-open.js';

export interface OpenCascadeOptions {
  settings: Config['cascade'];
  /** This platform's SIP ID when the cascade names none (gb28181.sipId). */
  defaultSipId: string;
  deviceName: string;
  utcOffsetMinutes: number;
  repos: Repositories;
  shares: ShareService;
  clock: Clock;
  logger: Logger;
  /** Joins a camera's feed in the stream hub; without it INVITE Play is answered 488. */
  watch?: Watch;
  /** Where recording files' paths start (config dataDir); without it Playback and Download are answered 488. */
  dataDir?: string;
  timers?: { T1: number; T2: number };
  /** Carries out a PTZCmd on a camera (where the camera is reachable for control); without it PTZ is answered 501. */
  ptz?: (cameraId: number, ptzCmd: string) => Promise<void>;
  /** Asks a camera streamed now for a keyframe (an upper's IFameCmd; the stream hub's requestKeyframe). */
  keyframe?: (cameraId: number) => Promise<boolean>;
  /** How often new alarms and due position reports are looked for (default 1 s). */
  eventPollMs?: number;
  /** How often catalog subscribers' channels are compared with the shares and cameras (default 5 s). */
  catalogRecheckMs?: number;
  /** How often the cameras to keep open (settings.keepOpen) are looked at again (default 5 s). */
  keepOpenRecheckMs?: number;
}

export interface CascadeRuntime {
  endpoint: SipEndpoint;
  agent: CascadeAgent;
  links: Map<string, UpperLink>;
  streams: MediaSessions;
  subscriptions: CatalogSubscriptions;
  events: EventSubscriptions;
  /** The cameras kept open for the uppers (settings.keepOpen). */
  keepOpen: KeepOpen;
  port: number;
  close(): Promise<void>;
}

export async function openCascade(o: OpenCascadeOptions): Promise<CascadeRuntime> {
  const s = o.settings;
  const localId = s.sipId ?? o.defaultSipId;
  const transport = new SipTransport({ host: s.host, port: s.port });
  const port = await transport.listen();
  const endpoint = new SipEndpoint(transport, { localId, contactHost: s.publicAddress, userAgent: 'Vigil', ...(o.timers ? { timers: o.timers } : {}) });
  const links = new Map(s.uppers.map((u) => [u.sipId, new UpperLink(endpoint, u, localId, o.logger, () => o.clock.now())]));
  const streams = new MediaSessions(endpoint, o.shares, o.repos, o.watch, o.repos.recordingIndex, {
    localId, publicAddress: s.publicAddress, bindHost: s.host, payloadBytes: rtpPayloadBytesFor(s.mediaPathMtu), now: () => o.clock.now(), ...(o.dataDir !== undefined ? { dataDir: o.dataDir } : {}),
  }, o.logger);
  const subscriptions = new CatalogSubscriptions(endpoint, o.shares, o.repos, { localId, maxExpiresSeconds: 86_400, now: () => o.clock.now(), ...(o.catalogRecheckMs ? { recheckMs: o.catalogRecheckMs } : {}) }, o.logger);
  const events = new EventSubscriptions(endpoint, o.shares, o.repos, { localId, maxExpiresSeconds: 86_400, utcOffsetMinutes: o.utcOffsetMinutes, now: () => o.clock.now(), ...(o.eventPollMs ? { pollMs: o.eventPollMs } : {}) }, o.logger);
  const agent = new CascadeAgent(endpoint, links, o.shares, o.repos, {
    localId, catalogItemsPerMessage: s.catalogItemsPerMessage, flood: { ratePerSecond: s.floodRatePerSecond, burst: s.floodBurst }, deviceName: o.deviceName, firmware: VERSION, now: () => o.clock.now(), utcOffsetMinutes: o.utcOffsetMinutes, ...(o.ptz ? { ptz: o.ptz } : {}), ...(o.keyframe ? { keyframe: o.keyframe } : {}),
  }, o.logger, streams, subscriptions, events);
  agent.start();
  transport.on('error', (err) => o.logger.error({ err }, 'cascade transport error'));
  const keepOpen = new KeepOpen(links, o.shares, o.repos, o.watch, { mode: s.keepOpen, now: () => o.clock.now(), ...(o.keepOpenRecheckMs ? { recheckMs: o.keepOpenRecheckMs } : {}) }, o.logger);
  for (const link of links.values()) link.start();
  return {
    endpoint,
    agent,
    links,
    streams,
    subscriptions,
    events,
    keepOpen,
    port,
    async close() {
      await keepOpen.close();
      await streams.close();
      subscriptions.close();
      events.close();
      await Promise.all([...links.values()].map((l) => l.close()));
      agent.close();
      endpoint.close();
      await transport.close();
    },
  };
}
