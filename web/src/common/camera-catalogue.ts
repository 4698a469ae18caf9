// Every camera this person may see (the server leaves out the rest), with the organisations and
// GB/T 28181 groups to arrange them by region, by unit or by group.
import { useMemo } from 'react';
import { holds, useMe } from '../session/session';
import { api, request } from '../api/client';
import type { Camera, Organisation } from '../api/types';
import { useAsync } from './use-async';

const PAGE = 500;
const MAX_PAGES = 20;

export interface CameraGroup {
  id: number;
  gbId: string;
  kind: 'business_group' | 'virtual_organisation';
  name: string;
  parentId: number | null;
  cameraIds: number[];
}

export interface CameraCatalogue {
  cameras: Camera[];
  byId: Map<number, Camera>;
  organisations: Organisation[];
  /** Empty for people who may not read the groups (they need basic-info:read). */
  groups: CameraGroup[];
}

async function loadCameras(signal: AbortSignal, positions: boolean): Promise<Camera[]> {
  const out: Camera[] = [];
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await api.cameras.list({ limit: PAGE, offset: page * PAGE, ...(positions ? { positions: 'true' as const } : {}) }, signal);
    out.push(...r.items);
    if (out.length >= r.total || r.items.length === 0) break;
  }
  return out;
}

async function loadGroups(): Promise<CameraGroup[]> {
  try {
    const { items } = await request<{ items: Omit<CameraGroup, 'cameraIds'>[] }>('GET', '/camera-groups');
    return await Promise.all(items.map((g) => request<CameraGroup>('GET', `/camera-groups/${g.id}`)));
  } catch {
    return [];
  }
}

export async function loadCatalogue(signal: AbortSignal, withGroups: boolean, positions = false): Promise<CameraCatalogue> {
  const [cameras, organisations, groups] = await Promise.all([loadCameras(signal, positions), api.organisations.list().then((r) => r.items), withGroups ? loadGroups() : []]);
  return { cameras, byId: new Map(cameras.map((c) => [c.id, c])), organisations, groups };
}

/** The catalogue's first reads for one who may not read groups (a watcher): begun early by a page load (api/client.ts askEarly). */
export function catalogueFirstReads(): void {
  void api.cameras.list({ limit: PAGE, offset: 0 });
  void api.organisations.list();
}

/** Permissions that let a person list cameras at all (src/access/camera-view.ts). */
export const CAMERA_LISTING_PERMISSIONS = ['basic-info:read', 'basic-info:write', 'live:view', 'playback:view', 'footage:view'] as const;

/**
 * The cameras this person may see; `enabled` false asks nothing (someone who may list none would
 * be refused). `positions`: for the map, where a watcher with map:view gets the positions of the
 * cameras they watch (the server registers that reading; other pages do not ask for it).
 */
export function useCameraCatalogue(enabled = true, positions = false) {
  // Groups are basic information: without the right to read it, they are not asked for.
  const withGroups = holds(useMe(), 'basic-info:read');
  const empty = useMemo<CameraCatalogue>(() => ({ cameras: [], byId: new Map(), organisations: [], groups: [] }), []);
  const state = useAsync((signal) => (enabled ? loadCatalogue(signal, withGroups, positions) : Promise.resolve(empty)), [withGroups, enabled, positions]);
  return { ...state, catalogue: state.data ?? empty };
}
