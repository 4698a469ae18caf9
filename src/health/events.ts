// The health event stream: alarms, work-order changes, diagnoses and the recorder's camera events
// (gaps, connects, errors, as the recording index holds them), persisted by their services and then
// published here to the console (SSE) and to webhooks. In a cluster on PostgreSQL the hub relays
// what it publishes to the other processes through a table (src/cluster/event-feed.ts), so a
// console connected to any API node sees what every process published.
import type { AlarmRow } from '../db/health.repository.js';
import type { CameraEventKind } from '../db/recording.repository.js';
import type { WorkOrderRow } from '../db/work-order.repository.js';

export type HealthEvent =
  | { type: 'alarm'; alarm: AlarmView }
  | { type: 'work_order'; workOrder: WorkOrderView }
  | { type: 'diagnostic'; cameraId: number; at: number; ok: boolean; findings: string[] }
  | { type: 'camera_event'; cameraId: number; kind: CameraEventKind; at: number; endMs: number | null };

export interface AlarmView {
  id: number;
  at: number;
  kind: string;
  severity: string;
  cameraId: number | null;
  organisationId: number | null;
  title: string;
  detail: Record<string, unknown>;
  snapshot: string | null;
  clipFrom: number | null;
  clipTo: number | null;
  reportedBy: number | null;
  workOrderId: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: number | null;
}

export interface WorkOrderView {
  id: number;
  cameraId: number;
  maintainerUnitId: number | null;
  cause: string;
  state: string;
  openedAt: number;
  openedBy: number | null;
  dueAt: number | null;
  deadlineHours: number | null;
  deadlineArticle: string | null;
  deadlineBasis: string;
  profileId: string;
  findings: string[];
  diagnosticId: number | null;
  escalatedAt: number | null;
  closedAt: number | null;
  closedBy: number | null;
  proofDiagnosticId: number | null;
  note: string;
  respondBy: number | null;
  respondedAt: number | null;
  respondedBy: number | null;
  policeDueAt: number | null;
  policeEscalatedAt: number | null;
  /** 0 with the maintainer, 1 told the managing unit, 2 told the police. */
  escalationLevel: number;
  managingUnitId: number | null;
  regionId: number | null;
  /** The plan it was opened under (deadlines.ts WorkOrderPlan): duty, hours, articles or platform defaults. */
  plan: Record<string, unknown>;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function alarmView(r: AlarmRow): AlarmView {
  return {
    id: r.id, at: r.at, kind: r.kind, severity: r.severity, cameraId: r.camera_id, organisationId: r.organisation_id, title: r.title,
    detail: parseJson<Record<string, unknown>>(r.detail, {}), snapshot: r.snapshot, clipFrom: r.clip_from, clipTo: r.clip_to,
    reportedBy: r.reported_by, workOrderId: r.work_order_id, acknowledgedAt: r.acknowledged_at, acknowledgedBy: r.acknowledged_by,
  };
}

export function workOrderView(r: WorkOrderRow): WorkOrderView {
  return {
    id: r.id, cameraId: r.camera_id, maintainerUnitId: r.maintainer_unit_id, cause: r.cause, state: r.state, openedAt: r.opened_at, openedBy: r.opened_by,
    dueAt: r.due_at, deadlineHours: r.deadline_hours, deadlineArticle: r.deadline_article, deadlineBasis: r.deadline_basis, profileId: r.profile_id,
    findings: parseJson<string[]>(r.findings, []), diagnosticId: r.diagnostic_id, escalatedAt: r.escalated_at, closedAt: r.closed_at, closedBy: r.closed_by,
    proofDiagnosticId: r.proof_diagnostic_id, note: r.note, respondBy: r.respond_by, respondedAt: r.responded_at, respondedBy: r.responded_by,
    policeDueAt: r.police_due_at, policeEscalatedAt: r.police_escalated_at, escalationLevel: r.escalation_level, managingUnitId: r.managing_unit_id,
    regionId: r.region_id, plan: parseJson<Record<string, unknown>>(r.plan, {}),
  };
}

type Listener = (e: HealthEvent) => void;

export class HealthEventHub {
  private readonly listeners = new Set<Listener>();
  private relay: Listener | undefined;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Events published here also go to `relay` (in a cluster: the table every process reads, so a
   * console connected to any API node sees them; src/cluster/event-feed.ts).
   */
  relayTo(relay: Listener): void {
    this.relay = relay;
  }

  /** An event of this process: to its listeners, and on to the other processes. */
  publish(e: HealthEvent): void {
    this.deliver(e);
    this.relay?.(e);
  }

  /** To this process's listeners only (an event another process published). */
  deliver(e: HealthEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (a closed console) must not stop the others.
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
