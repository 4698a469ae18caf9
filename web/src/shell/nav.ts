// The side menu. Pages not built yet are listed disabled, so each later feature only fills in
// its `page`.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import { askEarly } from '../api/client';

/** A page's module: the page, and the reads its first paint makes, to begin them early (api/client.ts askEarly). */
type PageModule = { default: ComponentType; firstReads?: () => void };

/** A page's bundle, fetched when first shown or sooner by `preloadPage`. */
function screen(load: () => Promise<PageModule>): LazyExoticComponent<ComponentType> & { preload(): Promise<PageModule> } {
  return Object.assign(lazy(load), { preload: load });
}

export interface NavItem {
  key: string;
  path: string;
  /** i18n key of the menu label. */
  label: string;
  page?: LazyExoticComponent<ComponentType> & { preload?(): Promise<PageModule> };
  /** Shown only to someone holding one of these permissions (the server checks again). */
  needs?: string[];
}

export interface NavGroup {
  key: string;
  label: string;
  items: NavItem[];
}

export const NAV: NavGroup[] = [
  {
    key: 'video',
    label: 'nav.group.video',
    items: [
      { key: 'live', path: '/live', label: 'nav.live', needs: ['live:view'], page: screen(() => import('../pages/live/live-page')) },
      { key: 'playback', path: '/playback', label: 'nav.playback', needs: ['playback:view', 'footage:view'], page: screen(() => import('../pages/playback/playback-page')) },
    ],
  },
  {
    key: 'registry',
    label: 'nav.group.registry',
    items: [
      { key: 'cameras', path: '/cameras', label: 'nav.cameras', needs: ['basic-info:read', 'basic-info:write'], page: screen(() => import('../pages/cameras/cameras-page')) },
      // Camera positions are confidential basic information (CN-6, HRB-27): the map is for those
      // who read it and for those who watch the cameras (map:view), each showing registered.
      { key: 'map', path: '/map', label: 'nav.map', needs: ['basic-info:read', 'map:view'], page: screen(() => import('../pages/map/map-page')) },
      { key: 'organisations', path: '/organisations', label: 'nav.organisations', page: screen(() => import('../pages/organisations/organisations-page')) },
      { key: 'coverage', path: '/coverage', label: 'nav.coverage', needs: ['basic-info:read'], page: screen(() => import('../pages/coverage/coverage-page')) },
      { key: 'profiles', path: '/profiles', label: 'nav.profiles', page: screen(() => import('../pages/profiles/profiles-page')) },
    ],
  },
  {
    key: 'access',
    label: 'nav.group.access',
    items: [
      { key: 'access-requests', path: '/access-requests', label: 'nav.accessRequests', page: screen(() => import('../pages/access-requests/access-requests-page')) },
      { key: 'audit', path: '/audit', label: 'nav.audit', needs: ['audit:read'], page: screen(() => import('../pages/audit/audit-page')) },
      { key: 'holds', path: '/holds', label: 'nav.holds', needs: ['footage:retrieve', 'access-request:approve', 'audit:read'], page: screen(() => import('../pages/holds/holds-page')) },
      { key: 'shares', path: '/shares', label: 'nav.shares', needs: ['share:grant', 'audit:read'], page: screen(() => import('../pages/shares/shares-page')) },
      { key: 'emergency', path: '/emergency-connections', label: 'nav.emergency', needs: ['footage:view', 'access-request:approve'], page: screen(() => import('../pages/emergency/emergency-page')) },
      { key: 'releases', path: '/releases', label: 'nav.releases', needs: ['footage:copy', 'access-request:approve', 'audit:read'], page: screen(() => import('../pages/releases/releases-page')) },
      { key: 'exports', path: '/exports', label: 'nav.exports', needs: ['footage:copy', 'footage:retrieve', 'access-request:approve', 'audit:read'], page: screen(() => import('../pages/exports/exports-page')) },
    ],
  },
  {
    key: 'supervision',
    label: 'nav.group.supervision',
    items: [
      { key: 'systems', path: '/systems', label: 'nav.systems', needs: ['basic-info:read', 'config:write'], page: screen(() => import('../pages/systems/systems-page')) },
      { key: 'filings', path: '/filings', label: 'nav.filings', needs: ['basic-info:read'], page: screen(() => import('../pages/filings/filings-page')) },
      { key: 'inspections', path: '/inspections', label: 'nav.inspections', needs: ['basic-info:read'], page: screen(() => import('../pages/inspections/inspections-page')) },
      { key: 'compliance', path: '/compliance', label: 'nav.compliance', needs: ['basic-info:read'], page: screen(() => import('../pages/compliance/compliance-page')) },
      { key: 'complaints', path: '/complaints', label: 'nav.complaints', needs: ['audit:read'], page: screen(() => import('../pages/complaint/complaints-page')) },
    ],
  },
  {
    key: 'operations',
    label: 'nav.group.operations',
    items: [
      { key: 'health', path: '/health', label: 'nav.health', needs: ['basic-info:read', 'live:view'], page: screen(() => import('../pages/health/health-page')) },
      // Events of the cameras one watches or whose basic information one reads (the server's rule),
      // beside the health page whose alarms it lists: not in the video group, whose first page is
      // where one lands, so a registry keeper still starts on the cameras and an operator on the wall.
      { key: 'events', path: '/events', label: 'nav.events', needs: ['live:view', 'basic-info:read'], page: screen(() => import('../pages/events/events-page')) },
    ],
  },
  {
    key: 'admin',
    label: 'nav.group.admin',
    items: [{ key: 'users', path: '/users', label: 'nav.users', needs: ['users:manage'], page: screen(() => import('../pages/users/users-page')) }],
  },
];

/** One's own account (password, API tokens): open to everyone, reached from the user menu. */
export const ACCOUNT_NAV: NavGroup = {
  key: 'me',
  label: 'nav.account',
  items: [{ key: 'account', path: '/account', label: 'nav.account', page: screen(() => import('../pages/account/account-page')) }],
};

export const DEFAULT_PATH = '/cameras';

/** The menu as this person may use it: pages needing a permission they lack are left out. */
export function visibleNav(permissions: readonly string[]): NavGroup[] {
  return NAV.map((g) => ({ ...g, items: g.items.filter((i) => !i.needs || i.needs.some((p) => permissions.includes(p))) })).filter((g) => g.items.length > 0);
}

export function findNavItem(path: string, nav: NavGroup[] = NAV): NavItem | undefined {
  for (const g of nav) for (const i of g.items) if (path === i.path || path.startsWith(`${i.path}/`)) return i;
  return undefined;
}

/**
 * Starts fetching the bundle of the page at `path` (a reload or a link opened), beside sign-in's
 * checks, and once it is here the reads of the page's first paint, so their answers are on their
 * way while the shell and the page render.
 */
export function preloadPage(path: string): void {
  void findNavItem(path, [...NAV, ACCOUNT_NAV])?.page?.preload?.().then((m) => {
    if (m.firstReads) askEarly(m.firstReads);
  }, () => undefined);
}
