// Use case of the emergency connection (接入, R2.1, R2.3): under an approved access request of kind
// `connect`, the upper platform it names (configured `onDemand`) is connected — register, keepalive,
// catalog and streams of what is shared with it, as the cascade always does — from now until the
// end of the request's period, when it ends by itself and unregisters; the requester or one who
// approves such requests may end it earlier. The opening, the end and every refusal are registered
// once each, with the platform as destination (去向); the request goes approved → in use → closed.
// API, console and `vigil cascade connect` all come here.
// An open connection is kept in the database (emergency_connections) and renewed by the process
// holding it every `heartbeatMs`. A process that watches for orphans (the API's, `watch()`) takes
// over one whose holder stopped renewing — it crashed, or was killed — and resumes it (registers
// again to the upper) when its period has not ended, or closes it and registers its end.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Actor } from '../access/actor.js';
import type { AccessRequestService, Loaded } from '../access/access-request.service.js';
import type { RequestKind, RequestState } from '../access/access-request.js';
import type { SecurityLog } from '../access/security-log.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import type { EmergencyConnection } from '../db/emergency-connection.repository.js';
import { Errors } from '../errors.js';
import { connectProblem, onDemandUppers, platformProblem, spoken, type UpperConfig } from './emergency.js';
import { openCascade, type CascadeRuntime, type OpenCascadeOptions } from './open.js';
import { describeRecipient } from './share.js';
import type { LinkState } from './upper-link.js';

export interface EmergencyServiceDeps {
  settings: Config['cascade'];
  repos: Repositories;
  requests: AccessRequestService;
  log: SecurityLog;
  clock: Clock;
  logger: Logger;
  /** What a connection's cascade is opened with (its settings are the one upper's). */
  cascade: Omit<OpenCascadeOptions, 'settings'>;
  /** Where this process runs: named in the register ("API", "command line"). */
  where: string;
  /** How often the holder renews its connections (default 5 s); one silent for 3 of these is an orphan. */
  heartbeatMs?: number;
}

export interface ConnectionView {
  requestId: number;
  upperSipId: string;
  upperName: string;
  reason: string;
  openedAt: number;
  until: number;
  openedBy: number;
  link: LinkState;
  lastKeepaliveAt: number | null;
}

interface ConnectEntry { action: 'connect'; destination: string; target: string; approvalId: number; from: number; to: number; purpose: string }

interface Running {
  view: Omit<ConnectionView, 'link' | 'lastKeepaliveAt'>;
  runtime: CascadeRuntime;
  stop(why: string, by: Actor | null): void;
  ended: Promise<string>;
}

export class EmergencyService {
  private readonly running = new Map<number, Running>();
  /** This process, as the holder of its connections. */
  private readonly holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | undefined;
  private adopting = false;
  private beating: Promise<void> | undefined;

  constructor(private readonly d: EmergencyServiceDeps) {}

  private get heartbeatMs(): number {
    return this.d.heartbeatMs ?? 5000;
  }

  /** Takes over, from now on, connections whose process stopped (the API process does). */
  watch(): Promise<void> {
    this.adopting = true;
    this.beat();
    return this.beating ?? Promise.resolve();
  }

  private beat(): void {
    if (!this.timer) {
      this.timer = setInterval(() => this.beat(), this.heartbeatMs);
      this.timer.unref();
    }
    if (this.beating) return;
    this.beating = this.heartbeat()
      .catch((err: unknown) => this.d.logger.error({ err }, 'emergency connections: heartbeat failed'))
      .finally(() => (this.beating = undefined));
  }

  private async heartbeat(): Promise<void> {
    const now = this.d.clock.now();
    await this.d.repos.emergencyConnections.renew([...this.running.keys()], this.holder, now);
    if (!this.adopting) return;
    for (const orphan of await this.d.repos.emergencyConnections.orphans(now - 3 * this.heartbeatMs)) {
      if (this.running.has(orphan.requestId)) continue;
      if (!(await this.d.repos.emergencyConnections.claim(orphan.requestId, orphan.aliveAt, this.holder, this.d.clock.now()))) continue;
      await this.adopt(orphan).catch((err: unknown) => this.d.logger.error({ err, request: orphan.requestId }, 'emergency connection: could not be taken over'));
    }
  }

  /** A connection whose process stopped: resumed while its period lasts, else closed; registered either way. */
  private async adopt(c: EmergencyConnection): Promise<void> {
    const r = await this.d.requests.load(c.requestId);
    const upper = this.d.settings.uppers.find((u) => u.sipId === c.upperSipId);
    const destination = describeRecipient('platform', upper?.name ?? c.upperSipId);
    const entry: ConnectEntry = { action: 'connect', destination, target: `access-request:${r.id}`, approvalId: r.id, from: r.range_from, to: r.range_to, purpose: r.purpose };
    const now = this.d.clock.now();
    const problem = now >= c.until ? 'the approved period ended while its process was stopped' : platformProblem(this.d.settings, c.upperSipId);
    if (problem) {
      this.d.logger.warn({ request: r.id, problem }, 'emergency connection of a stopped process: closed');
      await this.d.log.transaction(async (trx) => {
        if (r.state === 'in_use') await this.d.repos.accessRequests.updateIf(r.id, r.updated_at, { state: 'closed', updated_at: Math.max(now, r.updated_at + 1) }, trx);
        await this.d.repos.emergencyConnections.end(r.id, Math.min(now, c.until), trx);
        // It ran until its process last said it held it.
        await this.d.log.append(trx, null, { ...entry, outcome: 'success', from: c.openedAt, to: Math.max(c.openedAt, Math.min(c.aliveAt, c.until)), reason: problem, detail: { upper: c.upperSipId, where: this.d.where }, target: `emergency connection to ${destination} ended` });
      });
      return;
    }
    const runtime = await this.open(upper!);
    // Held (listed, renewed, endable) from the moment it is open upstream, before its entry is written.
    this.track(r, upper!, destination, entry, runtime, c.openedBy, c.openedAt);
    await this.d.log.record(null, { ...entry, outcome: 'success', reason: r.purpose, detail: { upper: c.upperSipId, until: c.until, where: this.d.where }, target: `emergency connection to ${destination} resumed after its process stopped, until the period ends in ${spoken(c.until - now)} (${this.d.where}, access-request:${r.id})` });
    this.d.logger.info({ request: r.id, upper: c.upperSipId }, 'emergency connection of a stopped process: resumed');
  }

  /** The upper platforms that may be connected on demand. */
  platforms(): { sipId: string; name: string }[] {
    return onDemandUppers(this.d.settings).map((u) => ({ sipId: u.sipId, name: u.name }));
  }

  /** Why a platform cannot be named by a connection request, or null (given to the access requests). */
  platformProblem = (sipId: string): string | null => platformProblem(this.d.settings, sipId);

  /** The connections open in this process that this person may see (requested or approves). */
  async list(actor: Actor): Promise<ConnectionView[]> {
    const out: ConnectionView[] = [];
    for (const [id, c] of this.running) {
      if (this.mayOperate(actor, await this.d.requests.load(id))) out.push(this.viewOf(c));
    }
    return out;
  }

  /** Opens the connection of an approved request, now until the end of its period. */
  async start(actor: Actor, requestId: number): Promise<ConnectionView> {
    const r = await this.d.requests.load(requestId);
    const upper = this.d.settings.uppers.find((u) => u.sipId === r.destination);
    const destination = describeRecipient('platform', upper?.name ?? r.destination);
    const entry: ConnectEntry = { action: 'connect', destination, target: `access-request:${r.id}`, approvalId: r.id, from: r.range_from, to: r.range_to, purpose: r.purpose };
    if (!this.mayOperate(actor, r)) {
      await this.d.log.refuse(actor, entry, Errors.forbidden('only the requester, or one who approves connection requests over its custodian or requester, may open or end the connection').withParams({ reason: 'connect-not-permitted' }));
    }
    const now = this.d.clock.now();
    const platform = platformProblem(this.d.settings, r.destination);
    const problem = connectProblem({ kind: r.kind as RequestKind, state: r.state as RequestState, validUntil: r.valid_until, from: r.range_from, to: r.range_to }, now)
      ?? (platform ? { reason: 'connect-platform' as const, message: platform } : null);
    if (problem) {
      const articles = r.kind === 'connect' ? this.d.requests.requirements(r).approvals.map((a) => a.article).filter((a): a is string => !!a) : [];
      await this.d.log.refuse(actor, entry, Errors.ruleRefused(`the connection cannot be opened: ${problem.message}`, [], articles).withParams({ reason: problem.reason, ...('state' in problem && problem.state ? { state: problem.state } : {}) }));
    }
    const stamp = Math.max(now, r.updated_at + 1);
    await this.d.log.transaction(async (trx) => {
      if (!(await this.d.repos.accessRequests.updateIf(r.id, r.updated_at, { state: 'in_use', updated_at: stamp }, trx))) {
        throw Errors.conflict('the request changed meanwhile (another process may have opened its connection); look at it again');
      }
      await this.d.repos.emergencyConnections.open({ requestId: r.id, upperSipId: r.destination, openedAt: now, until: r.range_to, openedBy: actor.userId, holder: this.holder, aliveAt: now }, trx);
      await this.d.log.append(trx, actor, { ...entry, outcome: 'success', reason: r.purpose, detail: { upper: r.destination, until: r.range_to, where: this.d.where }, target: `emergency connection to ${destination} opened until the period ends in ${spoken(r.range_to - now)} (${this.d.where}, access-request:${r.id})` });
    });
    let runtime: CascadeRuntime;
    try {
      runtime = await this.open(upper!);
    } catch (e) {
      // It never ran: registered as failed, and the request is approved again so it can be retried.
      await this.d.log.transaction(async (trx) => {
        await this.d.repos.accessRequests.updateIf(r.id, stamp, { state: 'approved', updated_at: stamp + 1 }, trx);
        await this.d.repos.emergencyConnections.end(r.id, this.d.clock.now(), trx);
        await this.d.log.append(trx, actor, { ...entry, outcome: 'failed', reason: (e as Error).message, target: `emergency connection to ${destination} could not open` });
      });
      throw e;
    }
    this.track(r, upper!, destination, entry, runtime, actor.userId, now);
    return this.viewOf(this.running.get(r.id)!);
  }

  /** Ends an open connection before its period is over. */
  async end(actor: Actor, requestId: number, reason: string): Promise<{ requestId: number; ended: string }> {
    const r = await this.d.requests.load(requestId);
    const c = this.running.get(requestId);
    if (!this.mayOperate(actor, r)) {
      await this.d.log.refuse(actor, { action: 'connect', destination: c?.view.upperName ? describeRecipient('platform', c.view.upperName) : r.destination, target: `access-request:${r.id}`, approvalId: r.id }, Errors.forbidden('only the requester, or one who approves connection requests over its custodian or requester, may open or end the connection').withParams({ reason: 'connect-not-permitted' }));
    }
    if (!c) throw r.state === 'in_use' ? Errors.conflict('the connection of this request is open in another process (the command line?); end it there') : Errors.notFound(`no connection of access request ${requestId} is open`);
    c.stop(reason.trim() || 'ended early', actor);
    return { requestId, ended: await c.ended };
  }

  /** Resolves when the connection of this request has ended and its end is registered. */
  ended(requestId: number): Promise<string> | undefined {
    return this.running.get(requestId)?.ended;
  }

  /** The process stops: every open connection ends, each end registered. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.adopting = false;
    await this.beating;
    const all = [...this.running.values()];
    for (const c of all) c.stop('the platform process stopped', null);
    await Promise.all(all.map((c) => c.ended.catch(() => undefined)));
  }

  private open(upper: UpperConfig): Promise<CascadeRuntime> {
    // Only this upper, on a port of its own (the cascade role may hold cascade.port), named in Via and Contact.
    return openCascade({ ...this.d.cascade, settings: { ...this.d.settings, port: 0, uppers: [{ ...upper, onDemand: false }] } });
  }

  private track(r: Loaded, upper: UpperConfig, destination: string, entry: ConnectEntry, runtime: CascadeRuntime, openedBy: number, openedAt: number): void {
    this.beat();
    let resolveStop!: (v: { why: string; by: Actor | null }) => void;
    const stopped = new Promise<{ why: string; by: Actor | null }>((resolve) => (resolveStop = resolve));
    const timer = setTimeout(() => resolveStop({ why: 'the approved period ended', by: null }), Math.max(0, r.range_to - this.d.clock.now()));
    const ended = stopped.then(async ({ why, by }) => {
      clearTimeout(timer);
      await runtime.close().catch((err: unknown) => this.d.logger.error({ err }, 'emergency connection: the cascade did not close cleanly'));
      const at = Math.max(openedAt, this.d.clock.now());
      const now = await this.d.repos.accessRequests.get(r.id);
      await this.d.log.transaction(async (trx) => {
        if (now && now.state === 'in_use') await this.d.repos.accessRequests.updateIf(r.id, now.updated_at, { state: 'closed', updated_at: Math.max(at, now.updated_at + 1) }, trx);
        await this.d.repos.emergencyConnections.end(r.id, at, trx);
        await this.d.log.append(trx, by, { ...entry, outcome: 'success', from: openedAt, to: at, reason: why, detail: { upper: upper.sipId, where: this.d.where }, target: `emergency connection to ${destination} ended` });
      });
      this.running.delete(r.id);
      return why;
    });
    ended.catch((err: unknown) => this.d.logger.error({ err, request: r.id }, 'emergency connection: its end could not be registered'));
    this.running.set(r.id, {
      view: { requestId: r.id, upperSipId: upper.sipId, upperName: upper.name, reason: r.purpose, openedAt, until: r.range_to, openedBy },
      runtime,
      stop: (why, by) => resolveStop({ why, by }),
      ended,
    });
  }

  private viewOf(c: Running): ConnectionView {
    const link = [...c.runtime.links.values()][0];
    return { ...c.view, link: link?.state ?? 'closed', lastKeepaliveAt: link?.lastKeepaliveAt ?? null };
  }

  /** The requester, or one who approves requests over its custodian or its requester's organisation. */
  private mayOperate(actor: Actor, r: Loaded): boolean {
    if (actor.userId === r.requester_id) return true;
    return actor.can('access-request:approve', [r.custodianPath, ...r.requesterPaths]);
  }
}

