// The authorisation matrix's oracle for the release routes (issue 23), written by hand from the
// rules: a release is started and cancelled by its requester only (none of the matrix's people);
// it is seen by the requester, the custodian's head (approver) and those who read the custodian's
// register (supervisor, auditor); changed in review and watched by the requester or the
// custodian's head; approved by the custodian's head only; the masked clip's URL needs a token.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '../../src/access/permissions.js';
import type { ReleaseState } from '../../src/db/release.repository.js';
import type { TestApp } from '../support/app.js';
import type { World } from '../access/fixtures.js';

type Variant = 'own' | 'other';
interface Call { url: string; payload?: unknown }
interface Case { call(v: Variant): Promise<Call>; own: readonly Role[] | 'all'; other: readonly Role[] | 'all' }

const SEERS: Role[] = ['approver', 'supervisor', 'auditor'];
const HEADS: Role[] = ['approver'];
const NOBODY: Role[] = [];

export function releaseCases(get: () => { t: TestApp; w: World }): Record<string, Case> {
  const cam = (v: Variant) => (v === 'own' ? get().w.camA : get().w.camB);
  /** An approved release request of someone outside the matrix to the variant's custodian. */
  const requests = new Map<Variant, number>();
  const requestOf = async (v: Variant) => {
    if (!requests.has(v)) {
      const { t, w } = get();
      const now = t.clock.now();
      requests.set(v, await t.repos.accessRequests.insert({
        kind: 'release', state: 'approved', requester_id: t.adminId, requester_kind: 'public-security', requesting_unit: '道里分局', purpose: '寻找目击证人', case_number: null,
        destination: '警方微博', custodian_id: v === 'own' ? w.unitA : w.unitB, profile_id: 'national', camera_ids: [cam(v)], range_from: now - 3_600_000, range_to: now,
        validity_ms: 86_400_000, valid_until: now + 86_400_000, document_sha256: null, document_type: null, approvals: [], decision_reason: null, decided_by: null, created_at: now, updated_at: now,
      }, []));
    }
    return requests.get(v)!;
  };
  /** A release row in `state`; a released one has its files on disk. */
  const releaseOf = async (v: Variant, state: ReleaseState) => {
    const { t } = get();
    const now = t.clock.now();
    const row = await t.repos.releases.insert({
      request_id: await requestOf(v), camera_id: cam(v), range_from: now - 3_600_000, range_to: now, state, style: 'solid', manual: '[]', removed_tracks: '[]', tracks: '[]',
      frames_total: 0, frames_done: 0, runs: 1, caption: null, caption_profile: null, path: '', file_sha256: null, manifest_sha256: null, error: null,
      created_by: t.adminId, created_at: now, updated_at: now, approved_by: null, approved_at: null,
    });
    const dir = join(t.dataDir, 'releases', String(row.id));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'masked.mp4'), 'not really a video');
    writeFileSync(join(dir, 'manifest.json'), '{}');
    return row.id;
  };
  return {
    'POST /api/v1/releases': { call: async (v) => ({ url: '', payload: { requestId: await requestOf(v), cameraId: cam(v), from: get().t.clock.now() - 3_600_000, to: get().t.clock.now() } }), own: NOBODY, other: NOBODY },
    'GET /api/v1/access-requests/:id/releases': { call: async (v) => ({ url: `/${await requestOf(v)}/releases` }), own: SEERS, other: NOBODY },
    'GET /api/v1/releases/:id': { call: async (v) => ({ url: `/${await releaseOf(v, 'released')}` }), own: SEERS, other: NOBODY },
    // Masks again in the background (and fails there: the camera has no recording).
    'PUT /api/v1/releases/:id/review': { call: async (v) => ({ url: `/${await releaseOf(v, 'review')}/review`, payload: { style: 'blur' } }), own: HEADS, other: NOBODY },
    // Already released: the head's answer is 409, everyone else's a registered 403.
    'POST /api/v1/releases/:id/approve': { call: async (v) => ({ url: `/${await releaseOf(v, 'released')}/approve` }), own: NOBODY, other: NOBODY },
    'DELETE /api/v1/releases/:id': { call: async (v) => ({ url: `/${await releaseOf(v, 'masking')}` }), own: NOBODY, other: NOBODY },
    'POST /api/v1/releases/:id/clip-token': { call: async (v) => ({ url: `/${await releaseOf(v, 'released')}/clip-token` }), own: HEADS, other: NOBODY },
    'GET /api/v1/releases/:id/clip.mp4': { call: async (v) => ({ url: `/${await releaseOf(v, 'released')}/clip.mp4?token=forged` }), own: NOBODY, other: NOBODY },
    'GET /api/v1/releases/:id/file': { call: async (v) => ({ url: `/${await releaseOf(v, 'released')}/file` }), own: HEADS, other: NOBODY },
    'GET /api/v1/releases/:id/manifest': { call: async (v) => ({ url: `/${await releaseOf(v, 'released')}/manifest` }), own: HEADS, other: NOBODY },
  };
}
