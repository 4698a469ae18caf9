// Security events go to the access register (src/audit/). An action and its record share one
// transaction; a refusal has no action to share, so it is recorded on its own — and if even that
// cannot be written, the caller gets the failure rather than a silent refusal.
import type { Transaction } from 'kysely';
import type { AuditLog } from '../audit/audit-log.js';
import type { AuditAction, AuditActor, AuditEntryInput } from '../audit/entry.js';
import type { Database } from '../db/schema.js';
import { isVigilError } from '../errors.js';
import type { Actor } from './actor.js';
import type { Permission } from './permissions.js';

export const UNKNOWN_ACTOR: AuditActor = { userId: null, workId: null, name: null };
/** Changes made by the platform itself: the first run, or the command line on the server. */
export const PLATFORM_ACTOR: AuditActor = { userId: null, workId: null, name: 'platform (first run or command line)' };

/** The register action an attempt under a permission counts as. */
export const ACTION_OF_PERMISSION: Record<Permission, AuditAction> = {
  'basic-info:read': 'registry_view',
  'basic-info:write': 'registry_change',
  'live:view': 'view',
  'playback:view': 'playback',
  'footage:view': 'view',
  'footage:copy': 'copy',
  'footage:retrieve': 'retrieve',
  'ptz:control': 'config_change',
  'config:write': 'config_change',
  'audit:read': 'register_access',
  'access-request:approve': 'approval_decision',
  'users:manage': 'permission_change',
  'share:grant': 'permission_change',
  'map:view': 'registry_view',
};

const RECORDED = Symbol('vigil.refusal-recorded');

/** Marks a refusal as written to the register, so the API's safety net does not write it twice. */
export function markRecorded<E extends Error>(e: E): E {
  (e as unknown as Record<symbol, boolean>)[RECORDED] = true;
  return e;
}

export function wasRecorded(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as Record<symbol, boolean>)[RECORDED] === true;
}

export type EventInput = Omit<AuditEntryInput, 'actors' | 'sourceAddress'> & { actors?: AuditActor[]; sourceAddress?: string | null };

export class SecurityLog {
  constructor(readonly audit: AuditLog) {}

  /** Runs `fn` in a transaction that holds the register's lock; record inside with `append`. */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    return this.audit.transaction(fn);
  }

  append(trx: Transaction<Database>, actor: Actor | null, e: EventInput): Promise<unknown> {
    return this.audit.append(trx, entry(actor, e));
  }

  record(actor: Actor | null, e: EventInput): Promise<unknown> {
    return this.audit.record(entry(actor, e));
  }

  /** Records a refused attempt, then throws the refusal. */
  async refuse(actor: Actor | null, e: Omit<EventInput, 'outcome'>, error: Error): Promise<never> {
    await this.record(actor, { ...e, outcome: 'refused', reason: e.reason ?? error.message, detail: { ...e.detail, ...(isVigilError(error) ? { code: error.code, articles: error.articles } : {}) } });
    throw markRecorded(error);
  }
}

function entry(actor: Actor | null, e: EventInput): AuditEntryInput {
  const nobody = e.outcome === 'success' ? PLATFORM_ACTOR : UNKNOWN_ACTOR;
  return { ...e, actors: e.actors ?? [actor ? actor.auditActor : nobody], sourceAddress: e.sourceAddress ?? actor?.sourceAddress ?? null };
}
