// Roles are held within an organisation and reach its whole subtree (a district operator sees the
// district's cameras). What each role may do is this table; there is deliberately no permission
// to delete or edit original footage (R4.2: nobody, administrators included, may).

export const PERMISSIONS = [
  'basic-info:read',
  'basic-info:write',
  'live:view',
  'playback:view',
  'footage:view',
  'footage:copy',
  'footage:retrieve',
  'ptz:control',
  'config:write',
  'audit:read',
  'access-request:approve',
  'users:manage',
  /** Share cameras with an upper platform, another department or an API client (共享, R2.2). */
  'share:grant',
  /**
   * Where the cameras one may watch are (position, view direction, field of view), on the map:
   * a part of the confidential basic information (CN-6, HRB-27) given to those who watch, each
   * showing registered. Not the national ID, the address or the stream address.
   */
  'map:view',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = [
  'duty_operator',
  'unit_administrator',
  'maintainer',
  'investigator',
  'approver',
  'supervisor',
  'auditor',
  'system_administrator',
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  // 值守监看 (R3.1, R3.3): watch, play back, steer PTZ; of the confidential basic information only
  // where the cameras they watch stand and look, on the map (to follow someone from camera to
  // camera and to send help), registered each time; never national IDs, addresses, stream URLs.
  duty_operator: ['live:view', 'playback:view', 'ptz:control', 'map:view'],
  // The owner / user unit registers and files its own cameras and manages its staff.
  unit_administrator: ['basic-info:read', 'basic-info:write', 'config:write', 'users:manage'],
  // Maintenance units see device details and check the picture while repairing (R6).
  maintainer: ['basic-info:read', 'live:view', 'ptz:control'],
  // Investigators (and other agencies) may ask to view, copy or retrieve; every use goes through an
  // approved access request (AH-21, HRB-22, WH-25, CN799-20): no footage by role alone.
  investigator: ['footage:view', 'footage:copy', 'footage:retrieve'],
  // Head of agency: decides access requests for the custodian's cameras (AH-21, HRB-22).
  // Sharing across departments and upward is under the head's authorisation (HRB-20, AH-5, AH-20).
  approver: ['access-request:approve', 'share:grant'],
  // Police as supervisor: inspects the registry and the register; the police head's approval.
  supervisor: ['basic-info:read', 'audit:read', 'access-request:approve'],
  auditor: ['audit:read'],
  // Runs the platform; separation of duties keeps footage and the register away from this role.
  system_administrator: ['basic-info:read', 'basic-info:write', 'config:write', 'users:manage'],
};

/** What lets one see footage or the register. */
const SEEING: readonly Permission[] = ['live:view', 'playback:view', 'footage:view', 'footage:copy', 'footage:retrieve', 'audit:read'];

/**
 * Roles that cannot finish signing in without a second factor: every role that can see footage
 * or the register, those who approve access to it, and the platform's administrators.
 */
export const TOTP_REQUIRED_ROLES: ReadonlySet<Role> = new Set(
  ROLES.filter((r) => r === 'approver' || r === 'system_administrator' || ROLE_PERMISSIONS[r].some((p) => SEEING.includes(p))),
);

export function needsSecondFactor(roles: readonly string[]): boolean {
  return roles.some((r) => isRole(r) && TOTP_REQUIRED_ROLES.has(r));
}

/**
 * Separation of duties: roles one account may not hold together, anywhere. Whoever audits the
 * watchers must not watch, investigate or administer.
 */
export const INCOMPATIBLE_ROLES: readonly [Role, Role][] = [
  ['auditor', 'duty_operator'],
  ['auditor', 'investigator'],
  ['auditor', 'system_administrator'],
  ['auditor', 'unit_administrator'],
];

/** The role of `held` that `role` may not join, or null. */
export function incompatibleWith(role: string, held: readonly string[]): string | null {
  for (const [a, b] of INCOMPATIBLE_ROLES) {
    if (role === a && held.includes(b)) return b;
    if (role === b && held.includes(a)) return a;
  }
  return null;
}

export function isPermission(p: string): p is Permission {
  return (PERMISSIONS as readonly string[]).includes(p);
}

export function isRole(r: string): r is Role {
  return (ROLES as readonly string[]).includes(r);
}
