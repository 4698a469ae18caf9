// Who may see and act on camera health. Status, rates and alarms: anyone who may watch or read
// the basic information of the camera or region (operators, maintainers, supervisors). Work
// orders: the maintainer unit and those who register the cameras. Reports of suspicious events
// (R3.2): duty operators who watch the camera.
import { allow } from '../access/policy.js';

allow('read-health', 'Camera', (actor, camera) => actor.can('basic-info:read', camera.paths) || actor.can('live:view', camera.paths));
allow('read-health', 'Organisation', (actor, org) => actor.can('basic-info:read', org.path) || actor.can('live:view', org.path));
allow('maintain', 'Camera', (actor, camera) => actor.grants.some((g) => g.role === 'maintainer') ? actor.can('basic-info:read', camera.paths) : actor.can('basic-info:write', camera.paths));
allow('report-suspicious', 'Camera', (actor, camera) => actor.can('live:view', camera.paths));
allow('approve-view', 'Camera', (actor, camera) => actor.can('basic-info:write', camera.paths));
