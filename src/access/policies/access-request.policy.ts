// Access requests (查阅 / 复制 / 调取, R5.3). Who approves is decided by the request's rules
// (access-request.ts) — on the requester's side (AH-21, WH-25) or the custodian's (AH-21 para. 2,
// CN799-21); these sentences say who may touch a request at all.
import { allow } from '../policy.js';

// State organs' investigators ask; duty operators watch by role and never need to (值守监看).
allow('request-footage', 'Platform', (actor) => actor.holds('footage:view') || actor.holds('footage:copy') || actor.holds('footage:retrieve'));
// CN799-21: the operator's staff record a private person's request to view, at the custodian.
allow('record-individual-view', 'Organisation', (actor, org) => actor.can('playback:view', org.path) || actor.can('config:write', org.path));
allow('read', 'AccessRequest', (actor, r) =>
  actor.userId === r.requesterId ||
  r.officerIds.includes(actor.userId) ||
  actor.can('access-request:approve', r.custodianPath) ||
  actor.can('access-request:approve', r.requesterPaths) ||
  actor.can('audit:read', r.custodianPath),
);
allow('edit', 'AccessRequest', (actor, r) => actor.userId === r.requesterId);
allow('confirm-as-officer', 'AccessRequest', (actor, r) => r.officerIds.includes(actor.userId));
// The requester and the officers may never decide their own request (dual control).
allow('decide', 'AccessRequest', (actor, r) =>
  (actor.can('access-request:approve', r.custodianPath) || actor.can('access-request:approve', r.requesterPaths)) &&
  actor.userId !== r.requesterId &&
  !r.officerIds.includes(actor.userId),
);
