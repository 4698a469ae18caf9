// Kinds of place a camera covers. The regulations list where installation is mandatory (AH-7,
// HB-7, HRB-8, WH-7) and where it is prohibited for privacy (CN799-8, AH-8, HB-8, HRB-9, WH-9);
// the catalogue is data (profiles/place-categories.json) and each profile cites its articles.
import { z } from 'zod';
import type { Bilingual, CategoryRule, JurisdictionProfile } from './jurisdiction-profile.js';

export type PlaceCategoryKind = 'mandatory' | 'prohibited';

export interface PlaceCategory {
  id: string;
  kind: PlaceCategoryKind;
  name: Bilingual;
}

export interface PlaceCategoryCatalogue {
  get(id: string): PlaceCategory | undefined;
  has(id: string): boolean;
  list(): PlaceCategory[];
}

const text = z.string().min(1, 'expected a non-empty string').max(500, 'expected at most 500 characters');

export const placeCategoryFileSchema = z.strictObject({
  categories: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'expected a lower-case id like "hotel-guest-rooms"'),
        kind: z.enum(['mandatory', 'prohibited']),
        name: z.strictObject({ zh: text, en: text }),
      }),
    )
    .max(2000),
});

export function placeCategoryCatalogue(categories: readonly PlaceCategory[]): PlaceCategoryCatalogue {
  const byId = new Map(categories.map((c) => [c.id, c]));
  const list = [...categories];
  return {
    get: (id) => byId.get(id),
    has: (id) => byId.has(id),
    list: () => [...list],
  };
}

export type ProhibitedCheck = { prohibited: true; articles: string[] } | { prohibited: false };

/**
 * Whether the profile forbids cameras in this kind of place, citing every article that does
 * (the local one first, then the national one it inherits), e.g. ['AH-8(1)', 'CN799-8(1)']. Every
 * privacy category of the catalogue is prohibited under every profile (profile-loader.ts).
 */
export function isProhibited(profile: JurisdictionProfile, categoryId: string): ProhibitedCheck {
  const rule = profile.prohibitedCategories.find((r) => r.category === categoryId);
  return rule ? { prohibited: true, articles: [...rule.articles] } : { prohibited: false };
}

/** Kinds of place where the profile requires a camera, each with its articles. */
export function mandatoryCategories(profile: JurisdictionProfile): CategoryRule[] {
  return profile.mandatoryCategories.map((r) => ({ category: r.category, articles: [...r.articles] }));
}

export interface CoverageGap<R> {
  region: R;
  /** Mandatory kinds of place with no camera in the region. */
  missing: CategoryRule[];
}

type CategorySet = ReadonlySet<string> | readonly string[];

function toSet(s: CategorySet | undefined): ReadonlySet<string> {
  if (!s) return new Set();
  return s instanceof Set ? s : new Set(s as readonly string[]);
}

/**
 * For each region (in the given order), the profile's mandatory categories that no camera
 * covers. `placesByRegion`, when given, limits each region to the kinds of place that exist
 * there: a district without an airport has no airport gap.
 */
export function coverageGaps<R>(
  regions: readonly R[],
  cameraCategoriesByRegion: ReadonlyMap<R, CategorySet>,
  profile: JurisdictionProfile,
  placesByRegion?: ReadonlyMap<R, CategorySet>,
): CoverageGap<R>[] {
  const required = mandatoryCategories(profile);
  return regions.map((region) => {
    const covered = toSet(cameraCategoriesByRegion.get(region));
    const present = placesByRegion ? toSet(placesByRegion.get(region)) : null;
    const missing = required.filter((r) => !covered.has(r.category) && (!present || present.has(r.category)));
    return { region, missing };
  });
}
