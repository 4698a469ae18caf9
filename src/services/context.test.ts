// A process builds health and supervision only when one of its roles asks for them: a recorder or
// a process of the register's timers alone has neither (nor health's metrics on its /metrics).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.js';
import { openContext } from './context.js';
import { startRoles } from './roles.js';

describe('openContext', () => {
  it('builds health and supervision on first use, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-context-'));
    const ctx = await openContext(loadConfig({ env: { VIGIL_DATA_DIR: join(dir, 'data'), VIGIL_PROFILE: 'national', VIGIL_LOG_LEVEL: 'warn' }, cwd: dir }));
    try {
      const roles = await startRoles(ctx, []);
      await roles.close();
      expect(ctx.metrics.getSingleMetric('vigil_health_diagnostics_total')).toBeUndefined();
      const health = ctx.health;
      expect(ctx.metrics.getSingleMetric('vigil_health_diagnostics_total')).toBeDefined();
      expect(ctx.health).toBe(health);
      expect(ctx.supervision).toBe(ctx.supervision);
      await health.close();
    } finally {
      await ctx.close();
    }
  });
});
