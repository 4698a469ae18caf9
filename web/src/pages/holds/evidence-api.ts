// Legal holds, evidence exports and integrity (tags "legal holds", "evidence exports",
// "integrity"), their shapes named from the generated API types like web/src/api/types.ts.
import { buildUrl, request } from '../../api/client';
import { every, type BodyOf, type QueryOf, type ResponseOf } from '../../api/schema.js';

export type Hold = ResponseOf<'/api/v1/holds/{id}', 'get'>;
export type HoldInput = BodyOf<'/api/v1/holds', 'post'>;
export type HoldState = Hold['state'];
export const HOLD_STATES = every<HoldState>()(['active', 'release_requested', 'released']);

/** An export's state and progress (0..1), its bytes and, once done, its files. */
export type EvidenceExport = ResponseOf<'/api/v1/exports/{id}', 'get'>;
export type ExportState = EvidenceExport['state'];

export const evidenceApi = {
  holds: {
    list: (query: QueryOf<'/api/v1/holds', 'get'> = {}) => request<ResponseOf<'/api/v1/holds', 'get'>>('GET', '/holds', { query }),
    place: (input: HoldInput) => request<Hold>('POST', '/holds', { json: input }),
    requestRelease: (id: number, reason: string) => request<Hold>('POST', `/holds/${id}/release-request`, { json: { reason } }),
    approveRelease: (id: number) => request<Hold>('POST', `/holds/${id}/release-approval`),
  },
  exports: {
    start: (input: BodyOf<'/api/v1/exports', 'post'>) => request<EvidenceExport>('POST', '/exports', { json: input }),
    /** The exports one started, newest first. */
    mine: () => request<ResponseOf<'/api/v1/exports', 'get'>>('GET', '/exports').then((r) => r.items),
    get: (id: number) => request<EvidenceExport>('GET', `/exports/${id}`),
    cancel: (id: number) => request<EvidenceExport>('DELETE', `/exports/${id}`),
    /** A plain link: the browser downloads the ZIP with the session cookie. */
    packageUrl: (id: number) => buildUrl(`/exports/${id}/package`),
  },
};
