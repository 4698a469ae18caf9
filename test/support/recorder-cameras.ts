// Cameras for recorder tests and the recording benchmark: one region, N cameras in service with
// the given source URLs, inserted through the real repositories.
import type { CameraFields } from '../../src/db/camera.repository.js';
import type { Repositories } from '../../src/db/repositories.js';

export async function seedRecordableCameras(repos: Repositories, sourceUrls: (string | null)[], now = Date.now()): Promise<number[]> {
  const region = await repos.organisations.create({ kind: 'platform', name: 'Test city', level: 'city', regionCode: '340100' }, now);
  const ids: number[] = [];
  for (const [i, sourceUrl] of sourceUrls.entries()) {
    const fields: CameraFields = {
      gbId: `3401040000132${String(i + 1).padStart(7, '0')}`,
      name: `Camera ${i + 1}`,
      deviceType: 'fixed',
      longitude: null,
      latitude: null,
      address: `${i + 1} Test Road`,
      directionDeg: null,
      fovDeg: null,
      placeCategory: 'road',
      keyPosition: false,
      regionId: region.id,
      ownerUnitId: null,
      userUnitId: null,
      managingUnitId: null,
      maintainerUnitId: null,
      funding: 'government',
      signage: true,
      inServiceDate: null,
      status: 'in_service',
      sourceUrl,
    };
    ids.push((await repos.cameras.insert(fields, now)).id);
  }
  return ids;
}
