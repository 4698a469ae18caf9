// Camera health as the API shows it (see /openapi.json, tags "camera health", "work orders",
// "alarms"), kept by hand like web/src/api/types.ts, and the pure helpers the page uses. No
// imports, so Node's tests can load it as it is.

export interface Rates {
  cameras: number;
  goodCameras: number;
  onlineMs: number;
  totalMs: number;
  onlineRate: number | null;
  goodRate: number | null;
}

export interface Trends {
  days: (Rates & { day: string })[];
  weeks: (Rates & { week: string })[];
}

export interface TargetCheck {
  rate: number | null;
  target: number | null;
  article: string | null;
  met: boolean | null;
  note: string | null;
}

export interface HealthReportRow {
  organisationId: number | null;
  name: string;
  profileId: string | null;
  cameras: number;
  goodCameras: number;
  onlineRate: number | null;
  goodRate: number | null;
  /** Offline seconds left out under confirmed force majeure (HRB-25(3)). */
  excludedSeconds: number;
  excusedCameras: number;
  goodRateTarget: TargetCheck | null;
  onlineRateTarget: TargetCheck | null;
}

export interface ForceMajeureMark {
  id: number;
  cameraId: number;
  from: number;
  to: number;
  reason: string;
  article: string;
  profileId: string;
  proposedBy: number;
  proposedAt: number;
  confirmedBy: number | null;
  confirmedAt: number | null;
}

export interface HealthReport {
  day: string;
  regions: HealthReportRow[];
  units: HealthReportRow[];
  /** Confirmed force-majeure spans of the day, shown apart. */
  forceMajeure: (ForceMajeureMark & { spanSecondsInDay: number })[];
}

export const WORK_ORDER_STATES = ['open', 'escalated', 'closed'] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

export interface WorkOrder {
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
  respondBy?: number | null;
  respondedAt?: number | null;
  respondedBy?: number | null;
  policeDueAt?: number | null;
  policeEscalatedAt?: number | null;
  /** 0 with the maintainer, 1 managing unit told, 2 police unit told. */
  escalationLevel?: number;
  managingUnitId?: number | null;
  regionId?: number | null;
  plan?: Partial<WorkOrderPlan>;
}

export const WORK_ORDER_CAUSES = ['fault', 'offline', 'municipal_damage', 'relocation'] as const;

/** One step of a work order's plan (src/health/deadlines.ts PlannedDeadline). */
export interface PlannedDeadline {
  dueAt: number | null;
  hours: number | null;
  article: string | null;
  basis: string;
  platformDefault: boolean;
}

export interface WorkOrderPlan {
  cause: string;
  duty: { value: string | null; article: string | null; note: string | null };
  respond: PlannedDeadline;
  repair: PlannedDeadline;
  police: PlannedDeadline;
}

/** GET /health/cameras/:id/status. */
export interface CameraStatus {
  cameraId: number;
  day: string;
  state: 'streaming' | 'online' | 'offline';
  minutes: ('streaming' | 'online' | 'offline')[];
  onlineRate: number | null;
  good: boolean;
  lastDiagnostic: { id: number; at: number; ok: boolean; findings: string[] } | null;
}

/** A removal or relocation notice (R7.3) judged against its notice period. */
export interface Notice {
  id: number;
  cameraId: number;
  kind: string;
  noticeAt: number;
  plannedAt: number;
  inTime: boolean;
  noticeDays: number | null;
  article: string | null;
  reason: string;
  profileId: string;
  filedBy: number | null;
}

/** The escalation level an order stands at, 0 for orders from before the ladder existed. */
export function escalationLevel(o: Pick<WorkOrder, 'escalationLevel'>): 0 | 1 | 2 {
  const l = o.escalationLevel ?? 0;
  return l >= 2 ? 2 : l === 1 ? 1 : 0;
}

/** The maintainer may still respond: not closed, not yet responded. */
export function canRespond(o: Pick<WorkOrder, 'state' | 'respondedAt'>): boolean {
  return o.state !== 'closed' && (o.respondedAt ?? null) === null;
}

/**
 * Cameras for the report form: those on the wall first (in wall order, no repeats), then the
 * rest by name — an operator reports what they are watching, but may pick any camera they see.
 */
export function wallFirst<C extends { id: number; name: string }>(cameras: readonly C[], wall: readonly (number | null | undefined)[]): { onWall: C[]; others: C[] } {
  const byId = new Map(cameras.map((c) => [c.id, c]));
  const seen = new Set<number>();
  const onWall: C[] = [];
  for (const id of wall) {
    if (id === null || id === undefined || seen.has(id)) continue;
    const c = byId.get(id);
    if (c) {
      seen.add(id);
      onWall.push(c);
    }
  }
  const others = cameras.filter((c) => !seen.has(c.id)).sort((a, b) => a.name.localeCompare(b.name));
  return { onWall, others };
}

export interface Alarm {
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

export interface Finding {
  kind: string;
  value: number | null;
  threshold: number | null;
  detail: string;
}

export interface Diagnostic {
  id: number;
  cameraId: number;
  at: number;
  source: string;
  ok: boolean;
  findings: Finding[];
  measures: Record<string, unknown>;
  snapshot: boolean;
}

/** What GET /events sends, one SSE event type each. */
export type HealthEvent =
  | { type: 'alarm'; alarm: Alarm }
  | { type: 'work_order'; workOrder: WorkOrder }
  | { type: 'diagnostic'; cameraId: number; at: number; ok: boolean; findings: string[] };

/** 0.953 → "95.3 %"; no rate (no cameras in service) → "—". */
export function percent(rate: number | null | undefined): string {
  return rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`;
}

/** An order still open past its deadline; the server escalates at the end of a cycle, the
 * console shows it as soon as the clock passes. */
export function isOverdue(o: Pick<WorkOrder, 'state' | 'dueAt'>, now: number): boolean {
  return o.state !== 'closed' && o.dueAt !== null && o.dueAt < now;
}

/** Newest first, no duplicates: an alarm arriving on the stream may also be in the list just read. */
export function mergeAlarms(current: readonly Alarm[], incoming: readonly Alarm[]): Alarm[] {
  const byId = new Map<number, Alarm>();
  for (const a of current) byId.set(a.id, a);
  for (const a of incoming) byId.set(a.id, a);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/** Parses one SSE message's data; anything malformed is dropped rather than breaking the feed. */
export function parseHealthEvent(type: string, data: string): HealthEvent | undefined {
  try {
    const e = JSON.parse(data) as HealthEvent;
    return e && typeof e === 'object' && e.type === type ? e : undefined;
  } catch {
    return undefined;
  }
}

/** The diagnostic a close refusal names ("diagnostic 42" under path "proof"), to show its snapshot. */
export function proofDiagnosticOf(e: { details: readonly { path?: string; message: string }[] }): number | undefined {
  const d = e.details.find((x) => x.path === 'proof');
  const m = d ? /diagnostic (\d+)/.exec(d.message) : null;
  return m ? Number(m[1]) : undefined;
}
