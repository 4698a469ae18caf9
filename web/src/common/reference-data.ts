// Lists several pages need: organisations (regions and units) and place categories.
import { useMemo } from 'react';
import { api } from '../api/client';
import type { Organisation, PlaceCategory } from '../api/types';
import { useAsync } from './use-async';

export interface OrgTreeNode {
  org: Organisation;
  children: OrgTreeNode[];
}

/** Builds the forest of organisations by parentId; orphans (parent not in the list) become roots. */
export function buildOrgTree(orgs: readonly Organisation[]): OrgTreeNode[] {
  const nodes = new Map(orgs.map((o) => [o.id, { org: o, children: [] as OrgTreeNode[] }]));
  const roots: OrgTreeNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.org.parentId != null ? nodes.get(n.org.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  const sort = (list: OrgTreeNode[]) => {
    list.sort((a, b) => (a.org.kind === b.org.kind ? a.org.name.localeCompare(b.org.name, 'zh') : a.org.kind === 'platform' ? -1 : 1));
    for (const n of list) sort(n.children);
  };
  sort(roots);
  return roots;
}

/** The reads of useOrganisations and usePlaceCategories, begun early by a page load (api/client.ts askEarly). */
export function referenceFirstReads(): void {
  void api.organisations.list();
  void api.profiles.placeCategories();
}

export function useOrganisations() {
  const state = useAsync(() => api.organisations.list().then((r) => r.items), []);
  const byId = useMemo(() => new Map((state.data ?? []).map((o) => [o.id, o])), [state.data]);
  const platforms = useMemo(() => (state.data ?? []).filter((o) => o.kind === 'platform'), [state.data]);
  const units = useMemo(() => (state.data ?? []).filter((o) => o.kind === 'unit'), [state.data]);
  return { ...state, all: state.data ?? [], byId, platforms, units };
}

// Place category names by id, loaded once, for wording refusals that name a category.
let categoryNames: Map<string, PlaceCategory['name']> | undefined;
let categoryLoad: Promise<void> | undefined;

export function loadPlaceCategoryNames(): Promise<void> {
  categoryLoad ??= api.profiles.placeCategories().then(
    (r) => {
      categoryNames = new Map(r.items.map((c) => [c.id, c.name]));
    },
    () => {
      categoryLoad = undefined;
    },
  );
  return categoryLoad;
}

export function placeCategoryName(id: string, en: boolean): string | undefined {
  const n = categoryNames?.get(id);
  return n ? (en ? n.en : n.zh) : undefined;
}

export function usePlaceCategories() {
  const state = useAsync(() => api.profiles.placeCategories().then((r) => r.items), []);
  const byId = useMemo(() => new Map<string, PlaceCategory>((state.data ?? []).map((c) => [c.id, c])), [state.data]);
  return { ...state, items: state.data ?? [], byId };
}

export interface SelectTreeNode {
  value: number;
  title: string;
  children: SelectTreeNode[];
}

/** The organisation forest as TreeSelect data, labelled by `title`. */
export function toSelectTree(orgs: readonly Organisation[], title: (o: Organisation) => string): SelectTreeNode[] {
  const toNode = (n: OrgTreeNode): SelectTreeNode => ({ value: n.org.id, title: title(n.org), children: n.children.map(toNode) });
  return buildOrgTree(orgs).map(toNode);
}
