import type { Context } from '../../services/context.js';
import type { PlatformLevel, UnitRole } from '../../db/schema.js';
import { int, parse } from '../args.js';
import { printTable, UsageError } from '../output.js';
import { orgHelp } from '../usage.js';

export async function orgCommand(ctx: Context, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const { values } = parse(rest, { kind: { type: 'string' }, subtree: { type: 'string' }, json: { type: 'boolean' } }, false);
      if (values.kind && values.kind !== 'platform' && values.kind !== 'unit') throw new UsageError('--kind is platform or unit');
      const items = await ctx.registry.organisations.list({ kind: values.kind as 'platform' | 'unit' | undefined, subtreeOf: int(values.subtree, 'subtree') });
      if (values.json) process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);
      else printTable(items.map((o) => ({ ...o, indent: `${'  '.repeat(o.path.split('/').filter(Boolean).length - 1)}${o.name}`, roles: o.unitRoles.join(',') })), ['id', 'kind', 'level', 'roles', 'indent', 'profileId']);
      return 0;
    }
    case 'add': {
      const { values } = parse(rest, {
        kind: { type: 'string' }, name: { type: 'string' }, 'name-en': { type: 'string' }, level: { type: 'string' }, roles: { type: 'string' },
        parent: { type: 'string' }, 'region-code': { type: 'string' }, profile: { type: 'string' }, 'gb-id': { type: 'string' }, contact: { type: 'string' },
      }, false);
      if (values.kind !== 'platform' && values.kind !== 'unit') throw new UsageError('--kind platform or --kind unit is required');
      if (!values.name) throw new UsageError('--name is required');
      const org = await ctx.registry.organisations.create({
        kind: values.kind,
        name: values.name,
        nameEn: values['name-en'],
        level: values.level as PlatformLevel | undefined,
        unitRoles: values.roles?.split(',').map((s) => s.trim()) as UnitRole[] | undefined,
        parentId: int(values.parent, 'parent'),
        regionCode: values['region-code'],
        profileId: values.profile,
        gbId: values['gb-id'],
        contact: values.contact,
      }, ctx.access.registryChangesBy(null, 'command line').record);
      process.stdout.write(`created ${org.kind} ${org.id} (${org.name})\n`);
      return 0;
    }
    case 'show': {
      const id = int(rest[0], 'id');
      if (id === undefined) throw new UsageError('org show needs an id');
      const org = await ctx.registry.organisations.get(id);
      process.stdout.write(`${JSON.stringify({ ...org, effectiveProfileId: await ctx.registry.organisations.effectiveProfileId(id) }, null, 2)}\n`);
      return 0;
    }
    default:
      throw new UsageError(orgHelp);
  }
}
