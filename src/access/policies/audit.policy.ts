// The access register (R5.2): auditors and supervisors read it within their scope — the entries
// about an organisation of their subtree, and those about a camera one of whose organisations
// (region, owner, user, managing or maintaining unit) lies in it.
import { allow } from '../policy.js';

allow('read-register', 'Organisation', (actor, org) => actor.can('audit:read', org.path));
allow('read-register-about', 'Camera', (actor, camera) => actor.can('audit:read', camera.paths));
