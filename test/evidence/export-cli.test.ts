// `vigil export` obeys the same rules as POST /exports, because both ask the export use case: a
// signed-in person who is not an officer of the request is refused, the refusal is registered, and
// nothing is written.
import { pino } from 'pino';
import { Registry as MetricsRegistry } from 'prom-client';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../../src/cli/commands/export.js';
import { configSchema } from '../../src/config/config.schema.js';
import { loadProfiles } from '../../src/domain/profile-loader.js';
import type { Context } from '../../src/services/context.js';
import { person, type Person } from '../support/auth.js';
import { exportWorld, type ExportWorld } from './export-world.js';

describe('vigil export', () => {
  let x: ExportWorld;
  let ctx: Context;
  let clerk: Person;
  beforeAll(async () => {
    x = await exportWorld();
    // Signed in and able to watch the camera, but not an officer of the copy request.
    clerk = await person(x.t, 'clerk', [['duty_operator', x.w.districtA]], { workId: 'C001' });
    ctx = {
      config: configSchema.parse({ dataDir: x.t.dataDir }),
      repos: x.t.repos,
      audit: x.t.audit,
      access: x.t.access,
      registry: x.t.registry,
      health: x.t.health,
      catalogue: loadProfiles(),
      clock: x.t.clock,
      logger: pino({ level: 'silent' }),
      metrics: new MetricsRegistry(),
    } as unknown as Context;
  }, 120_000);
  afterAll(() => x.t.close());

  it('refuses a person who is not an officer of the request, registers it once, and writes nothing', async () => {
    const before = (await x.t.repos.evidenceExports.exportsInState('running')).length + (await x.t.repos.evidenceExports.exportsInState('done')).length;
    const saved = process.env.VIGIL_PASSWORD;
    process.env.VIGIL_PASSWORD = clerk.password;
    try {
      const args = ['--request', String(x.requestId), '--camera', String(x.w.camA), '--from', String(x.range.from), '--to', String(x.range.to), '--login', 'clerk'];
      await expect(exportCommand(ctx, args, new PassThrough(), new PassThrough())).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('only an officer of the request may export under it'),
      });
    } finally {
      if (saved === undefined) delete process.env.VIGIL_PASSWORD;
      else process.env.VIGIL_PASSWORD = saved;
    }
    const refused = [];
    for await (const e of x.t.audit.entries({ action: 'export', outcome: 'refused' })) if (e.actors.some((a) => a.userId === clerk.id)) refused.push(e);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toContain('only an officer of the request');
    const after = (await x.t.repos.evidenceExports.exportsInState('running')).length + (await x.t.repos.evidenceExports.exportsInState('done')).length;
    expect(after).toBe(before);
  });
});
