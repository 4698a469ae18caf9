// The access register (R5.2): auditors and supervisors read it within their scope.
import { allow } from '../policy.js';

allow('read-register', 'Organisation', (actor, org) => actor.can('audit:read', org.path));
