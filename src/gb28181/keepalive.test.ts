import { describe, expect, it } from 'vitest';
import { CatalogCollector } from './catalog-collector.js';
import type { CatalogItem } from './catalog.js';
import { offlineReason, sipDate } from './keepalive.js';
import { deviceIdProblem } from './device.service.js';

const item = (id: string): CatalogItem => ({ deviceId: id, name: id, parentId: null, civilCode: null, status: 'ON', event: null, fields: {} });

describe('keepalive decisions', () => {
  const base = { registeredAt: 0, lastKeepaliveAt: null, keepaliveSeconds: 60, keepaliveMissed: 3, expiresAt: 3_600_000 };
  it('offline after interval × missed without a keepalive, not before', () => {
    expect(offlineReason(base, 180_000)).toBeUndefined();
    expect(offlineReason(base, 180_001)).toBe('keepalive');
    expect(offlineReason({ ...base, lastKeepaliveAt: 170_000 }, 300_000)).toBeUndefined();
    expect(offlineReason({ ...base, lastKeepaliveAt: 3_590_000 }, 3_600_000)).toBe('expired');
  });
  it('Date header in local time without a zone, with milliseconds', () => {
    expect(sipDate(Date.UTC(2016, 6, 5, 9, 13, 46, 727), 480)).toBe('2016-07-05T17:13:46.727');
  });
  it('device IDs: 20 digits of a device or platform type; groups, users and short IDs refused', () => {
    expect(deviceIdProblem('34020000001180000001')).toBeUndefined();
    expect(deviceIdProblem('34020000002000000001')).toBeUndefined();
    expect(deviceIdProblem('34020000002150000001')).toMatch(/215/);
    expect(deviceIdProblem('34020000003000000001')).toMatch(/300/);
    expect(deviceIdProblem('3402000000132000001')).toMatch(/20 digits/);
    expect(deviceIdProblem('3402000000132000000a')).toMatch(/only digits/);
  });
});

describe('catalog collector', () => {
  it('joins messages of one SN until SumNum, ignores other SNs', async () => {
    const c = new CatalogCollector(1000);
    const p = c.expect('D', 7, 0);
    expect(c.add('D', 8, 2, [item('x')], 0)).toBe(false);
    expect(c.add('D', 7, 3, [item('a'), item('b')], 10)).toBe(true);
    c.add('D', 7, 3, [item('b')], 20);
    c.add('D', 7, 3, [item('c')], 30);
    const answer = await p;
    expect(answer.items.map((i) => i.deviceId)).toEqual(['a', 'b', 'c']);
    expect(answer.complete).toBe(true);
  });
  it('hands out what came when the device goes quiet short of SumNum', async () => {
    const c = new CatalogCollector(1000);
    const p = c.expect('D', 1, 0);
    c.add('D', 1, 5, [item('a')], 100);
    c.sweep(1099);
    c.sweep(1100);
    const answer = await p;
    expect(answer.items.length).toBe(1);
    // Cut short: not a whole catalog, so nothing may be taken off the device for missing from it.
    expect(answer.complete).toBe(false);
  });
});
