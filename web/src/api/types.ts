// The shapes the API sends and accepts (see /openapi.json). Kept by hand: the console talks to
// the API only over HTTP and shares no code with the server.

export const DEVICE_TYPES = ['fixed', 'dome', 'ptz', 'multi_sensor', 'other'] as const;
export const FUNDING = ['government', 'self'] as const;
export const CAMERA_STATUSES = ['planned', 'in_service', 'fault', 'suspended', 'removed'] as const;
export const PLATFORM_LEVELS = ['province', 'city', 'district', 'station'] as const;
export const UNIT_ROLES = ['builder', 'user', 'managing', 'maintainer'] as const;

export type DeviceType = (typeof DEVICE_TYPES)[number];
export type Funding = (typeof FUNDING)[number];
export type CameraStatus = (typeof CAMERA_STATUSES)[number];
export type PlatformLevel = (typeof PLATFORM_LEVELS)[number];
export type UnitRole = (typeof UNIT_ROLES)[number];

export interface LocalName {
  zh: string;
  en: string;
}

export interface CameraInput {
  gbId: string;
  name: string;
  deviceType: DeviceType;
  longitude: number | null;
  latitude: number | null;
  address: string;
  directionDeg: number | null;
  fovDeg: number | null;
  placeCategory: string;
  keyPosition: boolean;
  regionId: number;
  ownerUnitId: number | null;
  userUnitId: number | null;
  managingUnitId: number | null;
  maintainerUnitId: number | null;
  funding: Funding;
  signage: boolean;
  inServiceDate: string | null;
  status: CameraStatus;
  sourceUrl: string | null;
}

/** Why a saved camera point will not be recorded as it stands. */
export interface RecordingWarning {
  code: 'NOT_RECORDED_STATUS' | 'NOT_RECORDED_NO_SOURCE';
  params: Record<string, string>;
  message: string;
}

export interface Camera extends CameraInput {
  id: number;
  createdAt: number;
  updatedAt: number;
  /** Only in the answer to a registration or a change. */
  warnings?: RecordingWarning[];
}

export interface CameraQuery {
  regionId?: number;
  unitId?: number;
  placeCategory?: string;
  status?: CameraStatus;
  keyPosition?: boolean;
  q?: string;
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface Organisation {
  id: number;
  kind: 'platform' | 'unit';
  name: string;
  nameEn: string | null;
  level: PlatformLevel | null;
  unitRoles: UnitRole[];
  parentId: number | null;
  path: string;
  regionCode: string | null;
  profileId: string | null;
  gbId: string | null;
  contact: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface OrganisationInput {
  kind: 'platform' | 'unit';
  name: string;
  nameEn?: string | null;
  level?: PlatformLevel | null;
  unitRoles?: UnitRole[];
  parentId?: number | null;
  regionCode?: string | null;
  profileId?: string | null;
  gbId?: string | null;
  contact?: string | null;
}

export interface PlaceCategory {
  id: string;
  name: LocalName;
  kind: string;
}

/** Whether a profile's text is law today; a draft or expired text carries the warning pages show. */
export interface LegalStanding {
  profileId: string;
  status: 'in-force' | 'draft' | 'expired' | 'not-yet-in-force';
  effectiveFrom: string | null;
  effectiveTo: string | null;
  warning: LocalName | null;
}

export interface ProfileSummary {
  id: string;
  name: LocalName;
  inherits: string | null;
  role: string;
  standing: LegalStanding;
}

export interface RegionCoverage {
  regionId: number;
  name: string;
  level: string | null;
  path: string;
  profileId: string;
  cameras: number;
  missing: { category: string; articles: string[] }[];
  covered: string[];
}

export interface ProhibitedViolation {
  regionId: number;
  placeCategory: string;
  cameras: number;
  articles: string[];
  profileId: string;
}

export interface CoverageReport {
  regions: RegionCoverage[];
  violations: ProhibitedViolation[];
}
