// The registry's view of the jurisdiction profiles, over the catalogue loaded from profiles/.
import { Errors } from '../errors.js';
import { isProhibited, mandatoryCategories } from '../domain/place-category.js';
import { loadProfiles, type ProfileCatalogue } from '../domain/profile-loader.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { legalStanding } from '../domain/legal-status.js';
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
    categoryName: (id) => catalogue.categories.get(id)?.name,
    prohibitedBy(profileId, categoryId) {
      const check = isProhibited(catalogue.require(profileId), categoryId);
      return check.prohibited ? check.articles : null;
    },
    mandatoryCategories: (profileId) =>
      mandatoryCategories(catalogue.require(profileId)).map((r) => ({ id: r.category, articles: r.articles })),
  };
}

export function catalogueView(catalogue: ProfileCatalogue, defaultProfileId: string, clock: Clock = systemClock): ProfileCatalogueView {
  return {
    defaultProfileId,
    summaries: () => catalogue.list().map((p) => ({ id: p.id, name: p.name, inherits: p.inherits, role: p.role, standing: legalStanding(p, clock.now()) })),
    standing: (id) => {
      const p = catalogue.get(id);
      return p ? legalStanding(p, clock.now()) : undefined;
    },
    detail: (id) => {
      const p = catalogue.get(id);
      return p ? ({ ...p, standing: legalStanding(p, clock.now()) } as unknown as Record<string, unknown>) : undefined;
    },
    categories: () => catalogue.categories.list().map((c) => ({ id: c.id, name: c.name, kind: c.kind })),
  };
}

/** Loads the profiles once (from `dir` or the shipped folder) and gives both views. */
export function loadProfileRules(dir: string | undefined, defaultProfileId: string, clock: Clock = systemClock) {
  const catalogue = loadProfiles(dir);
  return { catalogue, rules: profileRules(catalogue, defaultProfileId), view: catalogueView(catalogue, defaultProfileId, clock) };
}
