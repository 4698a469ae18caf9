// Emergency connection (R2.1, R2.3): a system not normally connected upward keeps its interface
// ready — the upper platform configured with `onDemand: true`, which the cascade role leaves alone —
// and connects on demand, for a stated period, under an approved request: the cascade opens for
// that one upper (register, keepalive, catalog and streams of what is shared with it, as always),
// and ends by itself when the period is over (or when stopped earlier), unregistering. The opening
// (period, reason, approval document) and the end are registered with the upper as destination.
import type { Logger } from 'pino';
import type { SecurityLog } from '../access/security-log.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import { Errors } from '../errors.js';
import { openCascade, type CascadeRuntime } from './open.js';
import { describeRecipient } from './share.js';
import type { ShareService } from './share.service.js';
import type { Watch } from './upward-stream.js';

export const EMERGENCY_MAX_MS = 24 * 3_600_000;

export interface EmergencyRequest {
  upperSipId: string;
  durationMs: number;
  reason: string;
  /** The approval of the request to connect (R2.3: with the head's approval). */
  approvalDocument: string;
}

/** Which configured upper the request names, or why it cannot be connected on demand. */
export function checkEmergency(settings: Config['cascade'], r: EmergencyRequest): Config['cascade']['uppers'][number] {
  const problems: { path: string; message: string }[] = [];
  const upper = settings.uppers.find((u) => u.sipId === r.upperSipId);
  if (!upper) problems.push({ path: 'upper', message: `no upper platform ${r.upperSipId} is configured (cascade.uppers)` });
  else if (!upper.onDemand) problems.push({ path: 'upper', message: `upper platform ${r.upperSipId} is always connected by the cascade role; an emergency connection is for an upper with onDemand: true` });
  if (!(r.durationMs > 0) || r.durationMs > EMERGENCY_MAX_MS) problems.push({ path: 'duration', message: `a period above 0 and at most ${EMERGENCY_MAX_MS / 3_600_000} h` });
  if (!r.reason.trim() || r.reason.length > 500) problems.push({ path: 'reason', message: 'the reason for connecting, 1 to 500 characters' });
  if (!r.approvalDocument.trim() || r.approvalDocument.length > 500) problems.push({ path: 'approval', message: "the approval's number and title, 1 to 500 characters" });
  if (problems.length) throw Errors.validation('the emergency connection cannot be opened', problems);
  return upper!;
}

export interface EmergencyDeps {
  settings: Config['cascade'];
  defaultSipId: string;
  deviceName: string;
  utcOffsetMinutes: number;
  repos: Repositories;
  shares: ShareService;
  log: SecurityLog;
  clock: Clock;
  logger: Logger;
  watch?: Watch;
  dataDir?: string;
  timers?: { T1: number; T2: number };
}

export interface EmergencyConnection {
  runtime: CascadeRuntime;
  until: number;
  /** Resolves when the connection has ended and its end is registered, with why it ended. */
  ended: Promise<string>;
  /** Ends it before its period is over. */
  stop(reason: string): void;
}

export async function openEmergencyConnection(d: EmergencyDeps, r: EmergencyRequest): Promise<EmergencyConnection> {
  const upper = checkEmergency(d.settings, r);
  const destination = describeRecipient('platform', upper.name);
  const openedAt = d.clock.now();
  const until = openedAt + r.durationMs;
  const base = { action: 'config_change' as const, destination, detail: { upper: upper.sipId, approvalDocument: r.approvalDocument.trim(), until } };
  await d.log.record(null, { ...base, outcome: 'success', from: openedAt, to: until, reason: r.reason.trim(), target: `emergency connection to ${destination} opened for ${r.durationMs >= 60_000 ? `${Math.round(r.durationMs / 60_000)} min` : `${Math.round(r.durationMs / 1000)} s`} (command line)` });
  // Only this upper; a port of its own (the cascade role may hold cascade.port), named in Via and Contact.
  const runtime = await openCascade({
    settings: { ...d.settings, port: 0, uppers: [{ ...upper, onDemand: false }] },
    defaultSipId: d.defaultSipId, deviceName: d.deviceName, utcOffsetMinutes: d.utcOffsetMinutes, repos: d.repos, shares: d.shares, clock: d.clock, logger: d.logger,
    ...(d.watch ? { watch: d.watch } : {}), ...(d.dataDir !== undefined ? { dataDir: d.dataDir } : {}), ...(d.timers ? { timers: d.timers } : {}),
  });
  let resolveStop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (resolveStop = resolve));
  const timer = setTimeout(() => resolveStop('the period ended'), r.durationMs);
  const ended = stopped.then(async (why) => {
    clearTimeout(timer);
    await runtime.close();
    await d.log.record(null, { ...base, outcome: 'success', from: openedAt, to: Math.max(openedAt, d.clock.now()), reason: why, target: `emergency connection to ${destination} ended` });
    return why;
  });
  return { runtime, until, ended, stop: (why) => resolveStop(why) };
}
