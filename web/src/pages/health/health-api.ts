// Calls of the health page over /api/v1.
import { buildUrl, request } from '../../api/client';
import type { Alarm, CameraStatus, Diagnostic, ForceMajeureMark, HealthReport, Notice, Trends, WorkOrder, WorkOrderState } from './health-model';

export const healthApi = {
  trends: (weeks: number, scope: { regionId?: number; unitId?: number } = {}) => request<Trends>('GET', '/health/trends', { query: { weeks, ...scope } }),
  report: (day?: string) => request<HealthReport>('GET', '/reports/health', { query: { day } }),
  workOrders: {
    list: (state?: WorkOrderState) => request<{ items: WorkOrder[] }>('GET', '/work-orders', { query: { state, limit: 500 } }),
    get: (id: number) => request<WorkOrder>('GET', `/work-orders/${id}`),
    open: (cameraId: number, cause: string, note: string) => request<WorkOrder>('POST', '/work-orders', { json: { cameraId, cause, note } }),
    respond: (id: number) => request<WorkOrder>('POST', `/work-orders/${id}/respond`),
    close: (id: number, note: string) => request<{ order: WorkOrder; proof: { diagnosticId: number; ok: boolean } }>('POST', `/work-orders/${id}/close`, { json: { note } }),
  },
  forceMajeure: {
    list: () => request<{ items: ForceMajeureMark[] }>('GET', '/force-majeure', { query: { limit: 200 } }),
    propose: (cameraId: number, from: number, to: number, reason: string) => request<ForceMajeureMark>('POST', `/cameras/${cameraId}/force-majeure`, { json: { from, to, reason } }),
    confirm: (id: number) => request<ForceMajeureMark>('POST', `/force-majeure/${id}/confirm`),
  },
  alarms: {
    list: () => request<{ items: Alarm[] }>('GET', '/alarms', { query: { limit: 200 } }),
    acknowledge: (id: number) => request<Alarm>('POST', `/alarms/${id}/acknowledge`),
  },
  status: (cameraId: number) => request<CameraStatus>('GET', `/health/cameras/${cameraId}/status`),
  diagnoseNow: (cameraId: number) => request<Diagnostic>('POST', `/cameras/${cameraId}/diagnostics`),
  approveReference: (cameraId: number, reason: string) => request<{ diagnosticId: number }>('POST', `/cameras/${cameraId}/reference`, { json: { reason } }),
  fileNotice: (cameraId: number, kind: 'removal' | 'relocation', plannedAt: number) => request<{ id: number; inTime: boolean }>('POST', `/cameras/${cameraId}/notices`, { json: { kind, plannedAt } }),
  notices: () => request<{ items: Notice[] }>('GET', '/notices', { query: { limit: 200 } }),
  reportSuspicious: (cameraId: number, description: string) => request<Alarm>('POST', `/cameras/${cameraId}/suspicious-events`, { json: { description } }),
  diagnostics: (cameraId: number) => request<{ items: Diagnostic[] }>('GET', `/cameras/${cameraId}/diagnostics`, { query: { limit: 50 } }),
  snapshotUrl: (diagnosticId: number) => buildUrl(`/diagnostics/${diagnosticId}/snapshot`),
  eventsUrl: () => buildUrl('/events'),
};
