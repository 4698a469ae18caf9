// What a share is and the pure decisions about it (共享, HRB-20, CN-8, HB-14, AH-5, R2.2): its
// rights, its recipients, whether it lets a recipient have a right now, and the register action
// a disclosure under each right counts as. No I/O; the clock is an argument.
import type { AuditAction } from '../audit/entry.js';
import type { ShareRecord } from '../db/share.repository.js';

export const SHARE_RIGHTS = ['catalog', 'live', 'playback', 'download', 'ptz'] as const;
export type ShareRight = (typeof SHARE_RIGHTS)[number];

/** An upper platform (by its 20-digit SIP ID), another department's organisation, an API client's account. */
export const RECIPIENT_KINDS = ['platform', 'organisation', 'api_client'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

export interface Recipient {
  kind: RecipientKind;
  /** SIP ID, organisation id or user id, as text. */
  ref: string;
}

export type ShareState = 'pending' | 'active' | 'expired' | 'revoked';

/** The register action a disclosure under a right counts as. */
export const ACTION_OF_RIGHT: Record<ShareRight, AuditAction> = {
  catalog: 'registry_view',
  live: 'view',
  playback: 'playback',
  // Footage leaving for another platform is an export; 复制 (copy) is an officer's act under R5.3's two-officer rule.
  download: 'export',
  ptz: 'config_change',
};

export function shareState(s: Pick<ShareRecord, 'validFrom' | 'validTo' | 'revokedAt'>, now: number): ShareState {
  if (s.revokedAt !== null) return 'revoked';
  if (now < s.validFrom) return 'pending';
  if (now >= s.validTo) return 'expired';
  return 'active';
}

export type ShareVerdict = { ok: true; share: ShareRecord } | { ok: false; reason: string };

/**
 * Whether any of a recipient's shares (with their resolved cameras) lets it have `right` on the
 * camera at `now`; when none does, the reason names the nearest miss (revoked, expired, not yet
 * valid, right not granted, not shared), so the register says why.
 */
export function decide(shares: { share: ShareRecord; cameraIds: ReadonlySet<number> }[], cameraId: number, right: ShareRight, now: number): ShareVerdict {
  const covering = shares.filter((s) => s.cameraIds.has(cameraId));
  const usable = covering.find((s) => shareState(s.share, now) === 'active' && s.share.rights.includes(right));
  if (usable) return { ok: true, share: usable.share };
  if (!covering.length) return { ok: false, reason: `camera ${cameraId} is not shared with this recipient` };
  const states = covering.map((s) => shareState(s.share, now));
  if (covering.some((s, i) => states[i] === 'active' && !s.share.rights.includes(right))) return { ok: false, reason: `the share of camera ${cameraId} does not grant ${right}` };
  if (states.includes('pending')) return { ok: false, reason: `the share of camera ${cameraId} is not valid yet` };
  if (states.includes('expired')) return { ok: false, reason: `the share of camera ${cameraId} has expired` };
  return { ok: false, reason: `the share of camera ${cameraId} was revoked` };
}

export function describeRecipient(kind: RecipientKind, name: string): string {
  return kind === 'platform' ? `upper platform ${name}` : kind === 'organisation' ? `department ${name}` : `API client ${name}`;
}
