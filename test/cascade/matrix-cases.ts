// The authorisation matrix's oracle for the share routes (issue 19), written by hand from the
// role descriptions: sharing cameras out is the head's authorisation (approver, share:grant) over
// the organisation; shares are read by those who grant them and those who read the register.
import { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/permissions.js';
import type { TestApp } from '../support/app.js';
import type { World } from '../access/fixtures.js';

type Variant = 'own' | 'other';
interface Call { url: string; payload?: unknown }
interface Case { call(v: Variant): Promise<Call>; own: readonly Role[] | 'all'; other: readonly Role[] | 'all' }

const GRANTERS: Role[] = ['approver'];
const READERS: Role[] = ['approver', 'supervisor', 'auditor'];
const NOBODY: Role[] = [];

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
  return {
    'GET /api/v1/shares': { call: async () => ({ url: '' }), own: 'all', other: 'all' },
    'GET /api/v1/shares/:id': { call: async (v) => ({ url: `/${await fresh(v)}` }), own: READERS, other: NOBODY },
    'POST /api/v1/shares': { call: async (v) => ({ url: '', payload: grant(v) }), own: GRANTERS, other: NOBODY },
    'POST /api/v1/shares/:id/revoke': { call: async (v) => ({ url: `/${await fresh(v)}/revoke`, payload: { reason: 'matrix' } }), own: GRANTERS, other: NOBODY },
  };
}
