// The channels a lower platform presents upward, as both a Catalog answer and a catalog NOTIFY
// carry them: each shared camera with the one CivilCode rule (the administrative code of the
// camera's region in the registry, else the first 6 digits of its national ID, which the ID is
// coded by) and whether it is in service. One place decides, so an upper hears the same region
// for a channel whichever way the channel reached it.
import type { Camera } from '../db/camera.repository.js';
import type { Organisation } from '../db/organisation.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { CatalogChannel } from './catalog-answer.js';

/** A channel's CivilCode: its region's code, else its ID's first 6 digits. Pure. */
export function civilCodeOf(camera: Pick<Camera, 'gbId'>, region: Pick<Organisation, 'regionCode'> | undefined): string {
  return region?.regionCode ?? camera.gbId.slice(0, 6);
}

/** The cameras `ids` as catalog channels, in the order the repository gives them. */
export async function catalogChannels(repos: Pick<Repositories, 'cameras' | 'organisations'>, ids: number[]): Promise<CatalogChannel[]> {
  if (!ids.length) return [];
  const cameras = await repos.cameras.getMany(ids);
  const regions = new Map((await repos.organisations.getMany([...new Set(cameras.map((c) => c.regionId))])).map((o) => [o.id, o]));
  return cameras.map((camera) => ({ camera, civilCode: civilCodeOf(camera, regions.get(camera.regionId)), online: camera.status === 'in_service' }));
}
