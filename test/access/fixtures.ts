// A small world for access tests: two cities (A: Anhui rules, B: Harbin rules), each with a
// district, a unit and a camera; and helpers that create requests through the services.
import type { TestApp } from '../support/app.js';

export interface World {
  cityA: number;
  districtA: number;
  unitA: number;
  camA: number;
  cityB: number;
  districtB: number;
  unitB: number;
  camB: number;
  category: string;
}

export async function world(t: TestApp): Promise<World> {
  const orgs = t.registry.organisations;
  const category = t.rules.mandatoryCategories('anhui')[0]!.id;
  const cityA = (await orgs.create({ kind: 'platform', name: '合肥市', level: 'city', regionCode: '340100', profileId: 'anhui' })).id;
  const districtA = (await orgs.create({ kind: 'platform', name: '蜀山区', level: 'district', parentId: cityA })).id;
  const unitA = (await orgs.create({ kind: 'unit', name: '第一中学', unitRoles: ['builder', 'user'], parentId: districtA })).id;
  const cityB = (await orgs.create({ kind: 'platform', name: '哈尔滨市', level: 'city', regionCode: '230100', profileId: 'harbin' })).id;
  const districtB = (await orgs.create({ kind: 'platform', name: '道里区', level: 'district', parentId: cityB })).id;
  const unitB = (await orgs.create({ kind: 'unit', name: '第二医院', unitRoles: ['builder', 'user'], parentId: districtB })).id;
  const camera = (gbId: string, regionId: number, unitId: number) =>
    t.registry.cameras.register({
      gbId,
      name: `cam ${gbId.slice(-2)}`,
      deviceType: 'fixed',
      longitude: 117.28,
      latitude: 31.86,
      address: '1 长江路',
      directionDeg: 180,
      fovDeg: 75,
      placeCategory: category,
      keyPosition: false,
      regionId,
      ownerUnitId: unitId,
      userUnitId: unitId,
      managingUnitId: null,
      maintainerUnitId: null,
      funding: 'self',
      signage: true,
      inServiceDate: '2025-06-01',
      status: 'in_service',
      sourceUrl: 'rtsp://10.0.0.1/secret',
    } as never);
  const camA = (await camera('34010400001320000001', districtA, unitA)).id;
  const camB = (await camera('23010200001320000001', districtB, unitB)).id;
  return { cityA, districtA, unitA, camA, cityB, districtB, unitB, camB, category };
}

/** A minimal real PDF header: enough for the magic-byte check. */
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
