// Status and rates from the recorder's events and the diagnostics, per day in local time: live
// for today, from the daily roll-up for days that are over (so weekly trends read one row per
// camera and day, not the event log).
import type { HealthRepository, WatchedCamera } from '../db/health.repository.js';
import type { RecordingIndex } from '../db/recording-index.repository.js';
import type { Clock } from '../domain/clock.js';
import type { ForceMajeureRepository } from '../db/force-majeure.repository.js';
import { forceMajeureExclusion } from './force-majeure.js';
import {
  cameraWindow, coveredMs, DAY, dayOf, dayWindow, isCoveredAt, isoWeek, lastDays, minuteStates, onlineIntervals, rates,
  type CameraDay, type Interval, type MinuteState, type Rates,
} from './rates.js';

export interface StatusSettings {
  utcOffsetMinutes: number;
  /** A diagnostic older than this at the evaluation instant does not make a camera good. */
  staleMs: number;
  /** An open connection counts as online until this long after the camera's newest recorded data. */
  graceMs: number;
}

export interface CameraStatus {
  cameraId: number;
  day: string;
  state: MinuteState;
  minutes: MinuteState[];
  onlineRate: number | null;
  good: boolean;
  lastDiagnostic: { id: number; at: number; ok: boolean; findings: string[] } | null;
}

export class StatusService {
  constructor(
    private readonly repo: HealthRepository,
    /** Recorded stretches, link events and the newest data of each camera. */
    private readonly index: Pick<RecordingIndex, 'recordedIntervals' | 'linkEvents' | 'lastDataEnd'>,
    private readonly clock: Clock,
    private readonly settings: StatusSettings,
    /** Confirmed force-majeure spans leave the denominators (HRB-25(3)). */
    private readonly forceMajeure: ForceMajeureRepository,
  ) {}

  now(): number {
    return this.clock.now();
  }

  utcOffsetMinutes(): number {
    return this.settings.utcOffsetMinutes;
  }

  today(): string {
    return dayOf(this.clock.now(), this.settings.utcOffsetMinutes);
  }

  /** Every watched camera's day: from the roll-up when the day is over and rolled up, else computed. */
  async cameraDays(day: string): Promise<CameraDay[]> {
    const { endMs } = dayWindow(day, this.settings.utcOffsetMinutes);
    if (endMs <= this.clock.now()) {
      const rolled = await this.repo.daily([day]);
      if (rolled.length) return rolled.map((r) => ({ cameraId: r.camera_id, regionId: r.region_id, unitId: r.unit_id, onlineMs: r.online_ms, totalMs: r.total_ms, good: r.good === 1, excludedMs: r.excluded_ms, excused: r.excused === 1 }));
    }
    return this.compute(day, await this.repo.watchedCameras());
  }

  /** Computes and stores the roll-up of a day that is over. */
  async rollup(day: string): Promise<number> {
    const days = await this.compute(day, await this.repo.watchedCameras());
    await this.repo.saveDaily(days.map((d) => ({ day, camera_id: d.cameraId, region_id: d.regionId, unit_id: d.unitId, online_ms: d.onlineMs, total_ms: d.totalMs, good: d.good ? 1 : 0, excluded_ms: d.excludedMs ?? 0, excused: d.excused ? 1 : 0 })));
    return days.length;
  }

  /** Rolls up again the days over that [from, to) touches and that were rolled up (a mark confirmed later). */
  async rerollSpan(from: number, to: number): Promise<string[]> {
    const days: string[] = [];
    for (let t = from; t < to; t += DAY) days.push(dayOf(t, this.settings.utcOffsetMinutes));
    const last = dayOf(to - 1, this.settings.utcOffsetMinutes);
    if (!days.includes(last)) days.push(last);
    const rolled = new Set((await this.repo.daily(days)).map((r) => r.day));
    const done: string[] = [];
    for (const day of days) {
      if (!rolled.has(day) || dayWindow(day, this.settings.utcOffsetMinutes).endMs > this.clock.now()) continue;
      await this.rollup(day);
      done.push(day);
    }
    return done;
  }

  async cameraStatus(camera: WatchedCamera, day: string = this.today()): Promise<CameraStatus> {
    const win = dayWindow(day, this.settings.utcOffsetMinutes);
    const now = this.clock.now();
    const online = await this.onlineOf([camera], win);
    const intervals = online.get(camera.id) ?? [];
    const streaming = await this.index.recordedIntervals(camera.id, win.startMs, win.endMs);
    const end = Math.min(win.endMs, now);
    const minutes = end > win.startMs ? minuteStates(intervals, streaming, win.startMs, end) : [];
    const [cd] = await this.compute(day, [camera]);
    const diag = (await this.repo.latestDiagnostics([camera.id], Math.min(now, win.endMs))).get(camera.id);
    const state: MinuteState = isCoveredAt(streaming, now - 5000) ? 'streaming' : isCoveredAt(intervals, now - 1) ? 'online' : 'offline';
    return {
      cameraId: camera.id,
      day,
      state: end === now ? state : (minutes.at(-1) ?? 'offline'),
      minutes,
      onlineRate: cd && cd.totalMs > 0 ? cd.onlineMs / cd.totalMs : null,
      good: cd?.good ?? false,
      lastDiagnostic: diag ? { id: diag.id, at: diag.at, ok: diag.ok, findings: (JSON.parse(diag.findings) as { kind: string }[]).map((f) => f.kind) } : null,
    };
  }

  /** Daily rates over the last `weeks` weeks (today included) and their weekly aggregates. */
  async trends(weeks: number, filter: (d: CameraDay) => boolean): Promise<{ days: ({ day: string } & Rates)[]; weeks: ({ week: string } & Rates)[] }> {
    const list = lastDays(this.clock.now(), weeks * 7, this.settings.utcOffsetMinutes);
    const rolled = await this.repo.daily(list);
    const byDay = new Map<string, CameraDay[]>();
    for (const r of rolled) {
      const d: CameraDay = { cameraId: r.camera_id, regionId: r.region_id, unitId: r.unit_id, onlineMs: r.online_ms, totalMs: r.total_ms, good: r.good === 1, excludedMs: r.excluded_ms, excused: r.excused === 1 };
      const l = byDay.get(r.day);
      if (l) l.push(d);
      else byDay.set(r.day, [d]);
    }
    const today = this.today();
    if (!byDay.has(today)) byDay.set(today, await this.cameraDays(today));
    const days = list.map((day) => ({ day, ...rates((byDay.get(day) ?? []).filter(filter)) }));
    const weekly = new Map<string, CameraDay[]>();
    for (const day of list) {
      const w = isoWeek(day);
      weekly.set(w, [...(weekly.get(w) ?? []), ...(byDay.get(day) ?? []).filter(filter)]);
    }
    // A week's good rate is the share of camera-days that were good.
    return { days, weeks: [...weekly].map(([week, ds]) => ({ week, ...rates(ds) })) };
  }

  private async onlineOf(cameras: WatchedCamera[], win: Interval): Promise<Map<number, Interval[]>> {
    const ids = cameras.map((c) => c.id);
    const now = this.clock.now();
    const [{ before, events }, lastEnd] = await Promise.all([this.index.linkEvents(ids, win.startMs, win.endMs), this.index.lastDataEnd(ids)]);
    const byCamera = new Map<number, { kind: 'connected' | 'disconnected'; atMs: number }[]>();
    for (const e of events) {
      const l = byCamera.get(e.cameraId);
      if (l) l.push(e);
      else byCamera.set(e.cameraId, [e]);
    }
    const out = new Map<number, Interval[]>();
    for (const id of ids) {
      const openUntil = Math.min(now, (lastEnd.get(id) ?? 0) + this.settings.graceMs);
      out.set(id, onlineIntervals(before.get(id), byCamera.get(id) ?? [], win.startMs, win.endMs, openUntil));
    }
    return out;
  }

  private async compute(day: string, cameras: WatchedCamera[]): Promise<CameraDay[]> {
    if (!cameras.length) return [];
    const win = dayWindow(day, this.settings.utcOffsetMinutes);
    const now = this.clock.now();
    const evalAt = Math.min(win.endMs, now);
    const online = await this.onlineOf(cameras, win);
    const diags = await this.repo.latestDiagnostics(cameras.map((c) => c.id), evalAt);
    const spans = new Map<number, Interval[]>();
    for (const m of await this.forceMajeure.overlapping(cameras.map((c) => c.id), win.startMs, win.endMs, true)) {
      spans.set(m.cameraId, [...(spans.get(m.cameraId) ?? []), { startMs: m.from, endMs: m.to }]);
    }
    const out: CameraDay[] = [];
    for (const c of cameras) {
      const w = cameraWindow(win.startMs, win.endMs, c.createdAt, now);
      if (!w) continue;
      const intervals = online.get(c.id) ?? [];
      const diag = diags.get(c.id);
      const good = isCoveredAt(intervals, evalAt - 1) && !!diag && diag.ok && evalAt - diag.at <= this.settings.staleMs;
      const fm = forceMajeureExclusion(w, intervals, spans.get(c.id) ?? [], evalAt);
      out.push({
        cameraId: c.id, regionId: c.regionId, unitId: c.maintainerUnitId, onlineMs: coveredMs(intervals, w.startMs, w.endMs), totalMs: w.endMs - w.startMs - fm.excludedMs, good,
        excludedMs: fm.excludedMs, excused: !good && fm.excused,
      });
    }
    return out;
  }
}
