// The lifecycle and supervision API (systems, filings, inspections, rectifications, compliance,
// complaints) as the console uses it, its shapes named from the generated API types like
// web/src/api/types.ts.
import { buildUrl, request } from '../../api/client';
import { every, type BodyOf, type QueryOf, type ResponseOf } from '../../api/schema.js';

export type SystemView = ResponseOf<'/api/v1/systems/{id}', 'get'>;
export type SystemInput = BodyOf<'/api/v1/systems', 'post'>;
export type Block = NonNullable<SystemView['serviceBlock']>;
export type Deadline = SystemView['filing']['deadline'];
export type DocumentView = SystemView['documents'][number];
export type FilingStatus = ResponseOf<'/api/v1/filings', 'get'>['items'][number];
export type FilingView = ResponseOf<'/api/v1/filings/{id}', 'get'>;
export type InspectionView = ResponseOf<'/api/v1/inspections/{id}', 'get'>;
export type ChecklistItem = InspectionView['checklist'][number];
export type RectificationView = InspectionView['rectifications'][number];
export type PenaltyView = InspectionView['penalties'][number];
export type PenaltyInput = BodyOf<'/api/v1/inspections/{id}/penalties', 'post'>;
export type RegionCompliance = ResponseOf<'/api/v1/compliance', 'get'>['regions'][number];
export type ArchiveView = ResponseOf<'/api/v1/systems/{id}/archive', 'get'>;
export type PartyView = ArchiveView['parties'][number];
export type Technician = PartyView['technicians'][number];
export type RelocationView = ResponseOf<'/api/v1/systems/{id}/relocations', 'get'>['items'][number];
export type CoverageRestore = NonNullable<RelocationView['coverage']>;
export type DutyRecord = ResponseOf<'/api/v1/duty-records', 'get'>['items'][number];
export type DutyRecordInput = BodyOf<'/api/v1/duty-records', 'post'>;
export type ObstructionInput = BodyOf<'/api/v1/inspections/{id}/obstructions', 'post'>;
export const DUTY_RECORD_KINDS = ['design-review', 'emergency-plan', 'security-evaluation', 'training', 'duty-roster'] as const satisfies readonly DutyRecord['kind'][];
export type ComplaintView = ResponseOf<'/api/v1/complaints', 'get'>['items'][number];
/**
 * A penalty article of a profile, as GET /profiles/:id gives it. Stated here because the API
 * documents that answer only as an object.
 */
export interface ProfilePenalty { article: string; when: 'on-violation' | 'if-not-corrected' | 'if-serious'; offence: { zh: string; en: string }; fines: { payer: PenaltyInput['payer']; minYuan: number; maxYuan: number; condition?: { zh: string; en: string }; orWarning?: boolean }[] }
export const ARCHIVE_CATEGORIES = every<NonNullable<QueryOf<'/api/v1/systems/{id}/documents', 'put'>['category']>>()(['design', 'construction', 'acceptance', 'maintenance', 'other']);
export const PARTY_ROLES = every<BodyOf<'/api/v1/systems/{id}/archive/parties', 'post'>['role']>()(['designer', 'builder', 'tester', 'supervisor', 'maintainer']);
export const DISPOSITIONS = every<BodyOf<'/api/v1/relocations/{id}/disposition', 'post'>['disposition']>()(['kept-until-retention-ends', 'moved-to-replacement', 'handed-to-police', 'under-legal-hold']);

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
    obstruction: (id: number, body: ObstructionInput) => post<{ findingId: number; workOrderId: number; workOrderOpened: boolean }>(`/inspections/${id}/obstructions`, body),
  },
  dutyRecords: {
    list: (unitId: number) => request<{ items: DutyRecord[] }>('GET', '/duty-records', { query: { unitId } }),
    record: (body: DutyRecordInput) => post<DutyRecord>('/duty-records', body),
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
