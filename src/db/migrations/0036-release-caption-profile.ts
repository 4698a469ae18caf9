import type { Kysely } from 'kysely';

/**
 * Issue 23: the notice burned into released footage is worded by the jurisdiction profile
 * (profiles/*.json, `releaseCaption`); each release keeps the id of the profile whose wording it
 * carries, so the release and its manifest show which text was used. Null for releases made
 * before, and for one made without a notice.
 */
export function releaseCaptionProfile() {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('releases').addColumn('caption_profile', 'text').execute();
    },
  };
}
