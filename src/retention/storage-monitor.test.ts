import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry, Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../domain/clock.js';
import type { Db } from '../db/database.js';
import { createRepositories } from '../db/repositories.js';
import { freshDatabase } from '../../test/support/databases.js';
import { diskUsage, storageLevel, DEFAULT_THRESHOLDS } from '../storage/disk-usage.js';
import { StorageMonitor } from './storage-monitor.js';

describe('disk pressure', () => {
  let db: Db;
  beforeAll(async () => {
    db = await freshDatabase('sqlite');
  });
  afterAll(() => db.close());

  it('maps used space to levels at 85 / 90 / 95 %', () => {
    expect([0.5, 0.85, 0.899, 0.9, 0.95, 1].map((u) => storageLevel(u, DEFAULT_THRESHOLDS))).toEqual(['ok', 'warning', 'warning', 'critical', 'full', 'full']);
  });

  it('reads the real volume with statfs', async () => {
    const u = await diskUsage(tmpdir());
    expect(u.totalBytes).toBeGreaterThan(0);
    expect(u.freeBytes).toBeLessThanOrEqual(u.totalBytes);
  });

  it('raises an alarm row, a log line and the metric at each change of level; full stops new writes', async () => {
    const repos = createRepositories(db);
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
    const registry = new Registry();
    const gauge = new Gauge({ name: 'vigil_storage_used_ratio', help: 'used', registers: [registry] });
    let free = 50;
    const clock = fixedClock(1_800_000_000_000);
    const passedOn: string[] = [];
    const m = new StorageMonitor({
      dir: mkdtempSync(join(tmpdir(), 'vigil-disk-')), repo: repos.storageAlarms, clock, logger, gauge, repeatMs: 60_000,
      usage: async () => ({ freeBytes: free * 2 ** 30, totalBytes: 100 * 2 ** 30 }),
      onAlarm: (a) => {
        passedOn.push(a.level);
      },
    });
    expect((await m.check()).level).toBe('ok');
    for (const f of [14, 12, 8, 4, 4, 30]) {
      free = f;
      clock.advance(10_000);
      await m.check();
      if (f === 4) expect(m.storageState()).toMatchObject({ level: 'full', acceptingWrites: false });
    }
    expect(m.storageState()).toMatchObject({ level: 'ok', acceptingWrites: true });
    const alarms = (await repos.storageAlarms.alarms()).reverse();
    expect(alarms.map((a) => [a.level, a.used_permille])).toEqual([['warning', 860], ['critical', 920], ['full', 960], ['ok', 700]]);
    // warn 40, error 50, fatal 60, info 30
    expect(lines.map((l) => l.level)).toEqual([40, 50, 60, 30]);
    // Each change of level is passed on to the alarm side (event stream, webhooks), once.
    expect(passedOn).toEqual(['warning', 'critical', 'full', 'ok']);
    expect(lines[2]!.msg).toContain('new fragments are no longer written');
    expect((await registry.getSingleMetric('vigil_storage_used_ratio')!.get()).values[0]!.value).toBeCloseTo(0.7);
  });
});
