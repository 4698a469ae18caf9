// Camera health as the API shows it (tags "camera health", "work orders", "alarms"), named from
// the generated API types like web/src/api/types.ts, and the pure helpers the page uses. Its only
// import is of types, so Node's tests can load it as it is.
import type { ResponseOf } from '../../api/schema.js';

/** GET /health/trends: per day and per ISO week. */
export type Trends = ResponseOf<'/api/v1/health/trends', 'get'>;
export type Rates = Omit<Trends['days'][number], 'day'>;

/** GET /reports/health: per region and per unit, each rate against its jurisdiction's target. */
export type HealthReport = ResponseOf<'/api/v1/reports/health', 'get'>;
export type HealthReportRow = HealthReport['regions'][number];
export type TargetCheck = NonNullable<HealthReportRow['goodRateTarget']>;
/** A force-majeure mark (GET /force-majeure). */
export type ForceMajeureMark = ResponseOf<'/api/v1/force-majeure', 'get'>['items'][number];

export const WORK_ORDER_STATES = ['open', 'escalated', 'closed'] as const;
export type WorkOrderState = (typeof WORK_ORDER_STATES)[number];

/**
 * A work order. The API documents `plan` only as an object (src/health/deadlines.ts builds it), so
 * the console states its shape itself below, as WorkOrderPlan.
 */
export type WorkOrder = Omit<ResponseOf<'/api/v1/work-orders/{id}', 'get'>, 'plan'> & { plan?: Partial<WorkOrderPlan> };

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
export type CameraStatus = ResponseOf<'/api/v1/health/cameras/{id}/status', 'get'>;

/** A removal or relocation notice (R7.3) judged against its notice period. */
export type Notice = ResponseOf<'/api/v1/notices', 'get'>['items'][number];

/** The escalation level an order stands at, 0 for orders from before the ladder existed. */
export function escalationLevel(o: { escalationLevel?: number }): 0 | 1 | 2 {
  const l = o.escalationLevel ?? 0;
  return l >= 2 ? 2 : l === 1 ? 1 : 0;
}

/** The maintainer may still respond: not closed, not yet responded. */
export function canRespond(o: { state: string; respondedAt?: number | null }): boolean {
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

export type Alarm = ResponseOf<'/api/v1/alarms', 'get'>['items'][number];
export type Diagnostic = ResponseOf<'/api/v1/cameras/{id}/diagnostics', 'get'>['items'][number];
export type Finding = Diagnostic['findings'][number];

/** What GET /events sends, one SSE event type each. */
export type HealthEvent =
  | { type: 'alarm'; alarm: Alarm }
  | { type: 'work_order'; workOrder: WorkOrder }
  | { type: 'diagnostic'; cameraId: number; at: number; ok: boolean; findings: string[] }
  /** A recording event (gap, connect, disconnect, clock jump, error) now in the recording index. */
  | { type: 'camera_event'; cameraId: number; kind: string; at: number; endMs: number | null };

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
