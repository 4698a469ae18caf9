// Whether a device is still online, from its last sign of life (REGISTER or Keepalive), its
// keepalive interval and how many may be missed (GB/T 28181-2016 §9.6; defaults 60 s × 3), and
// its registration's expiry. Pure: the clock is passed in.

export interface Liveness {
  registeredAt: number;
  lastKeepaliveAt: number | null;
  keepaliveSeconds: number;
  keepaliveMissed: number;
  expiresAt: number;
}

export type OfflineReason = 'keepalive' | 'expired';

export function offlineReason(d: Liveness, now: number): OfflineReason | undefined {
  if (now >= d.expiresAt) return 'expired';
  const last = Math.max(d.registeredAt, d.lastKeepaliveAt ?? 0);
  if (now - last > d.keepaliveSeconds * d.keepaliveMissed * 1000) return 'keepalive';
  return undefined;
}

/** The `Date` header a platform puts in REGISTER's 200 for time sync: local time, no zone, milliseconds. */
export function sipDate(nowMs: number, utcOffsetMinutes: number): string {
  return new Date(nowMs + utcOffsetMinutes * 60_000).toISOString().replace('Z', '');
}
