// Coverage per region: which mandatory place categories (AH-7, HB-7, HRB-8, WH-7) have no camera,
// and which registered points sit in a prohibited privacy category (R1.4) under the rules now
// in force (a profile can change after a point was registered).
import type { Organisation } from '../db/organisation.repository.js';
import type { Repositories } from '../db/repositories.js';
import type { ProfileRules } from './profile-rules.js';

export interface RegionCoverage {
  regionId: number;
  name: string;
  level: string | null;
  path: string;
  profileId: string;
  cameras: number;
  missing: { category: string; articles: string[] }[];
  covered: string[];
}

export interface ProhibitedViolation {
  regionId: number;
  placeCategory: string;
  cameras: number;
  articles: string[];
  profileId: string;
}

/** Pure: coverage of each region from the (region, category) counts of its subtree. */
export function computeCoverage(
  regions: Organisation[],
  counts: { regionId: number; placeCategory: string; cameras: number }[],
  profileOf: (regionId: number) => string,
  rules: Pick<ProfileRules, 'mandatoryCategories'>,
): RegionCoverage[] {
  const byRegion = new Map<number, Map<string, number>>();
  const platformIds = new Set(regions.map((r) => r.id));
  const pathOf = new Map(regions.map((r) => [r.id, r.path]));
  for (const c of counts) {
    const path = pathOf.get(c.regionId);
    if (!path) continue;
    // A camera counts for its region and every region above it.
    for (const ancestor of path.split('/').filter(Boolean).map(Number)) {
      if (!platformIds.has(ancestor)) continue;
      const m = byRegion.get(ancestor) ?? new Map<string, number>();
      m.set(c.placeCategory, (m.get(c.placeCategory) ?? 0) + c.cameras);
      byRegion.set(ancestor, m);
    }
  }
  return regions.map((r) => {
    const profileId = profileOf(r.id);
    const have = byRegion.get(r.id) ?? new Map<string, number>();
    const mandatory = rules.mandatoryCategories(profileId);
    return {
      regionId: r.id,
      name: r.name,
      level: r.level,
      path: r.path,
      profileId,
      cameras: [...have.values()].reduce((a, b) => a + b, 0),
      missing: mandatory.filter((m) => !have.has(m.id)).map((m) => ({ category: m.id, articles: m.articles })),
      covered: mandatory.filter((m) => have.has(m.id)).map((m) => m.id),
    };
  });
}

export class CoverageService {
  constructor(
    private readonly repos: Repositories,
    private readonly rules: ProfileRules,
  ) {}

  async report(): Promise<{ regions: RegionCoverage[]; violations: ProhibitedViolation[] }> {
    const regions = await this.repos.organisations.list({ kind: 'platform' });
    const counts = await this.repos.cameras.categoriesByRegion();
    const profileOf = profileResolver(regions, this.rules.defaultProfileId);
    const violations: ProhibitedViolation[] = [];
    for (const c of counts) {
      const profileId = profileOf(c.regionId);
      const articles = this.rules.prohibitedBy(profileId, c.placeCategory);
      if (articles) violations.push({ regionId: c.regionId, placeCategory: c.placeCategory, cameras: c.cameras, articles, profileId });
    }
    return { regions: computeCoverage(regions, counts, profileOf, this.rules), violations };
  }
}

/** Effective profile per platform from the tree, memoised. */
export function profileResolver(platforms: Organisation[], fallback: string): (regionId: number) => string {
  const byId = new Map(platforms.map((o) => [o.id, o]));
  const memo = new Map<number, string>();
  const resolve = (id: number): string => {
    const hit = memo.get(id);
    if (hit) return hit;
    const org = byId.get(id);
    const value = org?.profileId ?? (org?.parentId != null ? resolve(org.parentId) : fallback);
    memo.set(id, value);
    return value;
  };
  return resolve;
}
