// The registry of camera points and organisations (R1.2). Basic information is itself
// confidential (CN-6, HRB-27): national IDs, positions and stream addresses need basic-info:read.
import { allow } from '../policy.js';

allow('list', 'Camera', (actor, camera) =>
  actor.can('basic-info:read', camera.paths) || actor.can('live:view', camera.paths) || actor.can('playback:view', camera.paths) || actor.can('footage:view', camera.paths) || actor.can('basic-info:write', camera.paths),
);
// Knowing that a camera exists at all: anything less is answered as if it did not (policy.ts refusal).
allow('see', 'Camera', (actor, camera) =>
  actor.can('basic-info:read', camera.paths) || actor.can('live:view', camera.paths) || actor.can('playback:view', camera.paths) || actor.can('footage:view', camera.paths) || actor.can('basic-info:write', camera.paths),
);
allow('read-confidential', 'Camera', (actor, camera) => actor.can('basic-info:read', camera.paths));
// Positions on the map for those who watch the camera (map:view with live:view over it).
allow('read-position', 'Camera', (actor, camera) => actor.can('map:view', camera.paths) && actor.can('live:view', camera.paths));
allow('change', 'Camera', (actor, camera) => actor.can('basic-info:write', camera.paths));
// A file:// source reads the server's own disk: only the system administrator of the whole
// platform may name one, and then only under a configured media folder (issue 14).
allow('name-file-source', 'Platform', (actor) => actor.grants.some((g) => g.role === 'system_administrator' && g.path === '') && actor.holdsEverywhere('config:write'));
allow('export-all', 'Platform', (actor) => actor.holdsEverywhere('basic-info:read'));
allow('import-cameras', 'Platform', (actor) => actor.holdsEverywhere('basic-info:write'));

allow('read', 'Organisation', (actor) => actor.grants.length > 0);
allow('create-under', 'Organisation', (actor, parent) => actor.can('config:write', parent.path));
allow('change', 'Organisation', (actor, org) => actor.can('config:write', org.path));
allow('remove', 'Organisation', (actor, org) => actor.can('config:write', org.path));

// GB/T 28181 groups span organisations, so changing them needs platform-wide configuration rights.
allow('read-groups', 'Platform', (actor) => actor.holds('basic-info:read'));
allow('change-groups', 'Platform', (actor) => actor.holdsEverywhere('config:write'));

allow('read-coverage', 'Organisation', (actor, region) => actor.can('basic-info:read', region.path));
allow('read-catalogue', 'Platform', (actor) => actor.grants.length > 0);
