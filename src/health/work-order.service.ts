// Work orders for maintainer units (R6.2): opened by a finding or an outage, or by hand after
// municipal damage or a relocation; deadlines from the camera's jurisdiction profile (the law's
// hours, or its labelled platform defaults where "at once" has no number); the maintainer
// responds; overdue orders escalate to the managing unit, then to the police unit of the region;
// closing one needs proof — a fresh sample that passes diagnostics.
import type { Actor } from '../access/actor.js';
import type { Camera } from '../db/camera.repository.js';
import type { HealthRepository, WatchedCamera } from '../db/health.repository.js';
import type { WorkOrderRepository, WorkOrderRow } from '../db/work-order.repository.js';
import type { Clock } from '../domain/clock.js';
import type { JurisdictionProfile } from '../domain/jurisdiction-profile.js';
import { Errors } from '../errors.js';
import type { AlarmService } from './alarm.service.js';
import { checkNotice, nextEscalation, workOrderPlan, type EscalationLevel, type NoticeCheck, type WorkOrderCause } from './deadlines.js';
import type { Finding } from './diagnose.js';
import { workOrderView, type HealthEventHub, type WorkOrderView } from './events.js';
import type { HealthRegister } from './health-register.js';

export interface ProofResult {
  diagnosticId: number;
  ok: boolean;
  findings: Finding[];
}

export interface WorkOrderDeps {
  repo: WorkOrderRepository;
  /** Removal and relocation notices (R7.3). */
  notices: Pick<HealthRepository, 'insertNotice'>;
  alarms: AlarmService;
  register: HealthRegister;
  hub: HealthEventHub;
  clock: Clock;
  profileFor(regionId: number): Promise<JurisdictionProfile>;
  /** Takes a fresh sample of the camera now, keeps its snapshot, and diagnoses it. */
  proveRepaired(camera: WatchedCamera): Promise<ProofResult>;
}

export class WorkOrderService {
  constructor(private readonly d: WorkOrderDeps) {}

  /** A diagnosis with findings: the camera's active order, or a new one. */
  async onFault(camera: WatchedCamera, findings: Finding[], diagnosticId: number): Promise<{ order: WorkOrderView; opened: boolean }> {
    const active = await this.d.repo.activeWorkOrder(camera.id);
    if (active) return { order: workOrderView(active), opened: false };
    const cause: WorkOrderCause = findings.some((f) => f.kind === 'signal_loss') ? 'offline' : 'fault';
    const order = await this.open(camera, cause, null, findings.map((f) => f.kind), diagnosticId, '');
    return { order, opened: true };
  }

  /** Opened by a person: damage from municipal works, a relocation to restore, or any fault seen. */
  async openByHand(actor: Actor, camera: Camera, cause: WorkOrderCause, note: string): Promise<WorkOrderView> {
    const active = await this.d.repo.activeWorkOrder(camera.id);
    if (active) throw Errors.conflict(`camera ${camera.id} already has work order ${active.id} open`);
    const order = await this.openByPerson(camera, cause, actor.userId, note);
    await this.d.register.record(actor, { action: 'config_change', outcome: 'success', cameraIds: [camera.id], target: `work order ${order.id} opened`, reason: order.cause });
    return order;
  }

  /**
   * Notice of a camera's removal or relocation (R7.3), judged against the notice period of its
   * profile with the article; a late one raises an alarm.
   */
  async fileNotice(actor: Actor, camera: Camera, kind: 'removal' | 'relocation', plannedAt: number): Promise<NoticeCheck & { id: number; profileId: string }> {
    const profile = await this.d.profileFor(camera.regionId);
    const now = this.d.clock.now();
    const check = checkNotice(profile, kind, now, plannedAt);
    const row = await this.d.notices.insertNotice({
      camera_id: camera.id, kind, notice_at: now, planned_at: plannedAt, in_time: check.inTime ? 1 : 0, notice_days: check.noticeDays,
      article: check.article, reason: check.reason, profile_id: profile.id, filed_by: actor.userId,
    });
    if (!check.inTime) {
      await this.d.alarms.raise({ kind: 'notice_late', severity: 'warning', camera_id: camera.id, organisation_id: camera.regionId, title: `Late notice of ${kind} for camera ${camera.id}`, detail: { ...check } });
    }
    await this.d.register.record(actor, { action: 'registry_change', outcome: 'success', cameraIds: [camera.id], target: `notice of ${kind}`, reason: check.reason });
    return { id: row.id, ...check, profileId: profile.id };
  }

  /**
   * For a supervision finding about a camera (its view obstructed, issue 17): the camera's open
   * order if it has one, the finding noted on it by the caller's register entry; else a new one.
   */
  async openForFinding(camera: Camera, userId: number, note: string): Promise<{ order: WorkOrderView; opened: boolean }> {
    const active = await this.d.repo.activeWorkOrder(camera.id);
    if (active) return { order: workOrderView(active), opened: false };
    // Registered by the caller's entry for the finding, which names the order.
    const order = await this.openByPerson(camera, 'fault', userId, note);
    return { order, opened: true };
  }

  /** A new order a person opened about `camera`, with no register entry (the caller writes it). */
  private openByPerson(camera: Camera, cause: WorkOrderCause, userId: number, note: string): Promise<WorkOrderView> {
    return this.open({ id: camera.id, regionId: camera.regionId, maintainerUnitId: camera.maintainerUnitId, managingUnitId: camera.managingUnitId, sourceUrl: camera.sourceUrl, createdAt: camera.createdAt }, cause, userId, [], null, note);
  }

  /** Orders newest first, by state and cameras; the caller filters what its reader may see. */
  list(f: { state?: string; cameraIds?: number[]; limit: number; offset: number }): Promise<WorkOrderRow[]> {
    return this.d.repo.workOrders(f);
  }

  async get(id: number): Promise<WorkOrderRow> {
    const o = await this.d.repo.workOrder(id);
    if (!o) throw Errors.notFound(`work order ${id} does not exist`);
    return o;
  }

  /** The maintainer's response ("on it"): stops the no-response escalation, not the repair deadline. */
  async respond(actor: Actor, id: number): Promise<WorkOrderView> {
    const o = await this.get(id);
    if (o.state === 'closed') throw Errors.conflict(`work order ${id} is already closed`);
    if (!(await this.d.repo.respondToWorkOrder(id, actor.userId, this.d.clock.now()))) throw Errors.conflict(`work order ${id} was already responded to`);
    const view = workOrderView((await this.d.repo.workOrder(id))!);
    this.d.hub.publish({ type: 'work_order', workOrder: view });
    await this.d.register.record(actor, { action: 'config_change', outcome: 'success', cameraIds: [o.camera_id], target: `work order ${o.id} responded to` });
    return view;
  }

  /**
   * Takes every order due for its next step one step up the ladder (deadlines.ts nextEscalation):
   * the managing unit (管理单位) when the maintainer did not respond or repair in time, then the
   * police unit of the camera's region when it is still not repaired. Each step is an alarm routed
   * to that organisation, on the event stream and the webhooks.
   */
  async escalateOverdue(): Promise<WorkOrderView[]> {
    const now = this.d.clock.now();
    const out: WorkOrderView[] = [];
    for (const o of await this.d.repo.escalationCandidates(now)) {
      const level = Math.min(2, Math.max(0, o.escalation_level)) as EscalationLevel;
      const step = nextEscalation({ level, respondBy: o.respond_by, respondedAt: o.responded_at, dueAt: o.due_at, policeDueAt: o.police_due_at, closedAt: o.closed_at }, now);
      if (!step) continue;
      const set = step.level === 1 ? { escalation_level: 1, escalated_at: now } : { escalation_level: 2, police_escalated_at: now };
      if (!(await this.d.repo.escalateWorkOrder(o.id, level, set))) continue;
      const view = workOrderView((await this.d.repo.workOrder(o.id))!);
      const managing = o.managing_unit_id;
      // Without a registered managing unit the first step has nobody else to go to: the police.
      const to = step.to === 'managing_unit' && managing !== null ? { id: managing, who: 'the managing unit' } : { id: o.region_id, who: 'the police unit of the region' };
      const why = step.reason === 'no_response' ? 'no response from the maintainer' : 'not repaired in time';
      await this.d.alarms.raise({
        kind: step.level === 1 ? 'work_order_overdue' : 'work_order_police',
        severity: 'critical',
        camera_id: o.camera_id,
        organisation_id: to.id,
        title: `Work order ${o.id}: ${why}; escalated to ${to.who}`,
        detail: {
          level: step.level, to: step.to === 'managing_unit' && managing === null ? 'police' : step.to, reason: step.reason,
          respondBy: o.respond_by, dueAt: o.due_at, policeDueAt: o.police_due_at, article: o.deadline_article, basis: o.deadline_basis,
        },
        work_order_id: o.id,
      });
      this.d.hub.publish({ type: 'work_order', workOrder: view });
      out.push(view);
    }
    return out;
  }

  /** Closes an order once a fresh sample passes; otherwise refuses and keeps it open. */
  async close(actor: Actor, id: number, camera: WatchedCamera, note: string): Promise<{ order: WorkOrderView; proof: ProofResult }> {
    const o = await this.get(id);
    if (o.state === 'closed') throw Errors.conflict(`work order ${id} is already closed`);
    const proof = await this.d.proveRepaired(camera);
    if (!proof.ok) {
      throw Errors.ruleRefused(`the camera does not pass diagnostics yet (${proof.findings.map((f) => f.kind).join(', ')}); the work order stays open`, [
        { path: 'proof', message: `diagnostic ${proof.diagnosticId}` },
      ]);
    }
    const done = await this.d.repo.transitionWorkOrder(id, o.state, { state: 'closed', closed_at: this.d.clock.now(), closed_by: actor.userId, proof_diagnostic_id: proof.diagnosticId, note: note || o.note });
    if (!done) throw Errors.conflict(`work order ${id} changed while it was being closed`);
    const view = workOrderView((await this.d.repo.workOrder(id))!);
    this.d.hub.publish({ type: 'work_order', workOrder: view });
    await this.d.register.record(actor, { action: 'config_change', outcome: 'success', cameraIds: [camera.id], target: `work order ${o.id} closed`, detail: { proofDiagnosticId: proof.diagnosticId } });
    return { order: view, proof };
  }

  private async open(camera: WatchedCamera, cause: WorkOrderCause, userId: number | null, findings: string[], diagnosticId: number | null, note: string): Promise<WorkOrderView> {
    const profile = await this.d.profileFor(camera.regionId);
    const now = this.d.clock.now();
    const plan = workOrderPlan(profile, cause, now);
    const deadline = plan.repair;
    const row = await this.d.repo.insertWorkOrder({
      camera_id: camera.id,
      maintainer_unit_id: camera.maintainerUnitId,
      cause,
      state: 'open',
      opened_at: now,
      opened_by: userId,
      due_at: deadline.dueAt,
      deadline_hours: deadline.hours,
      deadline_article: deadline.article,
      deadline_basis: deadline.basis,
      profile_id: profile.id,
      findings: JSON.stringify(findings),
      diagnostic_id: diagnosticId,
      note,
      respond_by: plan.respond.dueAt,
      police_due_at: plan.police.dueAt,
      managing_unit_id: camera.managingUnitId ?? null,
      region_id: camera.regionId,
      plan: JSON.stringify(plan),
    });
    const view = workOrderView(row);
    this.d.hub.publish({ type: 'work_order', workOrder: view });
    return view;
  }
}
