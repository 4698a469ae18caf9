import type { Config } from '../../config/config.js';
import { openContext } from '../../services/context.js';
import { startApiService } from '../../services/api.service.js';
import { seedDemo } from '../../services/demo.js';
import { parse } from '../args.js';

export const serveHelp = `vigil serve [--demo]
  Runs the roles in the configuration's "services" (default: api, recorder).
  --demo   seed a demo region with simulated cameras when the registry is empty`;

export async function serveCommand(config: Config, args: string[]): Promise<number> {
  const { values } = parse(args, { demo: { type: 'boolean' } }, false);
  const ctx = await openContext(config);
  const stops: (() => Promise<void>)[] = [];
  try {
    if (values.demo) {
      const cameras = config.simulator.cameras || 4;
      await seedDemo(ctx, cameras, '127.0.0.1', config.simulator.port);
    }
    if (config.services.includes('api')) {
      const api = await startApiService(ctx);
      stops.push(api.close);
      process.stderr.write(
        `\nVigil ${ctx.version} is running.\n  Console:  ${api.url}/\n  API docs: ${api.url}/docs\n  Database: ${ctx.db.dialect}, data in ${config.dataDir}\nPress Ctrl+C to stop.\n\n`,
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
