// Signing in, access requests and the access register (see /openapi.json, tags "sign-in",
// "access requests", "register"). Kept by hand like types.ts.
import { buildUrl, request } from './client';

export interface Me {
  userId: number;
  login: string;
  displayName: string;
  workId: string | null;
  organisationId: number | null;
  roles: { role: string; organisationId: number | null }[];
  permissions: string[];
  /** 'enrol' until a second factor the role requires is set up. */
  /** password: replace an administrator-set password first; enrol: then set up the second factor. */
  stage: 'full' | 'enrol' | 'password';
  csrfToken: string | null;
}

export const REQUEST_KINDS = ['view', 'copy', 'retrieve'] as const;
export const REQUEST_STATES = ['draft', 'submitted', 'approved', 'refused', 'in_use', 'closed', 'expired'] as const;
export const REQUESTER_KINDS = ['public-security', 'state-security', 'procuratorate', 'court', 'other-administration'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export type RequestState = (typeof REQUEST_STATES)[number];
export type RequesterKind = (typeof REQUESTER_KINDS)[number];

export interface AccessRequest {
  id: number;
  kind: RequestKind;
  state: RequestState;
  requesterId: number;
  requesterKind: string;
  requestingUnit: string;
  purpose: string;
  caseNumber: string | null;
  destination: string;
  custodianId: number;
  profileId: string;
  cameraIds: number[];
  from: number;
  to: number;
  validUntil: number | null;
  officers: { userId: number; workId: string; confirmedAt: number | null }[];
  document: { sha256: string; type: string } | null;
  approvals: { userId: number; role: string; at: number }[];
  requirements: {
    officers: { count: number; article: string | null };
    approvals: { role: string; article: string | null }[];
    document: { required: boolean; article: string | null };
  };
  decisionReason: string | null;
  createdAt: number;
}

export interface AccessRequestInput {
  kind: RequestKind;
  requesterKind: RequesterKind;
  requestingUnit: string;
  purpose: string;
  caseNumber?: string | null;
  destination: string;
  custodianId: number;
  cameraIds: number[];
  from: number;
  to: number;
  validityHours: number;
  officerWorkIds: string[];
}

export interface AuditActor {
  userId: number | null;
  workId: string | null;
  name: string | null;
}

export interface AuditEntry {
  seq: number;
  at: number;
  action: string;
  actors: AuditActor[];
  cameraIds: number[];
  from: number | null;
  to: number | null;
  target: string | null;
  purpose: string | null;
  destination: string | null;
  approvalId: number | null;
  sourceAddress: string | null;
  outcome: string;
  reason: string | null;
}

export const AUDIT_ACTIONS = [
  'login', 'logout', 'view', 'playback', 'copy', 'retrieve', 'export', 'approval_decision',
  'permission_change', 'config_change', 'registry_view', 'registry_change', 'register_access',
  'retention_delete', 'legal_hold', 'legal_hold_release',
] as const;
export const AUDIT_OUTCOMES = ['success', 'refused', 'failed'] as const;

export interface AuditFilter {
  /** Inclusive lower bound of the time, epoch ms. */
  from?: number;
  /** Exclusive upper bound. */
  to?: number;
  actorUserId?: number;
  action?: string;
  cameraId?: number;
  outcome?: string;
}

export interface AuditQuery extends AuditFilter {
  /** Keyset paging: entries older than this seq (newest first). */
  cursor?: number;
  limit?: number;
}

export interface AuditPage {
  items: AuditEntry[];
  /** The cursor of the next (older) page, null at the first entry. */
  nextCursor: number | null;
}

/** What walking the hash chain found: intact, or the first entry that breaks it. */
export interface ChainStatus {
  ok: boolean;
  entries: number;
  lastHash: string;
  checkpointsChecked: number;
  lastCheckpointSeq: number | null;
  failure: { seq: number; kind: string; message: string } | null;
}

export const accessApi = {
  auth: {
    me: () => request<Me>('GET', '/auth/me'),
    login: (input: { login: string; password: string; totp?: string }) => request<Me & { expiresAt: number }>('POST', '/auth/login', { json: input }),
    logout: () => request<null>('POST', '/auth/logout'),
    enrolTotp: () => request<{ secret: string; uri: string }>('POST', '/auth/totp/enrol'),
    confirmTotp: (code: string) => request<null>('POST', '/auth/totp/confirm', { json: { code } }),
    changePassword: (current: string, next: string) => request<null>('POST', '/auth/password', { json: { current, next } }),
  },
  requests: {
    list: () => request<{ items: AccessRequest[] }>('GET', '/access-requests'),
    get: (id: number) => request<AccessRequest>('GET', `/access-requests/${id}`),
    create: (input: AccessRequestInput) => request<AccessRequest>('POST', '/access-requests', { json: input }),
    attachDocument: (id: number, file: File) =>
      request<AccessRequest>('PUT', `/access-requests/${id}/document`, { binary: { body: file, contentType: file.type || 'application/octet-stream' } }),
    documentUrl: (id: number) => buildUrl(`/access-requests/${id}/document`),
    confirm: (id: number) => request<AccessRequest>('POST', `/access-requests/${id}/confirm`),
    submit: (id: number) => request<AccessRequest>('POST', `/access-requests/${id}/submit`),
    approve: (id: number) => request<AccessRequest>('POST', `/access-requests/${id}/approve`),
    refuse: (id: number, reason: string) => request<AccessRequest>('POST', `/access-requests/${id}/refuse`, { json: { reason } }),
    close: (id: number) => request<AccessRequest>('POST', `/access-requests/${id}/close`),
  },
  audit: {
    search: (q: AuditQuery, signal?: AbortSignal) => request<AuditPage>('GET', '/audit/entries', { query: { ...q }, signal }),
    exportUrl: (format: 'csv' | 'pdf', f: AuditFilter) => buildUrl(`/audit/export.${format}`, { ...f }),
    verify: () => request<ChainStatus>('GET', '/audit/verify'),
  },
};
