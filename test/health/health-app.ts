// A test app (real database, real access rules) with the health routes and services, one
// simulated camera in a Harbin district with a maintainer unit, and people with roles there.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../../src/api/app.js';
import { ROLE_PERMISSIONS } from '../../src/access/permissions.js';
import type { Camera } from '../../src/db/camera.repository.js';
import type { Health } from '../../src/health/index.js';
import { testApp, type TestApp } from '../support/app.js';
import { healthFor } from './support.js';

export interface HealthApp {
  t: TestApp;
  app: FastifyInstance;
  health: Health;
  metrics: Registry;
  regionId: number;
  unitId: number;
  /** The camera's managing unit (管理单位): where an overdue work order goes first. */
  managingUnitId: number;
  otherRegionId: number;
  camera: Camera;
  /** Requests as the platform administrator. */
  admin(o: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function healthApp(sourceUrl: string | null, settings: Parameters<typeof healthFor>[0]['settings'] = {}): Promise<HealthApp> {
  const t = await testApp('sqlite');
  const now = t.clock.now();
  const city = await t.repos.organisations.create({ kind: 'platform', name: 'Harbin', level: 'city', regionCode: '230100', profileId: 'harbin' }, now);
  const district = await t.repos.organisations.create({ kind: 'platform', name: 'Daoli', level: 'district', regionCode: '230102', parentId: city.id }, now);
  const other = await t.repos.organisations.create({ kind: 'platform', name: 'Hefei', level: 'city', regionCode: '340100', profileId: 'anhui' }, now);
  const unit = await t.repos.organisations.create({ kind: 'unit', name: 'Repair Co.', unitRoles: ['maintainer'], parentId: district.id }, now);
  const managing = await t.repos.organisations.create({ kind: 'unit', name: 'Roads Office', unitRoles: ['managing'], parentId: district.id }, now);
  const camera = await t.repos.cameras.insert({
    gbId: '23010200001320000001', name: 'Gate', deviceType: 'fixed', longitude: null, latitude: null, address: '1 Gate Rd', directionDeg: null, fovDeg: null,
    placeCategory: 'road', keyPosition: false, regionId: district.id, ownerUnitId: null, userUnitId: null, managingUnitId: managing.id, maintainerUnitId: unit.id,
    funding: 'government', signage: true, inServiceDate: null, status: 'in_service', sourceUrl,
  }, now - 86_400_000);
  const metrics = new Registry();
  const health = healthFor({
    repos: t.repos, dataDir: t.dataDir, clock: t.clock, metrics, settings, register: t.access.log,
    profileId: (regionId) => t.registry.organisations.effectiveProfileId(regionId),
  });
  const app = await buildApp({ db: t.db, registry: t.registry, profiles: t.view, access: t.access, version: 'test', logger: false, metrics, health: { health, dataDir: t.dataDir } });
  const { token } = await t.access.users.createToken(null, t.adminId, { name: 'health tests', permissions: [...ROLE_PERMISSIONS.system_administrator], organisationId: null, expiresInDays: 30 });
  return {
    t, app, health, metrics, regionId: district.id, unitId: unit.id, managingUnitId: managing.id, otherRegionId: other.id, camera,
    admin: (o) => app.inject({ ...o, headers: { authorization: `Bearer ${token}`, ...(o.headers ?? {}) } }),
    async close() {
      await health.close();
      await app.close();
      await t.close();
    },
  };
}

export const randomPassword = () => randomBytes(9).toString('hex');
