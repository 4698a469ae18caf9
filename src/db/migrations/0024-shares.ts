import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * Shares (共享, HRB-20, CN-8, HB-14, AH-5, R2.2): which cameras or groups an organisation shares
 * with whom (an upper platform by its SIP ID, another department's organisation, an API client's
 * account), with which rights, for which span, under which approval document, granted by whom;
 * revoked at once by setting revoked_at. Cameras and groups are rows of their own so a camera's
 * shares are found by index.
 */
export function shares(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('shares'))
        /** The organisation whose cameras are shared; the granter holds share:grant over it. */
        .addColumn('organisation_id', 'bigint', (c) => c.notNull().references('organisations.id'))
        .addColumn('recipient_kind', 'text', notNull)
        /** A 20-digit SIP ID (platform), an organisation id or a user id (api_client), as text. */
        .addColumn('recipient_ref', 'text', notNull)
        /** 去向 as the register writes it. */
        .addColumn('recipient_name', 'text', notNull)
        /** JSON array of rights: catalog, live, playback, download, ptz. */
        .addColumn('rights', 'text', notNull)
        .addColumn('purpose', 'text', notNull)
        .addColumn('approval_document', 'text', notNull)
        .addColumn('valid_from', MS, notNull)
        .addColumn('valid_to', MS, notNull)
        .addColumn('granted_by', 'bigint', (c) => c.notNull().references('users.id'))
        .addColumn('granted_at', MS, notNull)
        .addColumn('revoked_by', 'bigint', (c) => c.references('users.id'))
        .addColumn('revoked_at', MS)
        .addColumn('revoke_reason', 'text')
        .execute();
      await db.schema.createIndex('shares_recipient').on('shares').columns(['recipient_kind', 'recipient_ref']).execute();
      await db.schema
        .createTable('share_cameras')
        .addColumn('share_id', 'bigint', (c) => c.notNull().references('shares.id'))
        .addColumn('camera_id', 'bigint', (c) => c.notNull().references('cameras.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('share_cameras_pk', ['share_id', 'camera_id'])
        .execute();
      await db.schema.createIndex('share_cameras_camera').on('share_cameras').column('camera_id').execute();
      await db.schema
        .createTable('share_groups')
        .addColumn('share_id', 'bigint', (c) => c.notNull().references('shares.id'))
        .addColumn('group_id', 'bigint', (c) => c.notNull().references('camera_groups.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('share_groups_pk', ['share_id', 'group_id'])
        .execute();
    },
  };
}
