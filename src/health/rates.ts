// Camera status and the two rates maintenance is judged by (R6.2), pure: events and recorded
// stretches in, a clock passed in, numbers out.
//   在线率 online rate = online camera-time / total camera-time, over a day;
//   完好率 good rate   = cameras online AND passing diagnostics / registered in-service cameras.
// No national standard defines them (notes §3); these are the definitions the project uses.
import type { Setting } from '../domain/jurisdiction-profile.js';

export const MINUTE = 60_000;
export const DAY = 86_400_000;

export interface Interval {
  startMs: number;
  endMs: number;
}

/** A connect or disconnect the recorder wrote (camera_events). */
export interface LinkEvent {
  kind: 'connected' | 'disconnected';
  atMs: number;
}

/**
 * Online stretches within [from, to). `before` is the last link event before `from` (the state
 * the window opens in). A connection with no disconnect after it lasts until `openUntil` — the
 * caller passes the end of the camera's newest recorded data plus a grace, so a recorder that
 * died without writing its disconnects does not leave cameras online for ever.
 */
export function onlineIntervals(before: LinkEvent | undefined, events: readonly LinkEvent[], from: number, to: number, openUntil: number): Interval[] {
  const out: Interval[] = [];
  let since: number | null = before?.kind === 'connected' ? from : null;
  const sorted = [...events].filter((e) => e.atMs >= from && e.atMs < to).sort((a, b) => a.atMs - b.atMs);
  for (const e of sorted) {
    if (e.kind === 'connected') {
      since ??= e.atMs;
    } else if (since !== null) {
      if (e.atMs > since) out.push({ startMs: since, endMs: e.atMs });
      since = null;
    }
  }
  if (since !== null) {
    const end = Math.min(to, Math.max(since, openUntil));
    if (end > since) out.push({ startMs: since, endMs: end });
  }
  return out;
}

/** Total length of the parts of `intervals` inside [from, to), overlaps counted once. */
export function coveredMs(intervals: readonly Interval[], from: number, to: number): number {
  const clipped = intervals
    .map((i) => ({ startMs: Math.max(i.startMs, from), endMs: Math.min(i.endMs, to) }))
    .filter((i) => i.endMs > i.startMs)
    .sort((a, b) => a.startMs - b.startMs);
  let total = 0;
  let curStart = -Infinity;
  let curEnd = -Infinity;
  for (const i of clipped) {
    if (i.startMs > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart;
      curStart = i.startMs;
      curEnd = i.endMs;
    } else if (i.endMs > curEnd) {
      curEnd = i.endMs;
    }
  }
  if (curEnd > curStart) total += curEnd - curStart;
  return total;
}

export function isCoveredAt(intervals: readonly Interval[], t: number): boolean {
  return intervals.some((i) => i.startMs <= t && t < i.endMs);
}

export type MinuteState = 'streaming' | 'online' | 'offline';

/**
 * The camera's state minute by minute over [from, to): streaming when video was recorded for
 * at least half the minute, else online when connected for at least half of it, else offline.
 */
export function minuteStates(online: readonly Interval[], streaming: readonly Interval[], from: number, to: number): MinuteState[] {
  const out: MinuteState[] = [];
  for (let t = from; t < to; t += MINUTE) {
    const end = Math.min(to, t + MINUTE);
    const half = (end - t) / 2;
    if (coveredMs(streaming, t, end) >= half) out.push('streaming');
    else if (coveredMs(online, t, end) >= half) out.push('online');
    else out.push('offline');
  }
  return out;
}

/** The camera-time to count for one camera in [from, to): only while it is registered and the day has happened. */
export function cameraWindow(from: number, to: number, registeredAt: number, now: number): Interval | null {
  const start = Math.max(from, registeredAt);
  const end = Math.min(to, now);
  return end > start ? { startMs: start, endMs: end } : null;
}

export interface CameraDay {
  cameraId: number;
  regionId: number;
  /** The maintainer unit, or null. */
  unitId: number | null;
  onlineMs: number;
  totalMs: number;
  /** Online at the evaluation instant and its latest diagnostic there passed. */
  good: boolean;
  /** Offline camera-time inside confirmed force-majeure spans (HRB-25(3)); already left out of totalMs. */
  excludedMs?: number;
  /** Down under confirmed force majeure at the evaluation instant: left out of the good rate. */
  excused?: boolean;
}

export interface Rates {
  cameras: number;
  goodCameras: number;
  onlineMs: number;
  totalMs: number;
  /** Camera-time left out of totalMs under confirmed force majeure, shown apart. */
  excludedMs: number;
  /** Cameras left out of the good rate's denominator under confirmed force majeure. */
  excusedCameras: number;
  /** 0..1; null when there is no camera-time to divide by. */
  onlineRate: number | null;
  goodRate: number | null;
}

export function rates(days: readonly CameraDay[]): Rates {
  let onlineMs = 0;
  let totalMs = 0;
  let good = 0;
  let excludedMs = 0;
  let excused = 0;
  for (const d of days) {
    onlineMs += Math.min(d.onlineMs, d.totalMs);
    totalMs += d.totalMs;
    excludedMs += d.excludedMs ?? 0;
    if (d.good) good++;
    else if (d.excused) excused++;
  }
  const rated = days.length - excused;
  return {
    cameras: days.length,
    goodCameras: good,
    onlineMs,
    totalMs,
    excludedMs,
    excusedCameras: excused,
    onlineRate: totalMs > 0 ? onlineMs / totalMs : null,
    goodRate: rated > 0 ? good / rated : null,
  };
}

/** Rates per key (region, unit), keys in first-seen order. */
export function ratesBy<K>(days: readonly CameraDay[], key: (d: CameraDay) => K): Map<K, Rates> {
  const groups = new Map<K, CameraDay[]>();
  for (const d of days) {
    const k = key(d);
    const list = groups.get(k);
    if (list) list.push(d);
    else groups.set(k, [d]);
  }
  return new Map([...groups].map(([k, list]) => [k, rates(list)]));
}

export interface TargetCheck {
  rate: number | null;
  target: number | null;
  article: string | null;
  /** null when there is no target or no rate. */
  met: boolean | null;
  note: string | null;
}

/** A rate against the profile's target (95 % good rate in Harbin, HRB-25(3)); no target, no verdict. */
export function againstTarget(rate: number | null, target: Setting<number>): TargetCheck {
  if (target.value === null) return { rate, target: null, article: null, met: null, note: target.note };
  return { rate, target: target.value, article: target.article, met: rate === null ? null : rate >= target.value, note: target.note ?? null };
}

/** The local calendar day containing `t` as 'YYYY-MM-DD', for a fixed UTC offset (China: +480 min). */
export function dayOf(t: number, utcOffsetMinutes: number): string {
  return new Date(t + utcOffsetMinutes * MINUTE).toISOString().slice(0, 10);
}

/** [start, end) of a local calendar day in epoch ms. */
export function dayWindow(day: string, utcOffsetMinutes: number): Interval {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new RangeError(`not a day: ${day}`);
  const start = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - utcOffsetMinutes * MINUTE;
  return { startMs: start, endMs: start + DAY };
}

/** The `count` days ending with the one containing `now`, oldest first. */
export function lastDays(now: number, count: number, utcOffsetMinutes: number): string[] {
  const out: string[] = [];
  for (let i = count - 1; i >= 0; i--) out.push(dayOf(now - i * DAY, utcOffsetMinutes));
  return out;
}

/** ISO-8601 week ('2026-W45') of a local day, for weekly trends. */
export function isoWeek(day: string): string {
  const { startMs } = dayWindow(day, 0);
  const d = new Date(startMs);
  const weekday = (d.getUTCDay() + 6) % 7;
  const thursday = new Date(startMs + (3 - weekday) * DAY);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - yearStart) / (7 * DAY));
  return `${thursday.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}
