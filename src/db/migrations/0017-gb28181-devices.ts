import type { Kysely } from 'kysely';
import type { DialectName } from '../database.js';
import { MS, notNull, withId } from './ddl.js';

/**
 * GB/T 28181 devices and lower platforms (issue 18): who registered, from where, over which
 * transport, until when; their keepalive; DeviceInfo; and every catalog channel with the camera
 * point it became (or the refusal that kept it out of the registry) and the catalog's own fields.
 */
export function gb28181Devices(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>) {
      await withId(dialect, db.schema.createTable('gb_devices'))
        /** The 20-digit ID the device registers with. */
        .addColumn('device_id', 'text', (c) => c.notNull().unique())
        .addColumn('transport', 'text', notNull)
        .addColumn('address', 'text', notNull)
        .addColumn('port', 'integer', notNull)
        /** 'GB2312' or 'UTF-8': the charset its bodies arrive in, used for what we send. */
        .addColumn('charset', 'text', notNull)
        .addColumn('online', 'integer', notNull)
        .addColumn('registered_at', MS, notNull)
        .addColumn('expires_at', MS, notNull)
        .addColumn('last_keepalive_at', MS)
        .addColumn('keepalive_seconds', 'integer', notNull)
        .addColumn('keepalive_missed', 'integer', notNull)
        .addColumn('name', 'text')
        .addColumn('manufacturer', 'text')
        .addColumn('model', 'text')
        .addColumn('firmware', 'text')
        /** The last DeviceStatus answer, JSON. */
        .addColumn('status', 'text')
        .addColumn('last_error', 'text')
        .addColumn('updated_at', MS, notNull)
        .execute();

      await withId(dialect, db.schema.createTable('gb_channels'))
        .addColumn('device_id', 'bigint', (c) => c.notNull().references('gb_devices.id'))
        .addColumn('channel_id', 'text', notNull)
        .addColumn('name', 'text', notNull)
        .addColumn('parent_id', 'text')
        /** 'ON' / 'OFF' as the catalog says. */
        .addColumn('status', 'text', notNull)
        .addColumn('camera_id', 'bigint', (c) => c.references('cameras.id'))
        .addColumn('group_id', 'bigint', (c) => c.references('camera_groups.id'))
        /** Why the channel is not in the registry (a prohibited place, an ID that is not a camera's …). */
        .addColumn('refusal', 'text')
        /** JSON array of the articles behind a refusal. */
        .addColumn('articles', 'text', notNull)
        /** Every field of the catalog item, JSON (2016 and 2022 fields). */
        .addColumn('item', 'text', notNull)
        .addColumn('updated_at', MS, notNull)
        .execute();
      await db.schema.createIndex('gb_channels_device_channel').on('gb_channels').columns(['device_id', 'channel_id']).unique().execute();
    },
  };
}
