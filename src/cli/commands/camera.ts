import { createWriteStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Errors } from '../../errors.js';
import { cameraInputSchema, cameraPatchSchema } from '../../registry/camera.schema.js';
import type { Context } from '../../services/context.js';
import { int, parse } from '../args.js';
import { printTable, UsageError } from '../output.js';
import { cameraHelp } from '../usage.js';

export async function cameraCommand(ctx: Context, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const { values } = parse(rest, {
        region: { type: 'string' }, unit: { type: 'string' }, category: { type: 'string' }, status: { type: 'string' },
        q: { type: 'string' }, limit: { type: 'string' }, offset: { type: 'string' }, json: { type: 'boolean' },
      }, false);
      const r = await ctx.registry.cameras.search({
        regionId: int(values.region, 'region'),
        unitId: int(values.unit, 'unit'),
        placeCategory: values.category,
        status: values.status as never,
        q: values.q,
        limit: int(values.limit, 'limit') ?? 50,
        offset: int(values.offset, 'offset') ?? 0,
      });
      if (values.json) process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        printTable(r.items as unknown as Record<string, unknown>[], ['id', 'gbId', 'name', 'placeCategory', 'status', 'regionId', 'address']);
        process.stdout.write(`${r.items.length} of ${r.total}\n`);
      }
      return 0;
    }
    case 'add': {
      const { values } = parse(rest, { json: { type: 'string' } }, false);
      if (!values.json) throw new UsageError('camera add needs --json FILE (or - for standard input)');
      const text = readFileSync(values.json === '-' ? 0 : values.json, 'utf8');
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (e) {
        throw Errors.validation(`the camera JSON cannot be read: ${(e as Error).message}`);
      }
      const input = cameraInputSchema.safeParse(body);
      if (!input.success) {
        throw Errors.validation(
          'the camera point is not valid',
          input.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })),
        );
      }
      const by = ctx.access.registryChangesBy(null, 'command line');
      const cam = await ctx.registry.cameras.register(input.data, by.record, by.source);
      process.stdout.write(`registered camera ${cam.id} (${cam.gbId})\n`);
      return 0;
    }
    case 'update': {
      const id = int(rest[0], 'id');
      const { values } = parse(rest.slice(1), { json: { type: 'string' } }, false);
      if (id === undefined || !values.json) throw new UsageError('camera update needs an id and --json FILE (or - for standard input)');
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(values.json === '-' ? 0 : values.json, 'utf8'));
      } catch (e) {
        throw Errors.validation(`the camera JSON cannot be read: ${(e as Error).message}`);
      }
      const patch = cameraPatchSchema.safeParse(body);
      if (!patch.success) {
        throw Errors.validation('the change is not valid', patch.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message })));
      }
      const by = ctx.access.registryChangesBy(null, 'command line');
      const cam = await ctx.registry.cameras.update(id, patch.data, by.record, by.source);
      process.stdout.write(`updated camera ${cam.id} (${cam.gbId}): ${cam.status}\n`);
      return 0;
    }
    case 'show': {
      const id = int(rest[0], 'id');
      if (id === undefined) throw new UsageError('camera show needs an id');
      process.stdout.write(`${JSON.stringify(await ctx.registry.cameras.get(id), null, 2)}\n`);
      return 0;
    }
    case 'check-sources': {
      const { values } = parse(rest, { json: { type: 'boolean' } }, false);
      const refused = await ctx.registry.cameras.refusedSources();
      if (values.json) process.stdout.write(`${JSON.stringify(refused, null, 2)}\n`);
      else {
        if (refused.length) printTable(refused as unknown as Record<string, unknown>[], ['id', 'gbId', 'name', 'sourceUrl', 'reason', 'range']);
        process.stdout.write(refused.length ? `${refused.length} camera source(s) are refused by the source policy: they are not opened; change them or the policy (media.cameraNetworks, media.fileSourceRoots)\n` : 'every stored camera source is allowed by the source policy\n');
      }
      return refused.length ? 1 : 0;
    }
    case 'import': {
      const file = rest[0];
      if (!file) throw new UsageError('camera import needs a CSV file');
      const started = performance.now();
      const by = ctx.access.registryChangesBy(null, 'command line');
      const r = await ctx.registry.importer.importCsv(readFileSync(file, 'utf8'), by.record, by.source);
      process.stdout.write(`imported ${r.imported} camera points in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
      return 0;
    }
    case 'export': {
      const csv = Readable.from(ctx.registry.importer.exportCsv());
      if (rest[0]) await pipeline(csv, createWriteStream(rest[0]));
      else for await (const chunk of csv) process.stdout.write(chunk as string);
      return 0;
    }
    default:
      throw new UsageError(cameraHelp);
  }
}
