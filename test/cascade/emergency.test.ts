// Emergency connection (issue 19, R2.1, R2.3), on both dialects: an upper configured onDemand is
// not connected by the cascade role; connecting it on demand registers to it (digest) and serves
// its catalog of what is shared, for the stated period only, after which it unregisters by
// itself; the opening (period, reason, approval) and the end are registered with the upper as
// destination. An upper that is always connected, an unknown one, or a request without its
// approval is refused with the problem named.
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEmergency, openEmergencyConnection } from '../../src/cascade/emergency.js';
import { configSchema } from '../../src/config/config.schema.js';
import { testApp, type TestApp } from '../support/app.js';
import { DIALECTS } from '../support/databases.js';
import { TestUpper } from './upper-platform.js';

const UPPER = '34010000002000000001';
const LOWER = '34010400002000000001';

for (const dialect of DIALECTS) {
  describe(`emergency connection to an upper platform (${dialect})`, () => {
    let t: TestApp;
    let upper: TestUpper;

    beforeAll(async () => {
      t = await testApp(dialect);
      t.clock.set(Date.now());
      upper = await TestUpper.start(UPPER, 'secret');
    }, 90_000);
    afterAll(async () => {
      await upper?.close();
      await t?.close();
    });

    const settings = (onDemand: boolean) => configSchema.parse({
      cascade: { sipId: LOWER, host: '127.0.0.1', port: 0, publicAddress: '127.0.0.1', uppers: [{ name: '市公安局平台', sipId: UPPER, address: '127.0.0.1', port: upper.port, password: 'secret', keepaliveSeconds: 5, onDemand }] },
    }).cascade;

    it('refuses an upper that is always connected, an unknown one, and a request without approval', () => {
      const r = { upperSipId: UPPER, durationMs: 60_000, reason: '重大活动安保', approvalDocument: '〔2026〕紧急1号' };
      expect(() => checkEmergency(settings(false), r)).toThrow(/cannot be opened/);
      try {
        checkEmergency(settings(false), r);
      } catch (e) {
        expect((e as { details: { message: string }[] }).details[0]!.message).toMatch(/always connected/);
      }
      expect(() => checkEmergency(settings(true), { ...r, upperSipId: '34010000002000000099' })).toThrow(/cannot be opened/);
      expect(() => checkEmergency(settings(true), { ...r, approvalDocument: ' ' })).toThrow(/cannot be opened/);
      expect(() => checkEmergency(settings(true), { ...r, durationMs: 25 * 3_600_000 })).toThrow(/cannot be opened/);
    });

    it('connects for the stated period, answers the upper meanwhile, then unregisters by itself; both ends registered', async () => {
      const registered = new Promise<void>((r) => upper.once('registered', () => r()));
      const conn = await openEmergencyConnection(
        { settings: settings(true), defaultSipId: LOWER, deviceName: 'lower', utcOffsetMinutes: 480, repos: t.repos, shares: t.shares, log: t.access.log, clock: t.clock, logger: pino({ level: 'silent' }), timers: { T1: 100, T2: 400 } },
        { upperSipId: UPPER, durationMs: 2000, reason: '重大活动安保', approvalDocument: '〔2026〕紧急1号' },
      );
      await registered;
      const answer = await upper.query(LOWER, 'DeviceInfo');
      expect(answer[0]!.cmdType).toBe('DeviceInfo');
      expect(await conn.ended).toBe('the period ended');
      expect(upper.registrations.at(-1)).toMatchObject({ id: LOWER, expires: 0 });
      await t.audit.chainPending();
      const entries = (await t.audit.search({ action: 'config_change', outcome: 'success', limit: 10 })).items.filter((e) => e.target?.startsWith('emergency connection'));
      expect(entries.map((e) => e.target).sort()).toEqual([
        'emergency connection to upper platform 市公安局平台 ended',
        'emergency connection to upper platform 市公安局平台 opened for 2 s (command line)',
      ]);
      const opened = entries.find((e) => e.target!.includes('opened'))!;
      expect(opened).toMatchObject({ destination: 'upper platform 市公安局平台', reason: '重大活动安保', detail: expect.objectContaining({ approvalDocument: '〔2026〕紧急1号' }) });
      expect(opened.to! - opened.from!).toBe(2000);
    }, 60_000);
  });
}
