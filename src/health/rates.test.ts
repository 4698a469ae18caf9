import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../domain/profile-loader.js';
import {
  againstTarget, cameraWindow, coveredMs, dayOf, dayWindow, isoWeek, lastDays, minuteStates, onlineIntervals, rates, ratesBy,
  type CameraDay,
} from './rates.js';

const catalogue = loadProfiles();
const H = 3_600_000;
const M = 60_000;
const day = dayWindow('2026-11-02', 480);
const at = (minutes: number) => day.startMs + minutes * M;

describe('online intervals from connect / disconnect events', () => {
  it('pairs connects with disconnects, opens with the state before the window and caps an open connection', () => {
    const events = [
      { kind: 'disconnected' as const, atMs: at(60) },
      { kind: 'connected' as const, atMs: at(90) },
      { kind: 'connected' as const, atMs: at(100) }, // a repeated connect does not restart the stretch
      { kind: 'disconnected' as const, atMs: at(120) },
      { kind: 'connected' as const, atMs: at(600) },
    ];
    const got = onlineIntervals({ kind: 'connected', atMs: day.startMs - H }, events, day.startMs, day.endMs, at(700));
    expect(got).toEqual([
      { startMs: at(0), endMs: at(60) },
      { startMs: at(90), endMs: at(120) },
      { startMs: at(600), endMs: at(700) },
    ]);
    expect(coveredMs(got, day.startMs, day.endMs)).toBe((60 + 30 + 100) * M);
  });

  it('a camera never connected is offline all day; one connected before and never since, until its data ends', () => {
    expect(onlineIntervals(undefined, [], day.startMs, day.endMs, day.endMs)).toEqual([]);
    expect(onlineIntervals({ kind: 'connected', atMs: 0 }, [], day.startMs, day.endMs, at(30))).toEqual([{ startMs: at(0), endMs: at(30) }]);
  });

  it('overlapping stretches count once', () => {
    expect(coveredMs([{ startMs: 0, endMs: 10 }, { startMs: 5, endMs: 20 }, { startMs: 30, endMs: 40 }], 0, 35)).toBe(25);
  });
});

describe('minute by minute', () => {
  it('streaming when recorded at least half the minute, online when connected, else offline', () => {
    const online = [{ startMs: at(0), endMs: at(3) }];
    const streaming = [{ startMs: at(0), endMs: at(1) + 30_000 }];
    expect(minuteStates(online, streaming, at(0), at(4))).toEqual(['streaming', 'streaming', 'online', 'offline']);
  });
});

describe('rates', () => {
  const cams: CameraDay[] = [
    { cameraId: 1, regionId: 10, unitId: 100, onlineMs: 24 * H, totalMs: 24 * H, good: true },
    { cameraId: 2, regionId: 10, unitId: 100, onlineMs: 12 * H, totalMs: 24 * H, good: false },
    { cameraId: 3, regionId: 20, unitId: null, onlineMs: 6 * H, totalMs: 12 * H, good: true },
    { cameraId: 4, regionId: 20, unitId: null, onlineMs: 0, totalMs: 24 * H, good: false },
  ];

  it('online rate is online camera-time over total camera-time; good rate is good cameras over cameras', () => {
    const r = rates(cams);
    expect(r.onlineRate).toBeCloseTo((24 + 12 + 6) / (24 + 24 + 12 + 24), 10);
    expect(r.goodRate).toBe(0.5);
    const byRegion = ratesBy(cams, (c) => c.regionId);
    expect(byRegion.get(10)!.onlineRate).toBe(0.75);
    expect(byRegion.get(20)!.onlineRate).toBeCloseTo(6 / 36, 10);
    expect(byRegion.get(20)!.goodRate).toBe(0.5);
    expect(ratesBy(cams, (c) => c.unitId).get(null)!.cameras).toBe(2);
    expect(rates([])).toMatchObject({ onlineRate: null, goodRate: null });
  });

  it('counts a camera only from its registration and only up to now', () => {
    expect(cameraWindow(day.startMs, day.endMs, at(600), at(720))).toEqual({ startMs: at(600), endMs: at(720) });
    expect(cameraWindow(day.startMs, day.endMs, day.endMs + 1, day.endMs + H)).toBeNull();
  });

  it('good rate target from each shipped profile, with its article; no target gives no verdict', () => {
    const expected: Record<string, [number | null, string | null]> = {
      anhui: [null, null], hubei: [null, null], national: [null, null], 'national-draft-2016': [null, null], 'national-law': [null, null], weihai: [null, null], harbin: [0.95, 'HRB-25(3)'],
    };
    expect(catalogue.list().map((p) => p.id).sort()).toEqual(Object.keys(expected).sort());
    for (const p of catalogue.list()) {
      const [target, article] = expected[p.id]!;
      const check = againstTarget(0.94, p.maintenance.goodRateTarget);
      expect(check.target).toBe(target);
      expect(check.article).toBe(article);
      expect(check.met).toBe(target === null ? null : false);
      if (target !== null) expect(againstTarget(0.95, p.maintenance.goodRateTarget).met).toBe(true);
      // No profile sets an online-rate target (the 98 % policy figure is not law).
      expect(againstTarget(0.5, p.maintenance.onlineRateTarget).met).toBeNull();
    }
  });
});

describe('days and weeks in local time', () => {
  it('a day starts at local midnight (UTC+8)', () => {
    expect(day.startMs).toBe(Date.UTC(2026, 10, 1, 16));
    expect(dayOf(day.startMs, 480)).toBe('2026-11-02');
    expect(dayOf(day.startMs - 1, 480)).toBe('2026-11-01');
    expect(lastDays(day.startMs + H, 3, 480)).toEqual(['2026-10-31', '2026-11-01', '2026-11-02']);
    expect(() => dayWindow('2026-11', 480)).toThrow(RangeError);
  });
  it('ISO weeks', () => {
    expect(isoWeek('2026-01-01')).toBe('2026-W01');
    expect(isoWeek('2027-01-01')).toBe('2026-W53');
    expect(isoWeek('2026-11-02')).toBe('2026-W45');
  });
});
