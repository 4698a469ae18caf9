import type { LegalStanding } from '../domain/legal-status.js';
/**
 * What the registry asks of the jurisdiction profiles. An adapter over the profile catalogue
 * implements it (profile-rules.adapter.ts), so registry rules stay testable on their own.
 */
export interface ProfileRules {
  defaultProfileId: string;
  hasProfile(profileId: string): boolean;
  hasCategory(categoryId: string): boolean;
  /** The category's name in both languages (for messages), when it is in the catalogue. */
  categoryName(categoryId: string): { zh: string; en: string } | undefined;
  /** The articles that prohibit cameras in this category under the profile, or null if allowed. */
  prohibitedBy(profileId: string, categoryId: string): string[] | null;
  /** Categories where a camera is mandatory under the profile, each with its articles. */
  mandatoryCategories(profileId: string): { id: string; articles: string[] }[];
}

/** What the API shows of the jurisdiction profiles and the place categories. */
export interface ProfileCatalogueView {
  summaries(): { id: string; name: { zh: string; en: string }; inherits: string | null; role: string; standing: LegalStanding }[];
  /** Whether the profile's text is in force today, with the warning to show when it is not. */
  standing(id: string): LegalStanding | undefined;
  /** The profile with inheritance resolved, every value with its article. */
  detail(id: string): Record<string, unknown> | undefined;
  categories(): { id: string; name: { zh: string; en: string }; kind: string }[];
  defaultProfileId: string;
}
