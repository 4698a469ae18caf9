// One page of events across cameras, newest first (issue 20 item 10): the filter the alarms and the
// recording index's camera events are read with, and the camera scope both apply as a subquery
// (a district of thousands of cameras is never sent as a list of ids).
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export interface EventPageFilter {
  /** Events that start in [from, to). */
  from: number;
  to: number;
  /** Only these cameras; absent: any within `scopePaths`. */
  cameraIds?: number[];
  /** Cameras whose region or one of whose units lies under one of these paths; absent: anywhere. */
  scopePaths?: string[];
  kinds?: string[];
  /** Alarms only (a recording event's severity follows from its kind). */
  severities?: string[];
  /** Rows before this one in (time desc, id desc) order: time < at, or time = at and id < id. */
  before?: { at: number; id: number };
  limit: number;
  /**
   * Alarms only: also those with no camera, routed to an organisation within `scopePaths`
   * (anywhere when unscoped), and with `platformWide` those routed nowhere (storage). Ignored
   * when `cameraIds` names cameras.
   */
  withoutCamera?: { platformWide: boolean };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (m) => `\\${m}`);

/** Ids of the organisations within any of `scopes`, as a subquery. */
export function organisationsWithin(db: Kysely<Database>, scopes: string[]) {
  return db.selectFrom('organisations').select('id').where((o) => o.or(scopes.map((p) => o('path', 'like', `${escapeLike(p)}%`))));
}

/** Ids of the cameras within any of `scopes` (region or any of the four units), as a subquery. */
export function camerasWithin(db: Kysely<Database>, scopes: string[]) {
  const orgs = () => organisationsWithin(db, scopes);
  return db
    .selectFrom('cameras')
    .select('cameras.id')
    .where((c) => c.or([c('region_id', 'in', orgs()), c('owner_unit_id', 'in', orgs()), c('user_unit_id', 'in', orgs()), c('managing_unit_id', 'in', orgs()), c('maintainer_unit_id', 'in', orgs())]));
}

/** Whether the scope limits anything (the platform-wide path '' does not). */
export const scoped = (f: EventPageFilter): f is EventPageFilter & { scopePaths: string[] } => !!f.scopePaths && !f.scopePaths.includes('');
