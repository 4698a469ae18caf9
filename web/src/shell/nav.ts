// The side menu. Pages not built yet are listed disabled, so each later feature only fills in
// its `page`.
import { lazy, type ComponentType, type LazyExoticComponent } from 'react';

export interface NavItem {
  key: string;
  path: string;
  /** i18n key of the menu label. */
  label: string;
  page?: LazyExoticComponent<ComponentType>;
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
      { key: 'live', path: '/live', label: 'nav.live' },
      { key: 'playback', path: '/playback', label: 'nav.playback' },
    ],
  },
  {
    key: 'registry',
    label: 'nav.group.registry',
    items: [
      { key: 'cameras', path: '/cameras', label: 'nav.cameras', page: lazy(() => import('../pages/cameras/cameras-page')) },
      { key: 'organisations', path: '/organisations', label: 'nav.organisations', page: lazy(() => import('../pages/organisations/organisations-page')) },
      { key: 'coverage', path: '/coverage', label: 'nav.coverage', page: lazy(() => import('../pages/coverage/coverage-page')) },
      { key: 'profiles', path: '/profiles', label: 'nav.profiles', page: lazy(() => import('../pages/profiles/profiles-page')) },
    ],
  },
  {
    key: 'access',
    label: 'nav.group.access',
    items: [
      { key: 'access-requests', path: '/access-requests', label: 'nav.accessRequests' },
      { key: 'audit', path: '/audit', label: 'nav.audit' },
    ],
  },
  {
    key: 'operations',
    label: 'nav.group.operations',
    items: [{ key: 'health', path: '/health', label: 'nav.health' }],
  },
];

export const DEFAULT_PATH = '/cameras';

export function findNavItem(path: string): NavItem | undefined {
  for (const g of NAV) for (const i of g.items) if (path === i.path || path.startsWith(`${i.path}/`)) return i;
  return undefined;
}
