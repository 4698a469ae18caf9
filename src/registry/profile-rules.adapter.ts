// The registry's view of the jurisdiction profiles, over the catalogue loaded from profiles/.
import { Errors } from '../errors.js';
import { isProhibited, mandatoryCategories } from '../domain/place-category.js';
import { loadProfiles, type ProfileCatalogue } from '../domain/profile-loader.js';
import type { ProfileCatalogueView, ProfileRules } from './profile-rules.js';

export function profileRules(catalogue: ProfileCatalogue, defaultProfileId: string): ProfileRules {
  if (!catalogue.get(defaultProfileId)) {
    const known = catalogue.list().map((p) => p.id).join(', ');
    throw Errors.config(`the default jurisdiction profile "${defaultProfileId}" does not exist; known profiles: ${known}`, [
      { path: 'profile', message: 'unknown profile' },
    ]);
  }
  return {
    defaultProfileId,
    hasProfile: (id) => catalogue.get(id) !== undefined,
    hasCategory: (id) => catalogue.categories.has(id),
    prohibitedBy(profileId, categoryId) {
      const check = isProhibited(catalogue.require(profileId), categoryId);
      return check.prohibited ? check.articles : null;
    },
    mandatoryCategories: (profileId) =>
      mandatoryCategories(catalogue.require(profileId)).map((r) => ({ id: r.category, articles: r.articles })),
  };
}

export function catalogueView(catalogue: ProfileCatalogue, defaultProfileId: string): ProfileCatalogueView {
  return {
    defaultProfileId,
    summaries: () => catalogue.list().map((p) => ({ id: p.id, name: p.name, inherits: p.inherits })),
    detail: (id) => catalogue.get(id) as unknown as Record<string, unknown> | undefined,
    categories: () => catalogue.categories.list().map((c) => ({ id: c.id, name: c.name, kind: c.kind })),
  };
}

/** Loads the profiles once (from `dir` or the shipped folder) and gives both views. */
export function loadProfileRules(dir: string | undefined, defaultProfileId: string) {
  const catalogue = loadProfiles(dir);
  return { catalogue, rules: profileRules(catalogue, defaultProfileId), view: catalogueView(catalogue, defaultProfileId) };
}
