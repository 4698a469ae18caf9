// Who is asking: a signed-in person (by session) or a machine client (by API token), with the
// roles they hold and where. Scope is an organisation subtree: a materialised path prefix.
import type { Permission, Role } from './permissions.js';
import { ROLE_PERMISSIONS } from './permissions.js';

export interface Grant {
  id: number;
  role: Role;
  /** Null: the whole platform. */
  organisationId: number | null;
  /** Path of that organisation ('/1/4/'), '' for the whole platform. */
  path: string;
}

export interface ActorInit {
  userId: number;
  login: string;
  displayName: string;
  workId: string | null;
  organisationId: number | null;
  grants: Grant[];
  sessionId?: string | null;
  tokenId?: number | null;
  /** A token's narrower reach: only these permissions, only under this path. */
  limit?: { permissions: readonly Permission[]; path: string } | null;
  sourceAddress?: string | null;
}

/** Does `path` lie in the subtree rooted at `scope` ('' is everything)? */
export function within(path: string, scope: string): boolean {
  return path.startsWith(scope);
}

export class Actor {
  readonly userId: number;
  readonly login: string;
  readonly displayName: string;
  readonly workId: string | null;
  readonly organisationId: number | null;
  readonly grants: readonly Grant[];
  readonly sessionId: string | null;
  readonly tokenId: number | null;
  readonly sourceAddress: string | null;
  private readonly limit: ActorInit['limit'];

  constructor(init: ActorInit) {
    this.userId = init.userId;
    this.login = init.login;
    this.displayName = init.displayName;
    this.workId = init.workId;
    this.organisationId = init.organisationId;
    this.grants = init.grants;
    this.sessionId = init.sessionId ?? null;
    this.tokenId = init.tokenId ?? null;
    this.limit = init.limit ?? null;
    this.sourceAddress = init.sourceAddress ?? null;
  }

  /** Subtree paths where this actor holds the permission. */
  scopes(permission: Permission): string[] {
    if (this.limit && !this.limit.permissions.includes(permission)) return [];
    const out: string[] = [];
    for (const g of this.grants) {
      if (!ROLE_PERMISSIONS[g.role].includes(permission)) continue;
      if (!this.limit) out.push(g.path);
      // A token reaches only where both the grant and the token reach: the deeper of the two.
      else if (within(this.limit.path, g.path)) out.push(this.limit.path);
      else if (within(g.path, this.limit.path)) out.push(g.path);
    }
    return out;
  }

  /** Holds the permission over any of these paths (a camera has a region and up to four units). */
  can(permission: Permission, paths: string | readonly string[]): boolean {
    const list = typeof paths === 'string' ? [paths] : paths;
    const scopes = this.scopes(permission);
    return list.some((p) => scopes.some((s) => within(p, s)));
  }

  /** Holds the permission somewhere at all. */
  holds(permission: Permission): boolean {
    return this.scopes(permission).length > 0;
  }

  /** Holds the permission over the whole platform. */
  holdsEverywhere(permission: Permission): boolean {
    return this.scopes(permission).includes('');
  }

  /** Holds the role itself over a path (approval needs the role, not only the permission). */
  hasRole(role: Role, path: string): boolean {
    if (this.limit) return false;
    return this.grants.some((g) => g.role === role && within(path, g.path));
  }

  get roles(): Role[] {
    return [...new Set(this.grants.map((g) => g.role))];
  }

  /** How the register names this actor. */
  get auditActor() {
    return { userId: this.userId, workId: this.workId, name: this.login };
  }
}
