// `vigil serve --demo` (what `npm start` runs): when the registry is empty, a small city with
// units and camera points whose sources are the built-in simulator's cameras, so a newcomer
// sees cameras recording at once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeNationalId } from '../domain/national-id.js';
import type { Context } from './context.js';

const PLACES = [
  { name: '第一中学 东门', en: 'No. 1 Middle School, east gate', category: 'schools', unit: 'school' },
  { name: '第一中学 操场', en: 'No. 1 Middle School, sports ground', category: 'schools', unit: 'school' },
  { name: '万达广场 中庭', en: 'Wanda Plaza, atrium', category: 'shopping-centres', unit: 'mall' },
  { name: '火车站 进站口', en: 'Railway station, entrance', category: 'stations', unit: 'station' },
  { name: '人民广场 北侧', en: "People's Square, north side", category: 'city-squares', unit: 'city' },
  { name: '市第一医院 门诊大厅', en: 'First Hospital, outpatient hall', category: 'medical-institutions', unit: 'city' },
  { name: '长江路 与 黄山路 路口', en: 'Changjiang Rd / Huangshan Rd crossing', category: 'road-intersections', unit: 'city' },
  { name: '地铁1号线 大东门站', en: 'Metro line 1, Dadongmen station', category: 'metro-stations', unit: 'station' },
];

/** The demo duty operator's password, written once like the first administrator's. */
export const DEMO_OPERATOR_FILE = 'demo-operator-password';

export function demoSourceUrl(host: string, port: number, index: number): string {
  return `rtsp://${host}:${port}/cam${index + 1}`;
}

/** The name of demo camera `index` (0-based), as the registry holds it. */
export function demoCameraName(index: number): string {
  const place = PLACES[index % PLACES.length]!;
  return index < PLACES.length ? place.name : `${place.name} ${Math.floor(index / PLACES.length) + 1}`;
}

/**
 * What the simulator burns into each demo camera's picture: its name and its number on the
 * simulator, so a wall of demo cameras tells them apart. Not its national ID: that is
 * confidential basic information (CN-6, HRB-27), and a duty operator who watches may not read it.
 */
export function demoCameraLabels(cameras: number): string[] {
  // Each labelled camera costs an encoder of its own: the first eight are labelled, the rest share one picture.
  return Array.from({ length: Math.min(cameras, 8) }, (_, i) => `${demoCameraName(i)} · ${i + 1}号`);
}

/** Seeds the demo registry if it is empty; returns the number of demo cameras. */
export async function seedDemo(ctx: Context, cameras: number, simHost: string, simPort: number): Promise<number> {
  const { registry } = ctx;
  if ((await registry.organisations.list()).length > 0) return 0;
  const city = await registry.organisations.create({ kind: 'platform', name: '示范市', nameEn: 'Demo City', level: 'city', regionCode: '340100' });
  const district = await registry.organisations.create({ kind: 'platform', name: '示范区', nameEn: 'Demo District', level: 'district', parentId: city.id });
  const station = await registry.organisations.create({ kind: 'platform', name: '长江路派出所', nameEn: 'Changjiang Road Police Station', level: 'station', parentId: district.id });
  const units = {
    school: await registry.organisations.create({ kind: 'unit', name: '第一中学', nameEn: 'No. 1 Middle School', unitRoles: ['builder', 'user'], parentId: station.id }),
    mall: await registry.organisations.create({ kind: 'unit', name: '万达广场', nameEn: 'Wanda Plaza', unitRoles: ['builder', 'user', 'managing'], parentId: station.id }),
    station: await registry.organisations.create({ kind: 'unit', name: '铁路公安处', nameEn: 'Railway Police Office', unitRoles: ['user', 'managing'], parentId: district.id }),
    city: await registry.organisations.create({ kind: 'unit', name: '市公安局视频中心', nameEn: 'City Police Video Centre', unitRoles: ['builder', 'user', 'managing'], parentId: city.id }),
  };
  const maintainer = await registry.organisations.create({ kind: 'unit', name: '安防运维有限公司', nameEn: 'Security Maintenance Co.', unitRoles: ['maintainer'], parentId: city.id });
  for (let i = 0; i < cameras; i++) {
    const place = PLACES[i % PLACES.length]!;
    const unit = units[place.unit as keyof typeof units];
    await registry.cameras.register({
      gbId: makeNationalId({ centre: '34010000', industry: '00', type: '132', network: '0', serial: i + 1 }),
      name: demoCameraName(i),
      deviceType: i % 3 === 0 ? 'dome' : 'fixed',
      longitude: 117.27 + (i % 10) * 0.004,
      latitude: 31.86 + Math.floor(i / 10) * 0.003,
      address: place.en,
      directionDeg: (i * 45) % 360,
      fovDeg: 90,
      placeCategory: place.category,
      keyPosition: i % 2 === 0,
      regionId: place.unit === 'city' ? city.id : station.id,
      ownerUnitId: unit.id,
      userUnitId: unit.id,
      managingUnitId: unit.id,
      maintainerUnitId: maintainer.id,
      funding: place.unit === 'city' ? 'government' : 'self',
      signage: true,
      inServiceDate: '2025-06-01',
      status: 'in_service',
      sourceUrl: demoSourceUrl(simHost, simPort, i),
    });
  }
  // A duty operator who may watch the demo city: like every role that sees footage, it enrols an
  // authenticator app at its first sign-in (issue 14); its password is not forced to change.
  const { user, password } = await ctx.access.users.create(null, { login: 'operator', displayName: '值班员 Duty operator', workId: 'D0001', organisationId: city.id });
  await ctx.access.users.grant(null, user.id, 'duty_operator', city.id);
  const file = join(ctx.config.dataDir, DEMO_OPERATOR_FILE);
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  ctx.logger.info({ cameras }, 'demo registry seeded');
  return cameras;
}
