// The health page's pure parts: chart geometry, overdue orders, merging the alarm list with the
// live stream, parsing stream events and finding the failed proof in a refusal.
import { describe, expect, it } from 'vitest';
import { canRespond, escalationLevel, isOverdue, mergeAlarms, parseHealthEvent, percent, proofDiagnosticOf, wallFirst, type Alarm } from '../../web/src/pages/health/health-model.js';
import { runsOf, shares } from '../../web/src/pages/health/minute-strip.js';
import { H, lineOf, PAD, W, yRange } from '../../web/src/pages/health/trend-scale.js';

const alarm = (id: number, title = `a${id}`): Alarm => ({
  id, at: id, kind: 'finding', severity: 'warning', cameraId: 1, organisationId: null, title, detail: {}, snapshot: null,
  clipFrom: null, clipTo: null, reportedBy: null, workOrderId: null, acknowledgedAt: null, acknowledgedBy: null,
});

describe('health page helpers', () => {
  it('scales rates between a floor below the lowest value and 100 %', () => {
    expect(yRange([0.97, 0.99, 0.95])).toEqual([0.9, 1]);
    expect(yRange([null, null])).toEqual([0, 1]);
    expect(yRange([0.02])).toEqual([0, 1]);
    const line = lineOf([1, 0.9], [0.9, 1]);
    expect(line.points[0]).toEqual({ x: PAD.left, y: PAD.top, rate: 1 });
    expect(line.points[1]).toEqual({ x: W - PAD.right, y: H - PAD.bottom, rate: 0.9 });
    expect(line.d.startsWith('M')).toBe(true);
  });

  it('breaks the line at a week without a rate', () => {
    const line = lineOf([0.95, null, 0.97, 0.98], [0.9, 1]);
    expect(line.points).toHaveLength(3);
    expect(line.d.match(/M/g)).toHaveLength(2);
    expect(line.d.match(/L/g)).toHaveLength(1);
  });

  it('an order is overdue only while not closed and past its deadline', () => {
    expect(isOverdue({ state: 'open', dueAt: 1000 }, 2000)).toBe(true);
    expect(isOverdue({ state: 'escalated', dueAt: 1000 }, 2000)).toBe(true);
    expect(isOverdue({ state: 'closed', dueAt: 1000 }, 2000)).toBe(false);
    expect(isOverdue({ state: 'open', dueAt: null }, 2000)).toBe(false);
    expect(isOverdue({ state: 'open', dueAt: 3000 }, 2000)).toBe(false);
  });

  it('merges streamed alarms into the list, newest first, the later copy winning', () => {
    const merged = mergeAlarms([alarm(3), alarm(1)], [alarm(2), { ...alarm(3), acknowledgedAt: 5 }]);
    expect(merged.map((a) => a.id)).toEqual([3, 2, 1]);
    expect(merged[0]!.acknowledgedAt).toBe(5);
  });

  it('parses stream events of the announced type and drops anything else', () => {
    expect(parseHealthEvent('alarm', JSON.stringify({ type: 'alarm', alarm: alarm(1) }))).toMatchObject({ type: 'alarm' });
    expect(parseHealthEvent('alarm', JSON.stringify({ type: 'diagnostic', cameraId: 1 }))).toBeUndefined();
    expect(parseHealthEvent('alarm', '{not json')).toBeUndefined();
    expect(parseHealthEvent('alarm', 'null')).toBeUndefined();
  });

  it('finds the failed proof sample in a close refusal', () => {
    expect(proofDiagnosticOf({ details: [{ path: 'proof', message: 'diagnostic 42' }] })).toBe(42);
    expect(proofDiagnosticOf({ details: [{ path: 'note', message: 'diagnostic 7' }] })).toBeUndefined();
    expect(proofDiagnosticOf({ details: [] })).toBeUndefined();
  });

  it('shows rates as percentages and no rate as a dash', () => {
    expect(percent(0.953)).toBe('95.3 %');
    expect(percent(null)).toBe('—');
  });

  it('reads the escalation ladder and whether the maintainer may still respond', () => {
    expect(escalationLevel({})).toBe(0);
    expect(escalationLevel({ escalationLevel: 1 })).toBe(1);
    expect(escalationLevel({ escalationLevel: 7 })).toBe(2);
    expect(canRespond({ state: 'open', respondedAt: null })).toBe(true);
    expect(canRespond({ state: 'escalated' })).toBe(true);
    expect(canRespond({ state: 'open', respondedAt: 5 })).toBe(false);
    expect(canRespond({ state: 'closed', respondedAt: null })).toBe(false);
  });

  it('offers the wall’s cameras first, in wall order without repeats, then the rest by name', () => {
    const cams = [{ id: 1, name: 'b' }, { id: 2, name: 'a' }, { id: 3, name: 'c' }, { id: 4, name: 'd' }];
    const { onWall, others } = wallFirst(cams, [3, null, 1, 3, 99, undefined]);
    expect(onWall.map((c) => c.id)).toEqual([3, 1]);
    expect(others.map((c) => c.id)).toEqual([2, 4]);
    expect(wallFirst(cams, []).onWall).toEqual([]);
  });

  it('draws a day of minutes as runs of one state', () => {
    expect(runsOf([])).toEqual([]);
    expect(runsOf(['offline', 'offline', 'streaming', 'online', 'online', 'online'])).toEqual([
      { state: 'offline', from: 0, length: 2 },
      { state: 'streaming', from: 2, length: 1 },
      { state: 'online', from: 3, length: 3 },
    ]);
    const day = Array.from({ length: 1440 }, (_, i) => (i < 720 ? 'streaming' : 'offline') as 'streaming' | 'offline');
    expect(runsOf(day)).toHaveLength(2);
    expect(shares(day)).toEqual({ streaming: 0.5, online: 0, offline: 0.5 });
  });
});
