import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { AuditLog } from '../../audit/audit-log.js';
import { parseCheckpointLines } from '../../audit/checkpoint.js';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES, type AuditEntryInput } from '../../audit/entry.js';
import { parsePublicKey, PlatformKeys } from '../../audit/platform-key.js';
import { exportCsv, exportPdf, formatActors, formatTime } from '../../audit/register-export.js';
import { verifyChain } from '../../audit/verify.js';
import type { AuditRowFilter } from '../../db/audit.repository.js';
import type { Db } from '../../db/database.js';
import { OrganisationRepository } from '../../db/organisation.repository.js';
import type { Clock } from '../../domain/clock.js';
import { int, parse } from '../args.js';
import { printTable, UsageError } from '../output.js';
import { auditHelp } from '../usage.js';

/** What the command needs from the process context. */
export interface AuditCommandContext {
  db: Db;
  clock: Clock;
  config: { dataDir: string };
}

const FILTER_OPTIONS = {
  from: { type: 'string' }, to: { type: 'string' }, actor: { type: 'string' }, camera: { type: 'string' },
  action: { type: 'string' }, outcome: { type: 'string' }, approval: { type: 'string' }, organisation: { type: 'string' },
} as const;

/** --organisation: the subtree a district's extract is limited to, as the API limits its readers. */
async function scoped(db: Db, values: Record<string, string | boolean | undefined>, filter: AuditRowFilter): Promise<AuditRowFilter> {
  const id = int(values.organisation as string | undefined, 'organisation');
  if (id === undefined) return filter;
  const org = await new OrganisationRepository(db.kysely).get(id);
  if (!org) throw new UsageError(`organisation ${id} does not exist`);
  return { ...filter, scopePaths: [org.path] };
}

function time(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new UsageError(`--${name} must be an ISO 8601 time or epoch milliseconds, got "${v}"`);
  return ms;
}

function filterFrom(values: Record<string, string | boolean | undefined>): AuditRowFilter {
  const s = (k: string) => values[k] as string | undefined;
  if (s('action') !== undefined && !(AUDIT_ACTIONS as readonly string[]).includes(s('action')!)) throw new UsageError(`--action must be one of ${AUDIT_ACTIONS.join(', ')}`);
  if (s('outcome') !== undefined && !(AUDIT_OUTCOMES as readonly string[]).includes(s('outcome')!)) throw new UsageError(`--outcome must be one of ${AUDIT_OUTCOMES.join(', ')}`);
  return {
    from: time(s('from'), 'from'),
    to: time(s('to'), 'to'),
    actorUserId: int(s('actor'), 'actor'),
    cameraId: int(s('camera'), 'camera'),
    action: s('action'),
    outcome: s('outcome'),
    approvalId: int(s('approval'), 'approval'),
  };
}

/** Reading the register is itself recorded. */
function registerAccess(what: string, filter: AuditRowFilter): AuditEntryInput {
  return {
    action: 'register_access',
    actors: [{ userId: null, workId: null, name: `cli:${userInfo().username}` }],
    target: 'audit_register',
    sourceAddress: 'local command line',
    outcome: 'success',
    detail: { what, filter },
  };
}

export async function auditCommand(ctx: AuditCommandContext, args: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const [sub, ...rest] = args;
  const log = () => new AuditLog(ctx.db, { keys: PlatformKeys.loadOrCreate(ctx.config.dataDir), clock: ctx.clock });
  switch (sub) {
    case 'verify': {
      const { values } = parse(rest, { checkpoints: { type: 'string' }, 'public-key': { type: 'string' }, json: { type: 'boolean' } }, false);
      const publicKey = values['public-key'] ? parsePublicKey(readFileSync(values['public-key'], 'utf8')) : PlatformKeys.loadOrCreate(ctx.config.dataDir).publicKey;
      const checkpoints = values.checkpoints ? parseCheckpointLines(readFileSync(values.checkpoints, 'utf8')) : undefined;
      const started = performance.now();
      const r = await verifyChain(ctx.db, { publicKey, checkpoints });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      if (values.json) out.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (r.ok) out.write(`chain intact: ${r.entries} entries, last checkpoint seq ${r.lastCheckpointSeq ?? 'none'} (${r.checkpointsChecked} checkpoints checked, ${seconds} s)\n`);
      else out.write(`chain broken at entry ${r.failure!.seq} (${r.failure!.kind}): ${r.failure!.message}\n${r.entries} entries before it verified\n`);
      return r.ok ? 0 : 1;
    }
    case 'export-checkpoints': {
      const { values, positionals } = parse(rest, { after: { type: 'string' } });
      const text = await log().exportCheckpoints(int(values.after, 'after') ?? 0);
      if (!positionals[0]) {
        out.write(text);
        return 0;
      }
      writeFileSync(positionals[0], text, { mode: 0o644 });
      const lines = text.split('\n').filter(Boolean);
      const last = lines.length ? (JSON.parse(lines[lines.length - 1]!) as { seq: number }).seq : null;
      out.write(`wrote ${lines.length} checkpoints${last ? ` (through entry ${last})` : ''} to ${positionals[0]}\n`);
      return 0;
    }
    case 'public-key': {
      out.write(PlatformKeys.loadOrCreate(ctx.config.dataDir).publicKeyPem());
      return 0;
    }
    case 'search': {
      const { values } = parse(rest, { ...FILTER_OPTIONS, limit: { type: 'string' }, cursor: { type: 'string' }, json: { type: 'boolean' } }, false);
      const filter = await scoped(ctx.db, values, filterFrom(values));
      const audit = log();
      const page = await audit.search({ ...filter, limit: int(values.limit, 'limit') ?? 50, cursor: int(values.cursor, 'cursor') });
      await audit.record(registerAccess('search', filter));
      if (values.json) out.write(`${JSON.stringify(page, null, 2)}\n`);
      else {
        printTable(
          page.items.map((e) => ({ ...e, at: formatTime(e.at), actors: formatActors(e), cameraIds: e.cameraIds.join(' ') })) as unknown as Record<string, unknown>[],
          ['seq', 'at', 'action', 'actors', 'cameraIds', 'purpose', 'destination', 'approvalId', 'outcome', 'reason'],
          out,
        );
        out.write(page.nextCursor === null ? `${page.items.length} entries\n` : `${page.items.length} entries; more with --cursor ${page.nextCursor}\n`);
      }
      return 0;
    }
    case 'export': {
      const { values } = parse(rest, { ...FILTER_OPTIONS, format: { type: 'string' }, out: { type: 'string' }, 'utc-offset': { type: 'string' } }, false);
      if (values.format !== 'csv' && values.format !== 'pdf') throw new UsageError('audit export needs --format csv or --format pdf');
      if (values.format === 'pdf' && !values.out) throw new UsageError('a PDF export needs --out FILE');
      const offset = values['utc-offset'] === undefined ? 0 : Number(values['utc-offset']);
      if (!Number.isInteger(offset) || Math.abs(offset) > 14 * 60) throw new UsageError('--utc-offset is minutes east of UTC, e.g. 480');
      const filter = await scoped(ctx.db, values, filterFrom(values));
      const audit = log();
      await audit.record(registerAccess(`export ${values.format}`, filter));
      if (values.format === 'pdf') {
        writeFileSync(values.out!, await exportPdf(audit, filter, { utcOffsetMinutes: offset, generatedAt: ctx.clock.now() }));
        out.write(`wrote ${values.out}\n`);
        return 0;
      }
      const dest: NodeJS.WritableStream = values.out ? createWriteStream(values.out) : out;
      for await (const chunk of exportCsv(audit, filter, { utcOffsetMinutes: offset })) {
        if (!dest.write(chunk)) await new Promise((r) => dest.once('drain', r));
      }
      if (values.out) {
        await new Promise<void>((r, j) => {
          dest.once('error', j);
          dest.end(() => r());
        });
        out.write(`wrote ${values.out}\n`);
      }
      return 0;
    }
    default:
      throw new UsageError(auditHelp);
  }
}
