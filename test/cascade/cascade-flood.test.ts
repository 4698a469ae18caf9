// A flood of queries to the upward SIP listener (issue 19, bad input), on both dialects: past its
// burst and rate a peer gets 503 before any parsing or database work, the refusals of one burst
// are registered once with the upper as the actor, and the upper is served again when it slows.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCascade, type CascadeRuntime } from '../../src/cascade/open.js';
import { configSchema } from '../../src/config/config.schema.js';
import { buildManscdp } from '../../src/media/sip/manscdp.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

for (const dialect of DIALECTS) {
  describe(`a flood of queries from an upper platform (${dialect})`, () => {
    let t: TestApp;
    let upper: TestUpper;
    let cascade: CascadeRuntime;

    beforeAll(async () => {
      t = await testApp(dialect);
      t.clock.set(Date.now());
      upper = await TestUpper.start(UPPER, 'secret');
      const settings = configSchema.parse({
        cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', floodRatePerSecond: 1, floodBurst: 10, uppers: [{ name: '合肥市平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 600 }] },
      }).cascade;
      cascade = await openCascade({ settings, defaultSipId: LOWER, deviceName: 'lower', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, clock: t.clock, logger: pino({ level: 'silent' }), timers: { T1: 100, T2: 400 } });
      await new Promise<void>((r) => upper.once('registered', () => r()));
    }, 90_000);
    afterAll(async () => {
      await cascade?.close();
      await upper?.close();
      await t?.close();
    });

    it('answers 503 past the burst, registers the burst once, and serves the upper again after it', async () => {
      const body = buildManscdp('Query', 'DeviceStatus', 1, LOWER).toString();
      const statuses = await Promise.all(Array.from({ length: 40 }, () => upper.raw(LOWER, 'MESSAGE', LOWER, body, 'Application/MANSCDP+xml')));
      const refused = statuses.filter((s) => s === 503).length;
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(10);
      expect(refused).toBeGreaterThanOrEqual(25);
      expect(cascade.agent.floodRefused).toBe(refused);
      // The burst ends after a quiet second (the test's clock moves on); its report follows.
      t.clock.set(t.clock.now() + 5000);
      let entries: Awaited<ReturnType<typeof t.audit.search>>['items'] = [];
      await expect.poll(async () => {
        await t.audit.chainPending();
        entries = (await t.audit.search({ outcome: 'refused', limit: 10 })).items;
        return entries.length;
      }, { timeout: 10_000 }).toBe(1);
      expect(entries[0]).toMatchObject({ target: 'requests to the upward SIP listener', destination: 'upper platform 34010000002000000001', detail: expect.objectContaining({ refused }) });
      expect(await upper.raw(LOWER, 'MESSAGE', LOWER, body, 'Application/MANSCDP+xml')).toBe(200);
    }, 60_000);
  });
}
