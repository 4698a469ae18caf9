// Signing in, access requests and the access register (tags "sign-in", "access requests",
// "register"), their shapes named from the generated API types like types.ts.
import { buildUrl, request } from './client';
import { every, type BodyOf, type QueryOf, type ResponseOf } from './schema.js';

export type Me = ResponseOf<'/api/v1/auth/me', 'get'>;

export type AccessRequest = ResponseOf<'/api/v1/access-requests/{id}', 'get'>;
export type AccessRequestInput = BodyOf<'/api/v1/access-requests', 'post'>;
export type RequestKind = AccessRequest['kind'];
export type RequestState = AccessRequest['state'];
export type RequesterKind = AccessRequestInput['requesterKind'];

export const REQUEST_KINDS = every<RequestKind>()(['view', 'copy', 'retrieve', 'individual-view', 'release', 'connect']);
export const REQUEST_STATES = every<RequestState>()(['draft', 'submitted', 'approved', 'refused', 'in_use', 'closed', 'expired']);
export const REQUESTER_KINDS = every<RequesterKind>()(['public-security', 'state-security', 'procuratorate', 'court', 'other-administration', 'person-concerned', 'close-relative', 'carer']);

/** Register entries newest first; `nextCursor` is the cursor of the next (older) page, null at the first entry. */
export type AuditPage = ResponseOf<'/api/v1/audit/entries', 'get'>;
export type AuditEntry = AuditPage['items'][number];
export type AuditActor = AuditEntry['actors'][number];
/** `from` inclusive, `to` exclusive (epoch ms); `cursor`: entries older than this seq. */
export type AuditQuery = QueryOf<'/api/v1/audit/entries', 'get'>;
export type AuditFilter = Omit<AuditQuery, 'cursor' | 'limit'>;

export const AUDIT_ACTIONS = every<NonNullable<AuditQuery['action']>>()([
  'login', 'logout', 'view', 'playback', 'copy', 'retrieve', 'export', 'approval_decision',
  'permission_change', 'config_change', 'registry_view', 'registry_change', 'register_access',
  'retention_delete', 'legal_hold', 'legal_hold_release', 'release', 'connect',
]);
export const AUDIT_OUTCOMES = every<NonNullable<AuditQuery['outcome']>>()(['success', 'refused', 'failed']);

/** What walking the hash chain found: intact, or the first entry that breaks it. */
export type ChainStatus = ResponseOf<'/api/v1/audit/verify', 'get'>;

export const accessApi = {
  auth: {
    me: () => request<Me>('GET', '/auth/me'),
    login: (input: { login: string; password: string; totp?: string }) => request<ResponseOf<'/api/v1/auth/login', 'post'>>('POST', '/auth/login', { json: input }),
    logout: () => request<null>('POST', '/auth/logout'),
    enrolTotp: () => request<ResponseOf<'/api/v1/auth/totp/enrol', 'post'>>('POST', '/auth/totp/enrol'),
    confirmTotp: (code: string) => request<null>('POST', '/auth/totp/confirm', { json: { code } }),
    changePassword: (current: string, next: string) => request<null>('POST', '/auth/password', { json: { current, next } }),
  },
  requests: {
    list: () => request<ResponseOf<'/api/v1/access-requests', 'get'>>('GET', '/access-requests'),
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
