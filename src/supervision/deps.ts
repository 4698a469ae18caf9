// What the supervision use cases share: repositories, the registry, the resolved profiles, the
// clock, the access register and the document store; and the gate every use case passes.
import type { Transaction } from 'kysely';
import type { Actor } from '../access/actor.js';
import type { DocumentStore } from '../access/document-store.js';
import { can, refusal } from '../access/policy.js';
import type { SecurityLog } from '../access/security-log.js';
import type { AuditAction } from '../audit/entry.js';
import type { Clock } from '../domain/clock.js';
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import type { ProfileCatalogue } from '../domain/profile-loader.js';
import type { Repositories } from '../db/repositories.js';
import type { Database } from '../db/schema.js';
import type { SystemRow } from '../db/supervision.repository.js';
import { Errors } from '../errors.js';
import type { Registry } from '../registry/index.js';

export interface SupervisionDeps {
  repos: Repositories;
  registry: Registry;
  catalogue: ProfileCatalogue;
  clock: Clock;
  log: SecurityLog;
  documents: DocumentStore;
}

export type SupervisionAction = 'manage-system' | 'read-system' | 'record-acceptance' | 'supervise' | 'read-compliance' | 'read-complaints';

/** The organisations a use case is about, as the paths the policies are asked of. */
export interface Scope {
  paths: string[];
  cameraIds?: number[];
  /** Organisations the use case is also about that grant nothing: a system's maintainer, for changes. */
  alsoAbout?: string[];
}

export class Gate {
  constructor(private readonly d: SupervisionDeps) {}

  /**
   * Allows when a rule allows `action` on any of the paths, and returns the scope to record the
   * use case against; otherwise registers the refusal and throws.
   */
  async check(actor: Actor, action: SupervisionAction, scope: Scope, auditAction: AuditAction, target: string): Promise<Scope> {
    if (scope.paths.some((path) => can(actor, action, { kind: 'Organisation', id: null, path }))) return scope;
    return this.d.log.refuse(actor, { action: auditAction, ...about(scope), reason: `${action} refused`, target }, refusal(action, { kind: 'Organisation', id: null, path: '' }));
  }

  allows(actor: Actor, action: SupervisionAction, paths: string[]): boolean {
    return paths.some((path) => can(actor, action, { kind: 'Organisation', id: null, path }));
  }

  /** Registers a rule's refusal (with its articles) before throwing it. */
  async refuse(actor: Actor, error: Error, target: string, scope: Scope): Promise<never> {
    return this.d.log.refuse(actor, { action: 'registry_change', ...about(scope), target }, error);
  }

  /**
   * Writes the register entry of a change inside the change's own transaction, indexed by the
   * organisations of `scope` and its cameras, so readers scoped to any of them find it.
   */
  record(trx: Transaction<Database>, actor: Actor | null, target: string, detail: Record<string, unknown>, scope: Scope) {
    return this.d.log.append(trx, actor, { action: 'registry_change', outcome: 'success', ...about(scope), target, detail });
  }
}

/** The organisations that paths name, each its last id ('/1/4/' is 4). */
export function organisationIdsOf(paths: string[]): number[] {
  const ids = paths.map((p) => Number(/(\d+)\/$/.exec(p)?.[1])).filter((id) => Number.isSafeInteger(id) && id > 0);
  return [...new Set(ids)];
}

/** A scope as a register entry's cameras and the organisations it is about. */
function about(scope: Scope): { cameraIds: number[]; organisationIds: number[] } {
  return { cameraIds: scope.cameraIds ?? [], organisationIds: organisationIdsOf([...scope.paths, ...(scope.alsoAbout ?? [])]) };
}

/** Resolved profile of a region: its numbers and its duties' articles. */
export async function profileOf(d: SupervisionDeps, orgId: number): Promise<{ profile: JurisdictionProfile }> {
  const profile = d.catalogue.require(await d.registry.organisations.effectiveProfileId(orgId));
  return { profile };
}

export const UNIT_COLUMNS = ['builder_unit_id', 'user_unit_id', 'managing_unit_id', 'maintainer_unit_id'] as const;

/** Paths of a system's region and units. */
export async function systemPaths(d: SupervisionDeps, s: SystemRow): Promise<string[]> {
  return (await systemOrganisations(d, s)).map((o) => o.path);
}

/**
 * The scope of a change to a system: allowed by its region and units but not its maintainer, who
 * repairs it but does not run it; recorded against all of them, the maintainer too.
 */
export async function changeScope(d: SupervisionDeps, s: SystemRow, cameraIds?: number[]): Promise<Scope> {
  const orgs = await systemOrganisations(d, s);
  // Those who run it; the maintainer grants only when it is also one of them.
  const runs = new Set([s.region_id, s.builder_unit_id, s.user_unit_id, s.managing_unit_id].filter((x) => x !== null).map(Number));
  const scope: Scope = { paths: orgs.filter((o) => runs.has(o.id)).map((o) => o.path), alsoAbout: orgs.filter((o) => !runs.has(o.id)).map((o) => o.path) };
  if (cameraIds) scope.cameraIds = cameraIds;
  return scope;
}

async function systemOrganisations(d: SupervisionDeps, s: SystemRow) {
  const ids = [s.region_id, ...UNIT_COLUMNS.map((c) => s[c])].filter((x): x is number => x !== null).map(Number);
  return d.repos.organisations.getMany(ids);
}

export async function requireSystem(d: SupervisionDeps, id: number): Promise<SystemRow> {
  const s = await d.repos.supervision.get('systems', id);
  if (!s) throw Errors.notFound(`system ${id} does not exist`);
  return s;
}

export const json = <T>(text: string): T => JSON.parse(text) as T;
