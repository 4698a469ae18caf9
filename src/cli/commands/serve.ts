import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { INITIAL_ADMIN_FILE } from '../../access/first-run.js';
import type { Config } from '../../config/config.js';
import { openContext } from '../../services/context.js';
import { startRoles } from '../../services/roles.js';
import { DEMO_OPERATOR_FILE, demoCameraLabels, seedDemo } from '../../services/demo.js';
import { seedDemoGb, withDemoGb } from '../../services/demo-gb.js';
import { Errors } from '../../errors.js';
import { parse } from '../args.js';

// The simulator and the demo's GB/T 28181 devices are loaded only when this process runs them.

export async function serveCommand(given: Config, args: string[]): Promise<number> {
  const { values } = parse(args, { demo: { type: 'boolean' } }, false);
  // The demo runs the GB/T 28181 platform too, with simulated GB devices beside the RTSP cameras.
  const config = values.demo ? withDemoGb(given) : given;
  const ctx = await openContext(config);
  const stops: (() => Promise<void>)[] = [];
  try {
    const simCameras = config.simulator.cameras || (values.demo ? 4 : 0);
    if (simCameras > 0) {
      // The demo's cameras each show their own name; a plain simulator shares one picture.
      const labels = values.demo ? demoCameraLabels(simCameras) : undefined;
      const { startSimulator } = await import('../../sim/simulator.js');
      const sim = await startSimulator({ cameras: simCameras, port: config.simulator.port, host: '127.0.0.1', ...(labels ? { labels } : {}) }).catch((e) => {
        throw Errors.unavailable(
          `the camera simulator could not start on 127.0.0.1:${config.simulator.port} (${(e as Error).message}); set VIGIL_SIM_PORT to a free port`,
        );
      });
      stops.push(() => sim.close());
      ctx.logger.info({ cameras: simCameras, port: sim.port }, 'camera simulator running');
      // The simulator this process started is a camera source: its one address and port, not the rest of loopback.
      ctx.sources.allowEndpoint(sim.host, sim.port);
      if (values.demo && (await seedDemo(ctx, simCameras, sim.host, sim.port)) > 0) {
        const city = (await ctx.registry.organisations.list()).find((o) => o.regionCode === '340100');
        if (city) await seedDemoGb(ctx, city.id);
      }
    }
    const roles = await startRoles(ctx, config.services, { demo: values.demo === true }, (e) => ctx.logger.error({ err: e }, 'stop failed'));
    stops.push(roles.close);
    if (values.demo) {
      const { gbInProcess } = await import('../../services/gb28181.service.js');
      if (gbInProcess.runtime) stops.push(await (await import('./demo-gb-devices.js')).startDemoGbDevices(ctx, gbInProcess.runtime.port));
    }
    if (roles.apiUrl) {
      process.stderr.write(
        `\nVigil ${ctx.version} is running.\n  Console:  ${roles.apiUrl}/\n  API docs: ${roles.apiUrl}/docs\n  Database: ${ctx.db.dialect}, data in ${config.dataDir}\n${signInHint(config.dataDir)}Press Ctrl+C to stop.\n\n`,
      );
    }
  } catch (e) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await ctx.close();
    throw e;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      ctx.logger.info({ signal }, 'stopping');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  for (const stop of stops.reverse()) await stop().catch((e) => ctx.logger.error({ err: e }, 'stop failed'));
  await ctx.close();
  return 0;
}

/** While the first-run password file exists, tell the newcomer how to sign in. */
function signInHint(dataDir: string): string {
  const admin = join(dataDir, INITIAL_ADMIN_FILE);
  const operator = join(dataDir, DEMO_OPERATOR_FILE);
  let hint = '';
  if (existsSync(operator)) hint += `  Watch:    sign in as "operator", password in ${operator}\n            (enrol an authenticator app first: TOTP, RFC 6238)\n`;
  if (existsSync(admin)) hint += `  Manage:   sign in as "admin", password in ${admin}\n            (first replace that password, then enrol an authenticator app: TOTP, RFC 6238)\n`;
  return hint;
}
