// Who may share (共享, R2.2): the head's authorisation over the organisation whose cameras go out
// (share:grant, held by approvers); who may read shares: the same, and those who read the register.
import { allow } from '../access/policy.js';

allow('grant-shares', 'Organisation', (actor, org) => actor.can('share:grant', org.path));
allow('share', 'Camera', (actor, camera) => actor.can('share:grant', camera.paths));
allow('read-shares', 'Organisation', (actor, org) => actor.can('share:grant', org.path) || actor.can('audit:read', org.path));
