// Evidence export (调取 / 复制, R5.3–R5.4): only by an officer of an approved copy or retrieve
// request that covers this camera and range — `checkFootageAccess` decides and registers the use.
// Every rule of export (who may start, see, cancel and take a package; which request; which range)
// is here, so the HTTP API and `vigil export` obey the same checks; every refusal is registered. The package
// is written in the background with progress, can be cancelled, and its end (done, failed,
// cancelled) is registered with the manifest's hash. A crash mid-export leaves a partial folder
// and a 'running' row; `recover()` removes the one and fails the other.
import { holderStopped, type HolderCheck } from '../domain/job-holder.js';
import { Heartbeat, thisProcess } from '../job-heartbeat.js';
import type { FootageReader } from '../storage/footage-reader.js';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Access } from '../access/index.js';
import type { Actor } from '../access/actor.js';
import type { SecurityLog } from '../access/security-log.js';
import type { PlatformKeys } from '../audit/platform-key.js';
import type { Clock } from '../domain/clock.js';
import type { EvidenceExportRow } from '../db/evidence-export.repository.js';
import type { FragmentInFile } from '../db/recording-index.repository.js';
import type { Repositories } from '../db/repositories.js';
import { Errors } from '../errors.js';
import type { MerkleLog } from '../integrity/merkle-log.js';
import { ExportError } from './errors.js';
import { PACKAGE_FORMAT, type Manifest, type ManifestPerson } from './manifest.js';
import { writePackage, type PackageSource } from './package-writer.js';

export const EXPORTS_DIR = 'exports';

export interface ExportDeps {
  repos: Repositories;
  access: Pick<Access, 'checkFootageAccess' | 'requests' | 'subjects'>;
  log: SecurityLog;
  merkle: MerkleLog;
  keys: PlatformKeys;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  absolute(relPath: string): string;
  /** Where recording files are read (local disk, then the object store). */
  footage?: FootageReader;
  /** Who this process is, as the holder of its exports, and how often it says so (default: see domain/job-holder.ts; 5 s). */
  holder?: Partial<HolderCheck>;
}

export interface ExportRequest {
  requestId: number;
  cameraId: number;
  from: number;
  to: number;
}

export interface ExportView {
  id: number;
  requestId: number;
  cameraId: number;
  from: number;
  to: number;
  state: EvidenceExportRow['state'];
  bytesTotal: number;
  bytesDone: number;
  /** Relative to dataDir. */
  path: string;
  manifestSha256: string | null;
  error: string | null;
  createdBy: number;
  createdAt: number;
  finishedAt: number | null;
}

export const toExportView = (r: EvidenceExportRow, live?: { done: number }): ExportView => ({
  id: Number(r.id), requestId: Number(r.request_id), cameraId: Number(r.camera_id), from: Number(r.range_from), to: Number(r.range_to), state: r.state,
  bytesTotal: Number(r.bytes_total), bytesDone: live?.done ?? Number(r.bytes_done), path: r.path, manifestSha256: r.manifest_sha256, error: r.error,
  createdBy: Number(r.created_by), createdAt: Number(r.created_at), finishedAt: r.finished_at === null ? null : Number(r.finished_at),
});

interface Job {
  abort: AbortController;
  done: number;
  finished: Promise<void>;
  actor: Actor;
}

export class ExportService {
  private readonly jobs = new Map<number, Job>();
  private readonly holder: HolderCheck;
  private readonly heartbeat: Heartbeat;

  constructor(private readonly d: ExportDeps) {
    this.holder = { ...thisProcess(), ...d.holder };
    this.heartbeat = new Heartbeat(this.holder.heartbeatMs, async () => {
      await this.d.repos.evidenceExports.renew([...this.jobs.keys()], this.holder.self, this.d.clock.now());
      await this.recover();
    }, (err) => this.d.logger.error({ err }, 'export heartbeat failed'));
  }

  /**
   * Fails exports whose process stopped (this one before a restart, or another API process that
   * stopped renewing; see domain/job-holder.ts) and removes their partial folders; an export another
   * live process builds is left alone. Call before serving; `watch` repeats it. Returns how many it failed.
   */
  async recover(): Promise<number> {
    const dir = join(this.d.dataDir, EXPORTS_DIR);
    const now = this.d.clock.now();
    let failed = 0;
    for (const r of await this.d.repos.evidenceExports.exportsInState('running')) {
      const id = Number(r.id);
      const aliveAt = r.alive_at === null ? null : Number(r.alive_at);
      if (this.jobs.has(id) || !holderStopped({ holder: r.holder, aliveAt }, now, this.holder)) continue;
      if (!(await this.d.repos.evidenceExports.failIfUnrenewed(id, aliveAt, 'interrupted: the platform stopped during the export', now))) continue;
      failed++;
      await rm(join(this.d.dataDir, `${r.path}.partial`), { recursive: true, force: true });
    }
    // Partial folders of exports no process builds any more (a crash between the folder and the row).
    for (const n of await readdir(dir).catch(() => [] as string[])) {
      if (!n.endsWith('.partial')) continue;
      const id = Number(n.slice(0, -'.partial'.length));
      if (this.jobs.has(id)) continue;
      const row = Number.isSafeInteger(id) ? await this.d.repos.evidenceExports.export(id) : undefined;
      if (row?.state !== 'running') await rm(join(dir, n), { recursive: true, force: true });
    }
    return failed;
  }

  /** From now on: renews this process's exports and fails those of a stopped process, every heartbeat. */
  watch(): void {
    this.heartbeat.start();
  }


  stopWatching(): Promise<void> {
    return this.heartbeat.stop();
  }

  async start(actor: Actor, req: ExportRequest): Promise<ExportView> {
    const request = await this.d.access.requests.load(req.requestId);
    // Said before anything about the request is: only its officers learn whether it would do.
    const refuseStart = (reason: string, code: string) =>
      this.d.log.refuse(actor, { action: 'export', cameraIds: [req.cameraId], from: req.from, to: req.to, approvalId: req.requestId, target: 'export', reason }, Errors.forbidden(reason).withParams({ reason: code, request: req.requestId }));
    // Where the profile sets no officers (CN799-20) the requester acts alone.
    const parties = request.officers.length ? request.officers.map((o) => o.userId) : [request.requester_id];
    if (!parties.includes(actor.userId)) await refuseStart('only an officer of the request may export under it', 'export-not-officer');
    // Checked here too: footage access would otherwise find, and register a use of, another
    // approved request of the same officer that covers the range.
    if (request.state !== 'approved' && request.state !== 'in_use') await refuseStart(`request ${request.id} is ${request.state}, not approved`, 'export-request-not-approved');
    if (request.kind !== 'copy' && request.kind !== 'retrieve') {
      // Cite the articles of the request's jurisdiction that govern copying, never a requirement number.
      const copy = this.d.access.requests.requirements({ ...request, kind: 'copy' });
      const articles = [...new Set([copy.officers.article, ...copy.approvals.map((a) => a.article)].filter((a): a is string => !!a))];
      throw Errors.ruleRefused(`a ${request.kind} request does not allow taking footage away; a copy or retrieve request is needed${articles.length ? ` (${articles.join(', ')})` : ''}`, [{ path: 'requestId', message: `a ${request.kind} request` }], articles);
    }
    if (!(req.to > req.from)) throw Errors.validation('the range ends before it starts', [{ path: 'to', message: 'before from' }]);
    // Decides and registers the copy or retrieval, naming the officers (throws FORBIDDEN otherwise).
    const decision = await this.d.access.checkFootageAccess(actor, { cameraId: req.cameraId, from: req.from, to: req.to, kind: request.kind, requestId: request.id });
    if (decision.requestId !== req.requestId) throw Errors.forbidden(`the export must be made under request ${req.requestId}`).withParams({ reason: 'export-other-request', request: req.requestId });
    const camera = await this.d.repos.cameras.get(req.cameraId);
    if (!camera) throw Errors.notFound(`camera ${req.cameraId} does not exist`);

    // The log must hold every fragment exported, under a head signed now.
    await this.d.merkle.sealCamera(req.cameraId);
    await this.d.merkle.signHeads();
    const head = await this.d.repos.integrityLog.latestTreeHead(req.cameraId);
    const sources = await this.sources(req);
    if (sources.length === 0) throw new ExportError('EXPORT_EMPTY', `camera ${req.cameraId} has no recording in that range`);
    if (!head || sources.some((s) => s.initLeafIndex >= Number(head.tree_size) || s.fragments.some((f) => f.leafIndex >= Number(head.tree_size)))) {
      throw new ExportError('EXPORT_NOT_SEALED', 'some of the footage is not yet in the signed log; try again in a moment');
    }
    const bytesTotal = sources.reduce((s, x) => s + x.file.initSize + x.fragments.reduce((t, f) => t + f.size, 0), 0);
    const now = this.d.clock.now();
    const row = await this.d.repos.evidenceExports.insertExport({
      request_id: req.requestId, camera_id: req.cameraId, range_from: req.from, range_to: req.to, state: 'running', bytes_total: bytesTotal, bytes_done: 0,
      path: '', manifest_sha256: null, error: null, created_by: actor.userId, created_at: now, finished_at: null, holder: this.holder.self, alive_at: now,
    });
    const id = Number(row.id);
    const path = `${EXPORTS_DIR}/${id}`;
    await this.d.repos.evidenceExports.updateExport(id, { path });

    const person = async (userId: number, workId?: string | null): Promise<ManifestPerson> => {
      const u = await this.d.repos.accounts.userById(userId);
      return { userId, workId: workId ?? u?.work_id ?? null, name: u?.display_name ?? null };
    };
    const iso = (ms: number) => new Date(ms).toISOString();
    const manifest: Omit<Manifest, 'files'> = {
      format: PACKAGE_FORMAT,
      exportId: id,
      createdAt: iso(now),
      camera: { id: camera.id, nationalId: camera.gbId, name: camera.name, address: camera.address },
      range: { from: iso(req.from), to: iso(req.to), fromMs: req.from, toMs: req.to },
      request: {
        id: request.id, kind: request.kind, requestingUnit: request.requesting_unit, purpose: request.purpose, destination: request.destination, caseNumber: request.case_number,
        officers: await Promise.all(request.officers.map((o) => person(o.userId, o.workId))),
        approvers: await Promise.all(request.approvals.map(async (a) => ({ ...(await person(a.userId)), role: a.role, at: iso(a.at) }))),
      },
      exportedBy: await person(actor.userId),
      platform: { keyId: this.d.keys.keyId, publicKeyPem: this.d.keys.publicKeyPem() },
      treeHead: { cameraId: req.cameraId, size: Number(head.tree_size), root: head.root_hash, at: Number(head.at), keyId: head.key_id, signature: head.signature },
      note: 'Each footage file is the recording\'s init segment followed by its fragments that overlap the range, whole, starting at time zero: only the decode-time fields and the creation time are rebased in place, and each file\'s patches keep the bytes they replaced, so the recording is restored bit for bit and checked against its signed hashes. 每个文件从零时刻开始；仅原位改写解码时间字段与创建时间，清单记录被替换的原始字节，可逐位还原原始录像并核对签名哈希。',
    };
    const keptAside = await this.d.repos.fencedFootage.inRange(req.cameraId, req.from, req.to);
    if (keptAside.length) {
      manifest.keptAside = keptAside.map((k) => ({ path: k.path, node: k.nodeId, epoch: k.epoch, fromMs: k.startMs, toMs: k.endMs, bytes: k.bytes, sha256: k.sha256, overlapsRecording: k.overlapsHolder }));
    }
    const proofs = await this.d.merkle.inclusionProofs(req.cameraId, Number(head.tree_size), sources.flatMap((s) => [s.initLeafIndex, ...s.fragments.map((f) => f.leafIndex)]));
    const abort = new AbortController();
    const job: Job = { abort, done: 0, actor, finished: Promise.resolve() };
    this.jobs.set(id, job);
    let lastSaved = 0;
    job.finished = writePackage({
      dir: join(this.d.dataDir, EXPORTS_DIR, String(id)),
      sources,
      absolute: this.d.absolute,
      ...(this.d.footage ? { footage: this.d.footage } : {}),
      proof: (i) => proofs.get(i)!.map((h) => h.toString('hex')),
      manifest,
      keys: this.d.keys,
      signal: abort.signal,
      fileName: (s, n) => `${String(n + 1).padStart(3, '0')}-${camera.gbId}-${iso(s.file.startedAt).replace(/[:.]/g, '')}.mp4`,
      onProgress: (done) => {
        job.done = done;
        if (done - lastSaved > 64 << 20) {
          lastSaved = done;
          void this.d.repos.evidenceExports.updateExport(id, { bytes_done: done }).catch(() => undefined);
        }
      },
    }).then(
      (r) => this.finish(id, job, 'done', null, r.manifestSha256),
      (e: unknown) => this.finish(id, job, abort.signal.aborted ? 'cancelled' : 'failed', (e as Error).message, null),
    );
    return toExportView((await this.d.repos.evidenceExports.export(id))!, job);
  }

  async get(id: number): Promise<ExportView> {
    const r = await this.d.repos.evidenceExports.export(id);
    if (!r) throw Errors.notFound(`export ${id} does not exist`);
    return toExportView(r, this.jobs.get(id));
  }

  /** The exports `actor` started, newest first: one's own work, so nothing to refuse or register. */
  async mine(actor: Actor, limit = 100): Promise<(ExportView & { cameraName: string | null })[]> {
    const rows = await this.d.repos.evidenceExports.exportsBy(actor.userId, limit);
    // The officer may no longer see the camera in the registry; the export still names it.
    const names = new Map<number, string | null>();
    for (const id of new Set(rows.map((r) => Number(r.camera_id)))) names.set(id, (await this.d.repos.cameras.get(id))?.name ?? null);
    return rows.map((r) => ({ ...toExportView(r, this.jobs.get(Number(r.id))), cameraName: names.get(Number(r.camera_id)) ?? null }));
  }

  /** An export as `actor` may see it: its request's officers and approvers, or supervision of the camera. */
  async view(actor: Actor, id: number): Promise<ExportView> {
    const v = await this.get(id);
    const p = await this.parties(v);
    if (!p.officers.has(actor.userId) && !p.approvers.has(actor.userId) && !actor.can('audit:read', (await this.d.access.subjects.camera(v.cameraId)).paths)) {
      await this.refuse(actor, v, `export:${v.id}`, 'only the request\'s officers and approvers, or supervision of the camera, may see this export');
    }
    return v;
  }

  /** A finished export whose package `actor` may take (its request's officers and approvers). */
  async forDownload(actor: Actor, id: number): Promise<ExportView> {
    const v = await this.get(id);
    const p = await this.parties(v);
    if (!p.officers.has(actor.userId) && !p.approvers.has(actor.userId)) await this.refuse(actor, v, `export:${v.id}/package`, 'only the request\'s officers and approvers may take the package');
    if (v.state !== 'done') throw Errors.conflict(`export ${v.id} is ${v.state}; only a finished export can be downloaded`);
    return v;
  }

  /** Registers that the package left the platform. */
  async downloaded(actor: Actor, v: ExportView, bytes: number): Promise<void> {
    await this.d.log.record(actor, {
      action: 'export', outcome: 'success', cameraIds: [v.cameraId], from: v.from, to: v.to, approvalId: v.requestId, target: `export:${v.id}/package`,
      detail: { step: 'download', manifestSha256: v.manifestSha256, bytes },
    });
  }

  /** Stops a running export; only its maker may. Resolves once it has stopped and is registered. */
  async cancel(actor: Actor, id: number): Promise<ExportView> {
    const view = await this.get(id);
    if (view.createdBy !== actor.userId) await this.refuse(actor, view, `export:${view.id}`, 'only the one who started an export can cancel it');
    const job = this.jobs.get(id);
    if (!job) return view;
    job.abort.abort();
    await job.finished;
    return this.get(id);
  }

  private async parties(v: ExportView): Promise<{ officers: Set<number>; approvers: Set<number> }> {
    const r = await this.d.access.requests.load(v.requestId);
    return { officers: new Set([...r.officers.map((o) => o.userId), v.createdBy]), approvers: new Set(r.approvals.map((a) => a.userId)) };
  }

  private refuse(actor: Actor, v: ExportView, target: string, reason: string): Promise<never> {
    return this.d.log.refuse(actor, { action: 'export', cameraIds: [v.cameraId], from: v.from, to: v.to, approvalId: v.requestId, target, reason }, Errors.forbidden(reason).withParams({ reason: 'export-not-party', export: v.id }));
  }

  /** Resolves when the export has finished one way or another. */
  async settled(id: number): Promise<ExportView> {
    await this.jobs.get(id)?.finished;
    return this.get(id);
  }

  private async finish(id: number, job: Job, state: 'done' | 'failed' | 'cancelled', error: string | null, manifestSha256: string | null): Promise<void> {
    const row = (await this.d.repos.evidenceExports.export(id))!;
    await this.d.log.transaction(async (trx) => {
      await this.d.repos.evidenceExports.updateExport(id, { state, error, manifest_sha256: manifestSha256, bytes_done: job.done, finished_at: this.d.clock.now() }, trx);
      await this.d.log.append(trx, job.actor, {
        action: 'export', cameraIds: [Number(row.camera_id)], from: Number(row.range_from), to: Number(row.range_to), approvalId: Number(row.request_id),
        target: `export:${id}`, outcome: state === 'done' ? 'success' : 'failed', reason: error,
        detail: { state, manifestSha256, bytes: job.done, path: row.path },
      });
    });
    this.jobs.delete(id);
    if (state === 'failed') this.d.logger.error({ exportId: id, error }, 'evidence export failed');
  }

  private async sources(req: ExportRequest): Promise<PackageSource[]> {
    const out: PackageSource[] = [];
    for (const file of await this.d.repos.recordingIndex.files(req.cameraId, req.from, req.to)) {
      const leaves = await this.d.repos.integrityLog.leavesOfFile(file.id);
      const leafOf = new Map(leaves.map((l) => [l.fragmentId, l.leafIndex]));
      const init = leafOf.get(0);
      const fragments = (await this.d.repos.recordingIndex.fileFragments(file.id)).filter((f: FragmentInFile) => f.endMs > req.from && f.startMs < req.to);
      if (fragments.length === 0) continue;
      out.push({ file, initLeafIndex: init ?? Number.MAX_SAFE_INTEGER, fragments: fragments.map((f) => ({ ...f, leafIndex: leafOf.get(f.id) ?? Number.MAX_SAFE_INTEGER })) });
    }
    return out;
  }
}
