// Who may preserve footage (信息保全, R4.3, HRB-27): those who may retrieve it or decide on its
// retrieval, within their own scope. Releasing a hold needs a second person with approval
// authority over the camera (the service also refuses the one who asked for the release).
import { allow } from '../access/policy.js';

allow('place-hold', 'Camera', (actor, camera) => actor.can('footage:retrieve', camera.paths) || actor.can('access-request:approve', camera.paths));
allow('request-hold-release', 'Camera', (actor, camera) => actor.can('footage:retrieve', camera.paths) || actor.can('access-request:approve', camera.paths));
allow('approve-hold-release', 'Camera', (actor, camera) => actor.can('access-request:approve', camera.paths));
allow('read-holds', 'Camera', (actor, camera) =>
  actor.can('footage:retrieve', camera.paths) || actor.can('access-request:approve', camera.paths) || actor.can('audit:read', camera.paths),
);
