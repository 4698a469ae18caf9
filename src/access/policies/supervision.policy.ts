// Lifecycle and supervision (R7, R8). A system is spoken of through the organisations it
// involves — its region and its builder, user, managing and maintainer units — and each rule is
// asked of one of their paths at a time (the service allows when any path allows).
//   Units run their systems: config:write where they are (unit administrators).
//   The basic information of a system — design plan, filings, archive — is confidential like a
//   camera's (CN-6, HRB-27): basic-info:read.
//   Supervision is the police's: the supervisor role itself, not a permission others share.
import { allow } from '../policy.js';

allow('manage-system', 'Organisation', (actor, org) => actor.can('config:write', org.path));
allow('read-system', 'Organisation', (actor, org) => actor.can('basic-info:read', org.path));
// Acceptance is organised by the builder (CN-12, HRB-16) or the government (AH-13), the police
// taking part: either may record the result.
allow('record-acceptance', 'Organisation', (actor, org) => actor.can('config:write', org.path) || actor.hasRole('supervisor', org.path));
allow('supervise', 'Organisation', (actor, org) => actor.hasRole('supervisor', org.path));
allow('read-compliance', 'Organisation', (actor, region) => actor.can('basic-info:read', region.path));
// Complaints (CN-25) reach the supervising unit of the region, and the auditors who oversee it.
allow('read-complaints', 'Organisation', (actor, region) => actor.hasRole('supervisor', region.path) || actor.can('audit:read', region.path));
