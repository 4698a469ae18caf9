import type { Context } from '../../services/context.js';
import { printTable, UsageError } from '../output.js';
import { profileHelp } from '../usage.js';

export async function profileCommand(ctx: Context, args: string[]): Promise<number> {
  const [sub, id] = args;
  if (sub === 'list') {
    printTable(
      ctx.profiles.summaries().map((p) => ({ id: p.id === ctx.profiles.defaultProfileId ? `${p.id} *` : p.id, zh: p.name.zh, en: p.name.en, inherits: p.inherits ?? '' })),
      ['id', 'zh', 'en', 'inherits'],
    );
    return 0;
  }
  if (sub === 'show' && id) {
    const p = ctx.profiles.detail(id);
    if (!p) {
      process.stderr.write(`error: jurisdiction profile "${id}" does not exist (see vigil profile list)\n`);
      return 1;
    }
    process.stdout.write(`${JSON.stringify(p, null, 2)}\n`);
    return 0;
  }
  throw new UsageError(profileHelp);
}
