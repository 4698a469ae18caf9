// One interface per table (Kysely style). Shapes are dialect-neutral: times are epoch
// milliseconds (bigint), booleans are 0/1 integers, lists are JSON text, so SQLite and
// PostgreSQL return the same values.
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { AccessRequestTables } from './access-request.repository.js';
import type { AccountTables } from './account.repository.js';
import type { AuditTables } from './audit.repository.js';
import type { EvidenceExportTables } from './evidence-export.repository.js';
import type { IntegrityLogTables } from './integrity-log.repository.js';
import type { LegalHoldTables } from './legal-hold.repository.js';
import type { RetentionGarbageTables } from './retention-garbage.repository.js';
import type { RetentionMarkTables } from './retention-mark.repository.js';
import type { StorageAlarmTables } from './storage-alarm.repository.js';
import type { FootageObjectTables } from './footage-object.repository.js';
import type { FencedFootageTables } from './fenced-footage.repository.js';
import type { GbTables } from './gb-device.repository.js';
import type { ForceMajeureTables } from './force-majeure.repository.js';
import type { ShareTables } from './share.repository.js';
import type { ReleaseTables } from './release.repository.js';
import type { BookmarkTables } from './bookmark.repository.js';
import type { GbBackfillTables } from './gb-backfill.repository.js';
import type { WallViewTables } from './wall-view.repository.js';
import type { HealthTables } from './health.repository.js';
import type { RecordingTables } from './recording.repository.js';
import type { LeaseTables } from './lease.repository.js';
import type { EmergencyConnectionTables } from './emergency-connection.repository.js';
import type { ClusterTables } from './cluster.repository.js';
import type { SupervisionTables } from './supervision.repository.js';

export type OrganisationKind = 'platform' | 'unit';
export type PlatformLevel = 'province' | 'city' | 'district' | 'station';
export type UnitRole = 'builder' | 'user' | 'managing' | 'maintainer';

export interface OrganisationTable {
  id: Generated<number>;
  kind: OrganisationKind;
  name: string;
  name_en: string | null;
  /** Platforms: province / city / district / station. Units: null. */
  level: PlatformLevel | null;
  /** Units: JSON array of UnitRole. Platforms: '[]'. */
  unit_roles: string;
  parent_id: number | null;
  /** Materialised path of ids, '/1/4/9/', so a subtree is one indexed prefix match. */
  path: string;
  /** GB/T 2260 administrative division code of the region (platforms) or of the unit's region. */
  region_code: string | null;
  /** A jurisdiction profile that overrides the inherited one for this subtree. */
  profile_id: string | null;
  /** National ID of a platform (type 200), when it has one. */
  gb_id: string | null;
  contact: string | null;
  created_at: number;
  updated_at: number;
}

export type CameraStatus = 'planned' | 'in_service' | 'fault' | 'suspended' | 'removed';
export type DeviceType = 'fixed' | 'dome' | 'ptz' | 'multi_sensor' | 'other';
export type Funding = 'government' | 'self';

export interface CameraTable {
  id: Generated<number>;
  gb_id: string;
  name: string;
  device_type: DeviceType;
  longitude: number | null;
  latitude: number | null;
  address: string;
  /** Viewing direction in degrees clockwise from north, 0–359. */
  direction_deg: number | null;
  /** Horizontal field of view in degrees. */
  fov_deg: number | null;
  place_category: string;
  key_position: number;
  /** The platform (region) the camera point belongs to. */
  region_id: number;
  owner_unit_id: number | null;
  user_unit_id: number | null;
  managing_unit_id: number | null;
  maintainer_unit_id: number | null;
  funding: Funding;
  signage: number;
  in_service_date: string | null;
  status: CameraStatus;
  /** Where the recorder pulls video from (rtsp://, file://, gb28181://). Confidential. */
  source_url: string | null;
  /** Lower-cased name, address and national ID, for free-text search. */
  search_text: string;
  created_at: number;
  updated_at: number;
}

export type CameraGroupKind = 'business_group' | 'virtual_organisation';

export interface CameraGroupTable {
  id: Generated<number>;
  gb_id: string;
  kind: CameraGroupKind;
  name: string;
  parent_id: number | null;
  created_at: number;
}

export interface CameraGroupMemberTable {
  group_id: number;
  camera_id: number;
}

export interface Database extends AuditTables, RecordingTables, AccountTables, AccessRequestTables, IntegrityLogTables, LegalHoldTables, RetentionMarkTables, RetentionGarbageTables, StorageAlarmTables, EvidenceExportTables, HealthTables, SupervisionTables, GbTables, ForceMajeureTables, ShareTables, FootageObjectTables, FencedFootageTables, ReleaseTables, LeaseTables, BookmarkTables, WallViewTables, ClusterTables, EmergencyConnectionTables, GbBackfillTables {
  organisations: OrganisationTable;
  cameras: CameraTable;
  camera_search_grams: CameraSearchGramTable;
  camera_search_gram_counts: CameraSearchGramCountTable;
  camera_groups: CameraGroupTable;
  camera_group_members: CameraGroupMemberTable;
}

export type OrganisationRow = Selectable<OrganisationTable>;
export type NewOrganisationRow = Insertable<OrganisationTable>;
export type CameraRow = Selectable<CameraTable>;

/** Bigrams of adjacent Han characters in a camera's search text (owned by the camera repository). */
export interface CameraSearchGramTable {
  gram: string;
  camera_id: number;
  /** The camera's region (migration 0031): a word within a region subtree is read from the index alone. */
  region_id: number | null;
}
/** How many cameras of a region have a bigram (migration 0046): a word's total without reading its rows. */
export interface CameraSearchGramCountTable {
  gram: string;
  region_id: number;
  n: number;
}
export type NewCameraRow = Insertable<CameraTable>;
export type CameraUpdateRow = Updateable<CameraTable>;
export type CameraGroupRow = Selectable<CameraGroupTable>;
