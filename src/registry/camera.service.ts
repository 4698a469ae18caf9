import { Errors, type ErrorDetail, type VigilError } from '../errors.js';
import type { Clock } from '../domain/clock.js';
import type { Camera, CameraFields, CameraSearch } from '../db/camera.repository.js';
import type { Organisation } from '../db/organisation.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { CameraStatus } from '../db/schema.js';
import type { CameraInput } from './camera.schema.js';
import type { RecordChange, SourceRequester } from './registry-change.js';
import { maskCredentials } from '../ingest/registry.js';
import { SourceRefusedError } from '../ingest/errors.js';
import { PLATFORM_REQUESTER, type SourceGuard } from '../ingest/source-guard.js';
import type { CameraChanges } from './camera-changes.js';
import { nationalIdProblem } from './national-id-check.js';
import { recordingWarnings, type RecordingWarning } from './recording-warnings.js';
import { uniqueViolation, type OrganisationService } from './organisation.service.js';
import type { ProfileRules } from './profile-rules.js';
import type { ServiceGate } from './service-gate.js';

const UNIT_FIELDS = ['ownerUnitId', 'userUnitId', 'managingUnitId', 'maintainerUnitId'] as const;

export interface CameraQuery {
  regionId?: number;
  unitId?: number;
  placeCategory?: string;
  status?: CameraStatus;
  keyPosition?: boolean;
  q?: string;
  /** Access scope: organisation paths the caller may see under ('' = everything). */
  scopePaths?: string[];
  limit?: number;
  offset?: number;
}

/** Registers camera points and enforces the registry's rules (R1.2–R1.4). */
export class CameraService {
  private serviceGate: ServiceGate | null = null;

  constructor(
    private readonly repos: Repositories,
    private readonly orgs: OrganisationService,
    private readonly rules: ProfileRules,
    private readonly clock: Clock,
    private readonly sources: SourceGuard,
    /** Told of every committed change (the recorder follows it). */
    readonly changes?: CameraChanges,
  ) {}

  /** Why this camera point will not be recorded as it stands, if it will not be. */
  recordingWarnings(camera: Camera): RecordingWarning[] {
    return recordingWarnings(camera);
  }

  /**
   * Refuses a source the policy does not allow (issue 14), registered once through `by`; without
   * `by` the platform itself names it (demo seed, command line) and the refusal is only thrown.
   * Every reason gives the same message: what exists on the server or answers on its network is
   * not for the requester to learn.
   */
  async checkSource(url: string | null, by: SourceRequester | undefined, where?: string): Promise<void> {
    if (url === null) return;
    const d = await this.sources.decide(url, by ?? PLATFORM_REQUESTER);
    if (d.allowed) return;
    const error = new SourceRefusedError(d.reason, d.range, where ? [{ path: where, message: 'this camera source is not allowed' }] : []);
    if (by) await by.refuse(error, { reason: d.reason, ...(d.range ? { range: d.range } : {}), sourceUrl: maskCredentials(url), ...(where ? { where } : {}) });
    throw error;
  }

  /**
   * The stored sources the policy refuses now (issue 14): cameras registered before the allow-list
   * existed, or before the configuration narrowed it. The recorder and every other opener refuse
   * them already; this names them for the administrator, with credentials masked.
   */
  async refusedSources(): Promise<{ id: number; gbId: string; name: string; sourceUrl: string; reason: string; range?: string }[]> {
    const refused: { id: number; gbId: string; name: string; sourceUrl: string; reason: string; range?: string }[] = [];
    for (const c of await this.repos.cameras.sources()) {
      const d = await this.sources.decide(c.sourceUrl, PLATFORM_REQUESTER);
      if (!d.allowed) refused.push({ id: c.id, gbId: c.gbId, name: c.name, sourceUrl: maskCredentials(c.sourceUrl), reason: d.reason, ...(d.range ? { range: d.range } : {}) });
    }
    return refused;
  }

  /** Supervision gives its acceptance gate once it is assembled; without one no camera is held back. */
  setServiceGate(gate: ServiceGate): void {
    this.serviceGate = gate;
  }

  /** The gate's refusals for these cameras; none without a gate. */
  serviceRefusals(cameraIds: readonly number[]): Promise<Map<number, VigilError>> {
    return this.serviceGate ? this.serviceGate(cameraIds) : Promise.resolve(new Map());
  }

  /** Throws the gate's refusal when a camera not yet in service is being recorded as in service. */
  private async checkService(id: number, from: CameraStatus, to: CameraStatus): Promise<void> {
    if (to !== 'in_service' || from === 'in_service' || !this.serviceGate) return;
    const refusal = (await this.serviceGate([id])).get(id);
    if (refusal) throw refusal;
  }

  async register(input: CameraInput, record?: RecordChange, by?: SourceRequester): Promise<Camera> {
    const orgs = await this.loadOrganisations([input]);
    const problems = await this.check(input, orgs);
    if (problems.refusal) throw problems.refusal;
    if (problems.details.length) throw Errors.validation('the camera point is not valid', problems.details);
    await this.checkSource(input.sourceUrl, by);
    try {
      return await this.repos.db.kysely.transaction().execute(async (trx) => {
        const camera = await this.repos.cameras.insert(input, this.clock.now(), trx);
        await record?.(trx, { object: 'camera', action: 'create', id: camera.id, cameraIds: [camera.id], detail: { gbId: camera.gbId, sourceUrl: camera.sourceUrl === null ? null : maskCredentials(camera.sourceUrl) } });
        return camera;
      }).then((camera) => {
        this.changes?.changed([camera.id]);
        return camera;
      });
    } catch (e) {
      throw uniqueViolation(e, 'gbId') ?? e;
    }
  }

  async update(id: number, patch: Partial<CameraInput>, record?: RecordChange, by?: SourceRequester): Promise<Camera> {
    const current = await this.get(id);
    const next: CameraFields = { ...stripMeta(current), ...patch };
    const orgs = await this.loadOrganisations([next]);
    const problems = await this.check(next, orgs);
    if (problems.refusal) throw problems.refusal;
    if (problems.details.length) throw Errors.validation('the camera point is not valid', problems.details);
    await this.checkService(id, current.status, next.status);
    const sourceChanged = patch.sourceUrl !== undefined && patch.sourceUrl !== current.sourceUrl;
    if (sourceChanged) await this.checkSource(next.sourceUrl, by);
    try {
      return await this.repos.db.kysely.transaction().execute(async (trx) => {
        const camera = (await this.repos.cameras.update(id, next, this.clock.now(), trx))!;
        await record?.(trx, { object: 'camera', action: 'update', id, cameraIds: [id], detail: {
          fields: Object.keys(patch).sort(),
          ...(sourceChanged ? { sourceUrl: { from: masked(current.sourceUrl), to: masked(next.sourceUrl) } } : {}),
        } });
        return camera;
      }).then((camera) => {
        this.changes?.changed([id]);
        return camera;
      });
    } catch (e) {
      throw uniqueViolation(e, 'gbId') ?? e;
    }
  }

  async get(id: number): Promise<Camera> {
    const c = await this.repos.cameras.get(id);
    if (!c) throw Errors.notFound(`camera ${id} does not exist`);
    return c;
  }

  async search(query: CameraQuery): Promise<{ items: Camera[]; total: number }> {
    const search: CameraSearch = {
      limit: Math.min(query.limit ?? 50, 500),
      offset: query.offset ?? 0,
      unitId: query.unitId,
      placeCategory: query.placeCategory,
      status: query.status,
      keyPosition: query.keyPosition,
      text: query.q?.trim() || undefined,
      scopePaths: query.scopePaths,
    };
    if (query.regionId !== undefined) search.regionPath = (await this.orgs.get(query.regionId)).path;
    return this.repos.cameras.search(search);
  }

  /**
   * Problems with one camera point, as field details, or a rule refusal (a prohibited place)
   * that cites its articles. `orgs` holds the organisations the point names.
   */
  async check(
    c: CameraFields,
    orgs: Map<number, Organisation>,
    pathPrefix = '',
    profileOf: (regionId: number) => Promise<string> | string = (id) => this.orgs.effectiveProfileId(id),
  ): Promise<{ details: ErrorDetail[]; refusal?: ReturnType<typeof Errors.prohibitedPlace> }> {
    const details: ErrorDetail[] = [];
    const at = (f: string) => `${pathPrefix}${f}`;
    const idProblem = nationalIdProblem(c.gbId, 'camera');
    if (idProblem) details.push({ path: at('gbId'), message: idProblem });
    const region = orgs.get(c.regionId);
    if (!region) details.push({ path: at('regionId'), message: `organisation ${c.regionId} does not exist` });
    else if (region.kind !== 'platform') details.push({ path: at('regionId'), message: `organisation ${c.regionId} is a unit, not a region` });
    for (const f of UNIT_FIELDS) {
      const id = c[f];
      if (id == null) continue;
      const unit = orgs.get(id);
      if (!unit) details.push({ path: at(f), message: `organisation ${id} does not exist` });
      else if (unit.kind !== 'unit') details.push({ path: at(f), message: `organisation ${id} is a platform, not a unit` });
    }
    if (!this.rules.hasCategory(c.placeCategory)) {
      details.push({ path: at('placeCategory'), message: `"${c.placeCategory}" is not a known place category` });
    }
    if (c.status === 'in_service' && !c.inServiceDate) {
      details.push({ path: at('inServiceDate'), message: 'required when the status is in_service' });
    }
    if (details.length || !region) return { details };
    const profileId = await profileOf(region.id);
    const articles = this.rules.prohibitedBy(profileId, c.placeCategory);
    if (articles) {
      return {
        details,
        refusal: Errors.prohibitedPlace(
          `cameras may not be installed in this kind of place: ${placeName(this.rules, c.placeCategory)} (${articles.join(', ')}, profile ${profileId})`,
          [{ path: at('placeCategory'), message: `prohibited by ${articles.join(', ')}` }],
          articles,
        ).withParams({ reason: 'prohibited-place', category: c.placeCategory, profile: profileId }),
      };
    }
    return { details };
  }

  /** Loads every organisation the given points name, in one query. */
  async loadOrganisations(cameras: Pick<CameraFields, 'regionId' | (typeof UNIT_FIELDS)[number]>[]) {
    const ids = new Set<number>();
    for (const c of cameras) {
      ids.add(c.regionId);
      for (const f of UNIT_FIELDS) if (c[f] != null) ids.add(c[f]!);
    }
    const list = await this.repos.organisations.getMany([...ids]);
    return new Map(list.map((o) => [o.id, o]));
  }
}

function masked(url: string | null): string | null {
  return url === null ? null : maskCredentials(url);
}

function stripMeta(c: Camera): CameraFields {
  const { id: _i, createdAt: _c, updatedAt: _u, ...fields } = c;
  return fields;
}

/** "hotel guest rooms (旅馆客房)": the category's names, never its id. */
function placeName(rules: ProfileRules, id: string): string {
  const n = rules.categoryName(id);
  return n ? `${n.en} (${n.zh})` : `"${id}"`;
}
