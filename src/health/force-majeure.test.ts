import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../domain/profile-loader.js';
import { forceMajeureExclusion, intersect } from './force-majeure.js';
import { forceMajeureArticle } from './force-majeure.service.js';
import { cameraWindow, dayWindow, rates, type CameraDay } from './rates.js';

const M = 60_000;
const H = 60 * M;
const day = dayWindow('2026-11-02', 480);
const at = (minutes: number) => day.startMs + minutes * M;

describe('force majeure in the rates (HRB-25(3))', () => {
  it('leaves offline time inside a confirmed span out of the camera-time, online time inside it still counts', () => {
    const online = [{ startMs: at(0), endMs: at(600) }, { startMs: at(900), endMs: at(1440) }];
    // A flood 10:00–16:00; the camera was down 10:00–15:00 and back at 15:00.
    const spans = [{ startMs: at(600), endMs: at(960) }];
    const win = cameraWindow(day.startMs, day.endMs, 0, day.endMs);
    const ex = forceMajeureExclusion(win, online, spans, day.endMs);
    expect(ex.excludedMs).toBe(300 * M);
    expect(ex.excused).toBe(false);
  });

  it('only counts what lies in the window the clock allows, and excuses a camera down under a span at the evaluation instant', () => {
    const now = at(720); // 12:00: the day is not over
    const win = cameraWindow(day.startMs, day.endMs, 0, now);
    const spans = [{ startMs: at(600), endMs: at(1440) }];
    const ex = forceMajeureExclusion(win, [{ startMs: at(0), endMs: at(600) }], spans, now);
    expect(ex).toEqual({ excludedMs: 120 * M, excused: true });
    // The same span, the camera back online at the instant: not excused.
    expect(forceMajeureExclusion(win, [{ startMs: at(0), endMs: at(600) }, { startMs: at(700), endMs: now }], spans, now)).toEqual({ excludedMs: 100 * M, excused: false });
    expect(forceMajeureExclusion(null, [], spans, now)).toEqual({ excludedMs: 0, excused: false });
    expect(forceMajeureExclusion(win, [], [], now)).toEqual({ excludedMs: 0, excused: false });
  });

  it('overlapping spans count once', () => {
    const spans = [{ startMs: at(0), endMs: at(60) }, { startMs: at(30), endMs: at(90) }];
    expect(forceMajeureExclusion({ startMs: day.startMs, endMs: day.endMs }, [], spans, day.endMs).excludedMs).toBe(90 * M);
    expect(intersect([{ startMs: 0, endMs: 10 }], [{ startMs: 5, endMs: 20 }, { startMs: 30, endMs: 40 }])).toEqual([{ startMs: 5, endMs: 10 }]);
  });

  it('rates: excluded camera-time leaves the online rate, excused cameras leave the good rate, both reported apart', () => {
    const cams: CameraDay[] = [
      { cameraId: 1, regionId: 1, unitId: null, onlineMs: 24 * H, totalMs: 24 * H, good: true },
      { cameraId: 2, regionId: 1, unitId: null, onlineMs: 12 * H, totalMs: 12 * H, good: false, excludedMs: 12 * H, excused: true },
      { cameraId: 3, regionId: 1, unitId: null, onlineMs: 12 * H, totalMs: 24 * H, good: false },
    ];
    const r = rates(cams);
    expect(r.onlineRate).toBeCloseTo(48 / 60, 10);
    expect(r.excludedMs).toBe(12 * H);
    expect(r.excusedCameras).toBe(1);
    expect(r.cameras).toBe(3);
    expect(r.goodRate).toBe(0.5);
    // Without the mark camera 2 counts against both rates.
    const unmarked = rates(cams.map((c) => ({ ...c, totalMs: c.totalMs + (c.excludedMs ?? 0), excludedMs: 0, excused: false })));
    expect(unmarked.onlineRate).toBeCloseTo(48 / 72, 10);
    expect(unmarked.goodRate).toBeCloseTo(1 / 3, 10);
    // Every camera excused: no good rate rather than a made-up one.
    expect(rates([cams[1]!]).goodRate).toBeNull();
  });

  it('cites the profile: Harbin’s good-rate article, elsewhere the duty to repair', () => {
    const catalogue = loadProfiles();
    expect(forceMajeureArticle(catalogue.require('harbin'))).toBe('HRB-25(3)');
    expect(forceMajeureArticle(catalogue.require('harbin'))).toBe(catalogue.require('harbin').maintenance.goodRateTarget.article);
    const anhui = catalogue.require('anhui');
    expect(forceMajeureArticle(anhui)).toBe(anhui.repair.faultDuty.article);
  });
});
