import { Errors } from '../errors.js';
import type { Clock } from '../domain/clock.js';
import type { CameraGroup } from '../db/camera-group.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { CameraGroupKind } from '../db/schema.js';
import { nationalIdProblem } from './national-id-check.js';
import { uniqueViolation } from './organisation.service.js';
import type { RecordChange } from './registry-change.js';

/**
 * GB/T 28181 business groups (215) and virtual organisations (216): a business group is a
 * root; virtual organisations nest under a business group or another virtual organisation.
 */
export class CameraGroupService {
  constructor(
    private readonly repos: Repositories,
    private readonly clock: Clock,
  ) {}

  async create(input: { gbId: string; kind: CameraGroupKind; name: string; parentId: number | null }, record?: RecordChange): Promise<CameraGroup> {
    const want = input.kind === 'business_group' ? 'business_group' : 'virtual_organisation';
    const problem = nationalIdProblem(input.gbId, want);
    if (problem) throw Errors.validation(`gbId: ${problem}`, [{ path: 'gbId', message: problem }]);
    if (input.kind === 'business_group' && input.parentId !== null) {
      throw Errors.validation('a business group is a root: it has no parent', [{ path: 'parentId', message: 'must be null' }]);
    }
    if (input.kind === 'virtual_organisation') {
      if (input.parentId === null) {
        throw Errors.validation('a virtual organisation sits under a business group or another virtual organisation', [
          { path: 'parentId', message: 'required' },
        ]);
      }
      if (!(await this.repos.cameraGroups.get(input.parentId))) {
        throw Errors.validation(`group ${input.parentId} does not exist`, [{ path: 'parentId', message: 'does not exist' }]);
      }
    }
    try {
      return await this.repos.db.kysely.transaction().execute(async (trx) => {
        const group = await this.repos.cameraGroups.create(input, this.clock.now(), trx);
        await record?.(trx, { object: 'camera_group', action: 'create', id: group.id, detail: { gbId: group.gbId, kind: group.kind } });
        return group;
      });
    } catch (e) {
      throw uniqueViolation(e, 'gbId') ?? e;
    }
  }

  list() {
    return this.repos.cameraGroups.list();
  }

  async get(id: number): Promise<CameraGroup & { cameraIds: number[] }> {
    const g = await this.repos.cameraGroups.get(id);
    if (!g) throw Errors.notFound(`camera group ${id} does not exist`);
    return { ...g, cameraIds: await this.repos.cameraGroups.members(id) };
  }

  async setMembers(id: number, add: number[], remove: number[], record?: RecordChange) {
    await this.get(id);
    await this.repos.db.kysely.transaction().execute(async (trx) => {
      for (const cameraId of add) {
        if (!(await this.repos.cameras.get(cameraId, trx))) {
          throw Errors.validation(`camera ${cameraId} does not exist`, [{ path: 'add', message: `camera ${cameraId} does not exist` }]);
        }
      }
      await this.repos.cameraGroups.addMembers(id, add, trx);
      await this.repos.cameraGroups.removeMembers(id, remove, trx);
      await record?.(trx, { object: 'camera_group', action: 'members', id, cameraIds: [...add, ...remove], detail: { add, remove } });
    });
    return this.get(id);
  }
}
