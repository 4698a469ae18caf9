// Calls of the health page over /api/v1.
import { buildUrl, request } from '../../api/client';
import type { Alarm, Diagnostic, HealthReport, Trends, WorkOrder, WorkOrderState } from './health-model';

export const healthApi = {
  trends: (weeks: number) => request<Trends>('GET', '/health/trends', { query: { weeks } }),
  report: (day?: string) => request<HealthReport>('GET', '/reports/health', { query: { day } }),
  workOrders: {
    list: (state?: WorkOrderState) => request<{ items: WorkOrder[] }>('GET', '/work-orders', { query: { state, limit: 500 } }),
    get: (id: number) => request<WorkOrder>('GET', `/work-orders/${id}`),
    close: (id: number, note: string) => request<{ order: WorkOrder; proof: { diagnosticId: number; ok: boolean } }>('POST', `/work-orders/${id}/close`, { json: { note } }),
  },
  alarms: {
    list: () => request<{ items: Alarm[] }>('GET', '/alarms', { query: { limit: 200 } }),
    acknowledge: (id: number) => request<Alarm>('POST', `/alarms/${id}/acknowledge`),
  },
  diagnostics: (cameraId: number) => request<{ items: Diagnostic[] }>('GET', `/cameras/${cameraId}/diagnostics`, { query: { limit: 50 } }),
  snapshotUrl: (diagnosticId: number) => buildUrl(`/diagnostics/${diagnosticId}/snapshot`),
  eventsUrl: () => buildUrl('/events'),
};
