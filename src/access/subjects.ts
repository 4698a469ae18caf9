// Turns stored rows into the subjects policies speak about: a camera with the paths of its region
// and units, an organisation with its path.
import type { Camera } from '../db/camera.repository.js';
import type { Repositories } from '../db/repositories.js';
import { Errors } from '../errors.js';
import type { CameraSubject, OrganisationSubject } from './policy.js';

const UNIT_FIELDS = ['ownerUnitId', 'userUnitId', 'managingUnitId', 'maintainerUnitId'] as const;

export async function cameraSubjects(repos: Repositories, cameras: Camera[]): Promise<Map<number, CameraSubject>> {
  const ids = new Set<number>();
  for (const c of cameras) {
    ids.add(c.regionId);
    for (const f of UNIT_FIELDS) if (c[f] != null) ids.add(c[f]!);
  }
  const paths = new Map((await repos.organisations.getMany([...ids])).map((o) => [o.id, o.path]));
  const out = new Map<number, CameraSubject>();
  for (const c of cameras) {
    const list = [c.regionId, ...UNIT_FIELDS.map((f) => c[f])].filter((id): id is number => id != null).map((id) => paths.get(id)).filter((p): p is string => !!p);
    out.set(c.id, { kind: 'Camera', id: c.id, paths: list });
  }
  return out;
}

export async function cameraSubject(repos: Repositories, cameraId: number): Promise<CameraSubject> {
  const camera = await repos.cameras.get(cameraId);
  if (!camera) throw Errors.notFound(`camera ${cameraId} does not exist`);
  return (await cameraSubjects(repos, [camera])).get(cameraId)!;
}

/** An organisation by id; null means the platform as a whole. */
export async function organisationSubject(repos: Repositories, id: number | null): Promise<OrganisationSubject> {
  if (id === null) return { kind: 'Organisation', id: null, path: '' };
  const org = await repos.organisations.get(id);
  if (!org) throw Errors.notFound(`organisation ${id} does not exist`);
  return { kind: 'Organisation', id, path: org.path };
}

/** The three lookups together, as the use cases that judge many rows take them. */
export function subjectsOf(repos: Repositories): { camera(id: number): Promise<CameraSubject>; cameras(cameras: Camera[]): Promise<Map<number, CameraSubject>>; organisation(id: number | null): Promise<OrganisationSubject> } {
  return { camera: (id) => cameraSubject(repos, id), cameras: (list) => cameraSubjects(repos, list), organisation: (id) => organisationSubject(repos, id) };
}
