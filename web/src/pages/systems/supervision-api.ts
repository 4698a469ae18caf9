// The lifecycle and supervision API (systems, filings, inspections, rectifications, compliance,
// complaints) as the console uses it; shapes mirror src/supervision/*.service.ts views.
import { buildUrl, request } from '../../api/client';

export interface Block { message: string; articles: string[] }
export interface Deadline { dueAt: number | null; days: number | null; startsAt: string | null; article: string | null; basis: string }
export interface DocumentView { id: number; purpose: string; category: string; title: string; sha256: string; type: string; size: number; addedAt: number }
export interface SystemView {
  id: number; name: string; regionId: number; funding: 'government' | 'self';
  builderUnitId: number | null; userUnitId: number | null; managingUnitId: number | null; maintainerUnitId: number | null;
  builtBeforeRules: boolean; state: string; acceptance: 'passed' | 'failed' | null; acceptedAt: number | null; inServiceAt: number | null; profileId: string;
  acceptanceRequirement: { required: boolean; articles: string[]; reason: string };
  serviceBlock: Block | null;
  filing: { deadline: Deadline; state: string; filedAt: number | null; filingId: number | null };
  cameras: { id: number; name: string; status: string; inService: boolean; block: Block | null }[];
  documents: DocumentView[];
}
export interface SystemInput { name: string; regionId: number; funding: 'government' | 'self'; userUnitId?: number | null; managingUnitId?: number | null; maintainerUnitId?: number | null; builderUnitId?: number | null; builtBeforeRules?: boolean }
export interface FilingStatus { systemId: number; systemName: string; regionId: number; deadline: Deadline; state: string; filingId: number | null; visitState: string | null; visitDueAt: number | null }
export interface FilingView { id: number; systemId: number; submittedAt: number; dueAt: number | null; deadlineArticle: string | null; inTime: boolean; receivedAt: number | null; visitDueAt: number | null; visitArticle: string | null; visitState: string | null }
export interface ChecklistItem { key: string; articles: string[]; status: string; evidence: string; problems: { kind: string; id: number; name: string; problem: string }[] }
export interface RectificationView {
  id: number; inspectionId: number; unitId: number; findingIds: number[]; articles: string[]; requirement: string; orderedAt: number; dueAt: number;
  state: 'open' | 'reported' | 'closed'; overdue: boolean; correctedInTime: boolean; reportedAt: number | null; reportNote: string | null; closedAt: number | null;
}
export interface InspectionView {
  id: number; unitId: number; profileId: string; startedAt: number; evaluatedAt: number; state: string; note: string;
  checklist: ChecklistItem[]; findings: { id: number; itemKey: string; articles: string[]; description: string }[];
  rectifications: RectificationView[]; penalties: PenaltyView[];
}
export interface RegionCompliance {
  regionId: number; name: string; nameEn: string | null; path: string; profileId: string; cameras: number;
  mandatoryMissing: { category: string; articles: string[] }[];
  prohibited: { placeCategory: string; cameras: number; articles: string[] }[];
  filings: { systems: number; filed: number; due: number; overdue: number; article: string | null };
  retention: { inService: number; shortfalls: number; article: string | null };
  goodRate: { good: number; total: number; target: number | null; article: string | null } | null;
  rectifications: { open: number; overdue: number };
}
export interface Technician { name: string; qualification: string }
export interface PartyView { id: number; role: string; firm: string; licence: string; technicians: Technician[]; addedAt: number }
export interface ArchiveView { systemId: number; articles: string[]; categories: { category: string; documents: DocumentView[] }[]; parties: PartyView[] }
export interface CoverageRestore { state: 'restored' | 'restored-late' | 'pending' | 'overdue'; dueAt: number | null; hours: number | null; article: string | null; restoredAt: number | null; basis: string }
export interface RelocationView {
  id: number; systemId: number; kind: 'removal' | 'relocation'; cameraIds: number[]; profileId: string;
  noticeAt: number; plannedAt: number; inTime: boolean; noticeDays: number | null; noticeArticle: string | null; noticeReason: string;
  plan: string; worksAt: number | null; disposition: string | null; dispositionNote: string | null; supervisedAt: number | null;
  coverage: CoverageRestore | null;
}
export interface PenaltyView { id: number; inspectionId: number; rectificationId: number | null; article: string; payer: string; amountYuan: number; fineCondition: string | null; seriousReason: string | null; decidedAt: number; note: string }
export interface PenaltyInput { article: string; payer: string; amountYuan: number; rectificationId?: number | null; seriousReason?: string | null; note: string }
/** A penalty article of a profile, as GET /profiles/:id gives it. */
export interface ProfilePenalty { article: string; when: 'on-violation' | 'if-not-corrected' | 'if-serious'; offence: { zh: string; en: string }; fines: { payer: string; minYuan: number; maxYuan: number; condition?: { zh: string; en: string }; orWarning?: boolean }[] }
export const ARCHIVE_CATEGORIES = ['design', 'construction', 'acceptance', 'maintenance', 'other'] as const;
export const PARTY_ROLES = ['designer', 'builder', 'tester', 'supervisor', 'maintainer'] as const;
export const DISPOSITIONS = ['kept-until-retention-ends', 'moved-to-replacement', 'handed-to-police', 'under-legal-hold'] as const;

export interface ComplaintView { id: number; receivedAt: number; regionId: number | null; about: string; text: string; name: string | null; contact: string | null; state: string; outcome: string | null }

const post = <T,>(path: string, json?: unknown) => request<T>('POST', path, json === undefined ? {} : { json });

export const supervisionApi = {
  systems: {
    list: () => request<{ items: SystemView[] }>('GET', '/systems'),
    get: (id: number) => request<SystemView>('GET', `/systems/${id}`),
    create: (input: SystemInput) => post<SystemView>('/systems', input),
    cameras: (id: number, add: number[]) => post<SystemView>(`/systems/${id}/cameras`, { add }),
    /** `category` files an archive record (purpose 'archive') under design, construction, acceptance, maintenance or other. */
    upload: (id: number, purpose: string, title: string, file: File, category = 'other') =>
      request<DocumentView>('PUT', `/systems/${id}/documents`, { query: { purpose, title, ...(purpose === 'archive' ? { category } : {}) }, binary: { body: file, contentType: file.type || 'application/octet-stream' } }),
    documentUrl: (id: number, docId: number) => buildUrl(`/systems/${id}/documents/${docId}`),
    accept: (id: number, body: { at: number; result: 'passed' | 'failed'; organisedBy: string; note: string }) => post<SystemView>(`/systems/${id}/acceptance`, body),
    inService: (id: number, at: number) => post<SystemView>(`/systems/${id}/in-service`, { at }),
    file: (id: number) => post<FilingView>(`/systems/${id}/filings`),
    archive: (id: number) => request<ArchiveView>('GET', `/systems/${id}/archive`),
    addParty: (id: number, body: { role: string; firm: string; licence: string; technicians: Technician[] }) => post<PartyView>(`/systems/${id}/archive/parties`, body),
    relocations: (id: number) => request<{ items: RelocationView[] }>('GET', `/systems/${id}/relocations`),
    notice: (id: number, body: { kind: 'removal' | 'relocation'; cameraIds: number[]; plannedAt: number; plan: string }) => post<RelocationView>(`/systems/${id}/relocations`, body),
  },
  relocations: {
    works: (id: number, at: number) => post<RelocationView>(`/relocations/${id}/works`, { at }),
    dispose: (id: number, disposition: string, note: string) => post<RelocationView>(`/relocations/${id}/disposition`, { disposition, note }),
    supervise: (id: number) => post<RelocationView>(`/relocations/${id}/supervise`),
  },
  filings: {
    list: (state?: string) => request<{ items: FilingStatus[] }>('GET', '/filings', { query: { state } }),
    receive: (id: number) => post<FilingView>(`/filings/${id}/receive`),
    visit: (id: number, note: string) => post<FilingView>(`/filings/${id}/visit`, { at: Date.now(), note }),
  },
  inspections: {
    list: () => request<{ items: InspectionView[] }>('GET', '/inspections'),
    start: (unitId: number) => post<InspectionView>('/inspections', { unitId }),
    get: (id: number) => request<InspectionView>('GET', `/inspections/${id}`),
    observe: (id: number, key: string, ok: boolean, note: string) => post<InspectionView>(`/inspections/${id}/observations`, { key, ok, note }),
    evaluate: (id: number) => post<InspectionView>(`/inspections/${id}/evaluate`),
    finding: (id: number, itemKey: string, description: string) => post<InspectionView>(`/inspections/${id}/findings`, { itemKey, description }),
    order: (id: number, findingIds: number[], dueAt: number, requirement: string) => post<RectificationView>(`/inspections/${id}/rectifications`, { findingIds, dueAt, requirement }),
    close: (id: number) => post<InspectionView>(`/inspections/${id}/close`),
    penalty: (id: number, body: PenaltyInput) => post<PenaltyView>(`/inspections/${id}/penalties`, body),
  },
  rectifications: {
    list: () => request<{ items: RectificationView[] }>('GET', '/rectifications'),
    report: (id: number, note: string) => post<RectificationView>(`/rectifications/${id}/report`, { note }),
    followUp: (id: number, corrected: boolean, note: string) => post<RectificationView>(`/rectifications/${id}/follow-up`, { corrected, note }),
  },
  compliance: {
    report: () => request<{ generatedAt: number; regions: RegionCompliance[] }>('GET', '/compliance'),
    exportUrl: (format: 'csv' | 'pdf', lang: 'zh' | 'en') => buildUrl(`/compliance/export.${format}`, { lang }),
  },
  complaints: {
    submit: (body: { regionId: number | null; about: string; text: string; name?: string; contact?: string }) => post<{ id: number; receivedAt: number; articles: string[] }>('/complaints', body),
    list: () => request<{ items: ComplaintView[] }>('GET', '/complaints'),
    handle: (id: number, outcome: string) => post<ComplaintView>(`/complaints/${id}/handle`, { outcome }),
  },
};

/** A date in the console's own words, China Standard Time being what the rules count in. */
export const day = (t: number | null | undefined) => (t == null ? '—' : new Date(t + 8 * 3_600_000).toISOString().slice(0, 10));
