// Emergency connection (接入, R2.1, R2.3; AH-20, WH-20, HRB-13): a system not normally connected
// upward keeps its interface ready — the upper platform configured with `onDemand: true`, which the
// cascade role leaves alone — and connects on demand, for the period of an approved access request
// of kind `connect` (the approval is the one the jurisdiction profile names, `access.connectApproval`).
// These are the pure rules; the use case is `emergency.service.ts`.
import type { Config } from '../config/config.js';
import { effectiveState, type RequestKind, type RequestState } from '../access/access-request.js';

export type UpperConfig = Config['cascade']['uppers'][number];

/** The upper platforms that connect only on demand, by SIP ID. */
export function onDemandUppers(settings: Config['cascade']): UpperConfig[] {
  return settings.uppers.filter((u) => u.onDemand);
}

/** Why this platform cannot be connected on demand, or null. */
export function platformProblem(settings: Config['cascade'], sipId: string): string | null {
  const upper = settings.uppers.find((u) => u.sipId === sipId);
  if (!upper) return `no upper platform ${sipId} is configured (cascade.uppers)`;
  if (!upper.onDemand) return `upper platform ${sipId} is always connected by the cascade role; an emergency connection is for an upper with onDemand: true`;
  return null;
}

export interface ConnectFacts {
  kind: RequestKind;
  state: RequestState;
  validUntil: number | null;
  /** The period the request names. */
  from: number;
  to: number;
}

export type ConnectRefusal = 'connect-not-connection' | 'connect-already-open' | 'connect-not-approved' | 'connect-period';

/** Why this request does not let the connection open now (a code for the console, the words for the register), or null. */
export function connectProblem(r: ConnectFacts, now: number): { reason: ConnectRefusal; message: string; state?: string } | null {
  if (r.kind !== 'connect') return { reason: 'connect-not-connection', message: `access request is a ${r.kind} request, not a connection` };
  const state = effectiveState(r, now);
  if (state === 'in_use') return { reason: 'connect-already-open', message: 'the connection of this request is already open' };
  if (state !== 'approved') return { reason: 'connect-not-approved', message: state === 'expired' ? 'the approval has expired' : `the request is ${state}, not approved`, state };
  if (now < r.from) return { reason: 'connect-period', message: 'the approved period has not begun' };
  if (now >= r.to) return { reason: 'connect-period', message: 'the approved period is over' };
  return null;
}

/** How long a period reads in the register. */
export function spoken(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
