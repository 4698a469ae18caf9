// Legal holds, evidence exports and integrity (see /openapi.json, tags "legal holds", "evidence
// exports", "integrity"). Kept by hand like web/src/api/types.ts.
import { buildUrl, request } from '../../api/client';

export const HOLD_STATES = ['active', 'release_requested', 'released'] as const;
export type HoldState = (typeof HOLD_STATES)[number];

export interface Hold {
  id: number;
  cameraId: number;
  from: number | null;
  to: number | null;
  caseRef: string;
  reason: string;
  state: HoldState;
  placedBy: number;
  placedAt: number;
  releaseRequestedBy: number | null;
  releaseReason: string | null;
  releasedBy: number | null;
  releasedAt: number | null;
}

export interface HoldInput {
  cameraId: number;
  from: number | null;
  to: number | null;
  caseRef: string;
  reason: string;
}

export type ExportState = 'running' | 'done' | 'failed' | 'cancelled';

export interface EvidenceExport {
  id: number;
  requestId: number;
  cameraId: number;
  from: number;
  to: number;
  state: ExportState;
  /** 0..1 */
  progress: number;
  bytesTotal: number;
  bytesDone: number;
  manifestSha256: string | null;
  error: string | null;
  createdBy: number;
  createdAt: number;
  finishedAt: number | null;
  files: { name: string; bytes: number }[];
}

export const evidenceApi = {
  holds: {
    list: (query: { cameraId?: number; state?: HoldState } = {}) => request<{ items: Hold[] }>('GET', '/holds', { query }),
    place: (input: HoldInput) => request<Hold>('POST', '/holds', { json: input }),
    requestRelease: (id: number, reason: string) => request<Hold>('POST', `/holds/${id}/release-request`, { json: { reason } }),
    approveRelease: (id: number) => request<Hold>('POST', `/holds/${id}/release-approval`),
  },
  exports: {
    start: (input: { requestId: number; cameraId: number; from: number; to: number }) => request<EvidenceExport>('POST', '/exports', { json: input }),
    get: (id: number) => request<EvidenceExport>('GET', `/exports/${id}`),
    cancel: (id: number) => request<EvidenceExport>('DELETE', `/exports/${id}`),
    /** A plain link: the browser downloads the ZIP with the session cookie. */
    packageUrl: (id: number) => buildUrl(`/exports/${id}/package`),
  },
};
