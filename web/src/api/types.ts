// The shapes the API sends and accepts, named from the types generated out of the server's OpenAPI
// document (./generated/openapi.d.ts). The option lists are the console's own (their order is the
// order a form shows); `every` makes the build fail when the server adds or drops a member.
import { every, type BodyOf, type QueryOf, type ResponseOf } from './schema.js';

export type Camera = ResponseOf<'/api/v1/cameras/{id}', 'get'> & {
  /** Only in the answer to a registration or a change. */
  warnings?: RecordingWarning[];
};
export type CameraInput = BodyOf<'/api/v1/cameras', 'post'>;
/** Which recorder node records each camera (PostgreSQL clusters). */
export type RecordingNodes = ResponseOf<'/api/v1/cluster/recording-nodes', 'get'>;
/** Why a saved camera point will not be recorded as it stands. */
export type RecordingWarning = ResponseOf<'/api/v1/cameras', 'post', 201>['warnings'][number];

export type DeviceType = Camera['deviceType'];
export type Funding = Camera['funding'];
export type CameraStatus = Camera['status'];

export const DEVICE_TYPES = every<DeviceType>()(['fixed', 'dome', 'ptz', 'multi_sensor', 'other']);
export const FUNDING = every<Funding>()(['government', 'self']);
export const CAMERA_STATUSES = every<CameraStatus>()(['planned', 'in_service', 'fault', 'suspended', 'removed']);

/** The camera search as the console builds it (a boolean where the query string carries 'true' or 'false'). */
export type CameraQuery = Omit<QueryOf<'/api/v1/cameras', 'get'>, 'keyPosition'> & { keyPosition?: boolean };

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export type Organisation = ResponseOf<'/api/v1/organisations/{id}', 'get'>;
export type OrganisationInput = BodyOf<'/api/v1/organisations', 'post'>;
export type PlatformLevel = NonNullable<Organisation['level']>;
export type UnitRole = Organisation['unitRoles'][number];

export const PLATFORM_LEVELS = every<PlatformLevel>()(['province', 'city', 'district', 'station']);
export const UNIT_ROLES = every<UnitRole>()(['builder', 'user', 'managing', 'maintainer']);

export type PlaceCategory = ResponseOf<'/api/v1/place-categories', 'get'>['items'][number];
export type LocalName = PlaceCategory['name'];

export type ProfileSummary = ResponseOf<'/api/v1/profiles', 'get'>['items'][number];
/** Whether a profile's text is law today; a draft or expired text carries the warning pages show. */
export type LegalStanding = ProfileSummary['standing'];

export type CoverageReport = ResponseOf<'/api/v1/reports/coverage', 'get'>;
export type RegionCoverage = CoverageReport['regions'][number];
export type ProhibitedViolation = CoverageReport['violations'][number];
