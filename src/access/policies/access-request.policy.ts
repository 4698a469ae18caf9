// Access requests (查阅 / 复制 / 调取, R5.3). Who approves is decided by the request's rules
// (approval.ts); these sentences say who may touch a request at all.
import { allow } from '../policy.js';

allow('request-footage', 'Platform', (actor) => actor.holds('footage:copy') || actor.holds('footage:retrieve') || actor.holds('playback:view'));
allow('read', 'AccessRequest', (actor, r) =>
  actor.userId === r.requesterId || r.officerIds.includes(actor.userId) || actor.can('access-request:approve', r.custodianPath) || actor.can('audit:read', r.custodianPath),
);
allow('edit', 'AccessRequest', (actor, r) => actor.userId === r.requesterId);
allow('confirm-as-officer', 'AccessRequest', (actor, r) => r.officerIds.includes(actor.userId));
// The requester and the officers may never decide their own request (dual control).
allow('decide', 'AccessRequest', (actor, r) =>
  actor.can('access-request:approve', r.custodianPath) && actor.userId !== r.requesterId && !r.officerIds.includes(actor.userId),
);
