// The authorisation matrix's oracle for the share routes (issue 19), written by hand from the
// role descriptions: sharing cameras out is the head's authorisation (approver, share:grant) over
// the organisation; shares are read by those who grant them and those who read the register.
import { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/permissions.js';
import { TEST_ON_DEMAND_UPPER, type TestApp } from '../support/app.js';
import { adminActor } from '../support/auth.js';
import type { World } from '../access/fixtures.js';

type Variant = 'own' | 'other';
interface Call { url: string; payload?: unknown }
interface Case { call(v: Variant): Promise<Call>; own: readonly Role[] | 'all'; other: readonly Role[] | 'all' }

const GRANTERS: Role[] = ['approver'];
const READERS: Role[] = ['approver', 'supervisor', 'auditor'];
const NOBODY: Role[] = [];
// Emergency connections (接入): opened and ended by the requester (none of the matrix's people) or
// one who approves requests over the custodian (approver, supervisor); the list is anyone's own.
const CONNECTION_OPERATORS: Role[] = ['approver', 'supervisor'];

export function shareCases(get: () => { t: TestApp; w: World }): Record<string, Case> {
  const org = (v: Variant) => (v === 'own' ? get().w.districtA : get().w.districtB);
  const cam = (v: Variant) => (v === 'own' ? get().w.camA : get().w.camB);
  const grant = (v: Variant) => {
    const { t } = get();
    return {
      organisationId: org(v), recipient: { kind: 'platform' as const, ref: '34000000002000000001' }, rights: ['catalog' as const, 'live' as const],
      cameraIds: [cam(v)], groupIds: [], validFrom: t.clock.now(), validTo: t.clock.now() + 86_400_000, purpose: '联网', approvalDocument: '〔2026〕1号',
    };
  };
  const fresh = async (v: Variant) => {
    const { t } = get();
    const head = new Actor({ userId: t.adminId, login: 'matrix head', displayName: 'matrix head', workId: null, organisationId: null, grants: [{ id: 0, role: 'approver', organisationId: null, path: '' }] });
    return (await t.shares.grant(head, grant(v))).id;
  };
  /** An approved connection request of someone outside the matrix (the administrator) to the variant's unit, for the next hour. */
  const connectRequest = async (v: Variant) => {
    const { t, w } = get();
    const now = t.clock.now();
    return t.repos.accessRequests.insert({
      kind: 'connect', state: 'approved', requester_id: t.adminId, requester_kind: 'public-security', requesting_unit: '市公安局', purpose: '重大活动安保', case_number: null,
      destination: TEST_ON_DEMAND_UPPER, custodian_id: v === 'own' ? w.unitA : w.unitB, profile_id: 'national', camera_ids: [], range_from: now, range_to: now + 3_600_000,
      validity_ms: 3_600_000, valid_until: now + 3_600_000, document_sha256: null, document_type: null, approvals: [], decision_reason: null, decided_by: null, created_at: now, updated_at: now,
    }, []);
  };
  /** A connection open now (its upper never answers), opened by its requester. */
  const openConnection = async (v: Variant) => {
    const { t } = get();
    const id = await connectRequest(v);
    await t.emergency.start(adminActor(t), id);
    return id;
  };
  return {
    'GET /api/v1/emergency-connections': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
    'POST /api/v1/emergency-connections': { call: async (v) => ({ url: '', payload: { requestId: await connectRequest(v) } }), own: CONNECTION_OPERATORS, other: NOBODY },
    'POST /api/v1/emergency-connections/:requestId/end': { call: async (v) => ({ url: `/api/v1/emergency-connections/${await openConnection(v)}/end`, payload: { reason: 'matrix' } }), own: CONNECTION_OPERATORS, other: NOBODY },
    'GET /api/v1/shares': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
    'GET /api/v1/shares/:id': { call: async (v) => ({ url: `/${await fresh(v)}` }), own: READERS, other: NOBODY },
    'POST /api/v1/shares': { call: async (v) => ({ url: '', payload: grant(v) }), own: GRANTERS, other: NOBODY },
    'POST /api/v1/shares/:id/revoke': { call: async (v) => ({ url: `/${await fresh(v)}/revoke`, payload: { reason: 'matrix' } }), own: GRANTERS, other: NOBODY },
  };
}
