// GB/T 28181 devices and their catalog channels (migration 0017): the one owner of gb_devices
// and gb_channels.
import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import { ReusedQuery } from './reused-query.js';
import type { Database } from './schema.js';

export interface GbDeviceTable {
  id: Generated<number>;
  device_id: string;
  transport: string;
  address: string;
  port: number;
  charset: string;
  online: number;
  registered_at: number;
  expires_at: number;
  last_keepalive_at: number | null;
  keepalive_seconds: number;
  keepalive_missed: number;
  name: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  status: string | null;
  last_error: string | null;
  updated_at: number;
}

export interface GbChannelTable {
  id: Generated<number>;
  device_id: number;
  channel_id: string;
  name: string;
  parent_id: string | null;
  status: string;
  camera_id: number | null;
  group_id: number | null;
  refusal: string | null;
  articles: string;
  item: string;
  updated_at: number;
}

export interface GbTables {
  gb_devices: GbDeviceTable;
  gb_channels: GbChannelTable;
}

type Q = Kysely<Database> | Transaction<Database>;

export interface GbDevice {
  id: number;
  deviceId: string;
  transport: 'UDP' | 'TCP';
  address: string;
  port: number;
  charset: 'GB2312' | 'UTF-8';
  online: boolean;
  registeredAt: number;
  expiresAt: number;
  lastKeepaliveAt: number | null;
  keepaliveSeconds: number;
  keepaliveMissed: number;
  name: string | null;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  status: Record<string, string> | null;
  lastError: string | null;
}

export interface GbChannel {
  id: number;
  deviceId: number;
  channelId: string;
  name: string;
  parentId: string | null;
  status: string;
  cameraId: number | null;
  groupId: number | null;
  refusal: string | null;
  articles: string[];
  item: Record<string, string>;
}

function toDevice(r: Selectable<GbDeviceTable>): GbDevice {
  return {
    id: Number(r.id),
    deviceId: r.device_id,
    transport: r.transport === 'TCP' ? 'TCP' : 'UDP',
    address: r.address,
    port: Number(r.port),
    charset: r.charset === 'UTF-8' ? 'UTF-8' : 'GB2312',
    online: Number(r.online) === 1,
    registeredAt: Number(r.registered_at),
    expiresAt: Number(r.expires_at),
    lastKeepaliveAt: r.last_keepalive_at === null ? null : Number(r.last_keepalive_at),
    keepaliveSeconds: Number(r.keepalive_seconds),
    keepaliveMissed: Number(r.keepalive_missed),
    name: r.name,
    manufacturer: r.manufacturer,
    model: r.model,
    firmware: r.firmware,
    status: r.status ? (JSON.parse(r.status) as Record<string, string>) : null,
    lastError: r.last_error,
  };
}

function toChannel(r: Selectable<GbChannelTable>): GbChannel {
  return {
    id: Number(r.id),
    deviceId: Number(r.device_id),
    channelId: r.channel_id,
    name: r.name,
    parentId: r.parent_id,
    status: r.status,
    cameraId: r.camera_id === null ? null : Number(r.camera_id),
    groupId: r.group_id === null ? null : Number(r.group_id),
    refusal: r.refusal,
    articles: JSON.parse(r.articles) as string[],
    item: JSON.parse(r.item) as Record<string, string>,
  };
}

export interface DeviceRegistration {
  deviceId: string;
  transport: 'UDP' | 'TCP';
  address: string;
  port: number;
  charset: 'GB2312' | 'UTF-8';
  expiresAt: number;
  keepaliveSeconds: number;
  keepaliveMissed: number;
}

export interface ChannelUpsert {
  channelId: string;
  name: string;
  parentId: string | null;
  status: string;
  cameraId: number | null;
  groupId: number | null;
  refusal: string | null;
  articles: string[];
  item: Record<string, string>;
}

export class GbDeviceRepository {
  // The statements every registration, keepalive and first catalog runs, compiled once (reused-query.ts).
  private readonly byDeviceId: ReusedQuery<readonly ['string'], Selectable<GbDeviceTable>>;
  private readonly reRegister: ReusedQuery<readonly ['string', 'string', 'number', 'string', 'number', 'number', 'number', 'number', 'number', 'number'], Selectable<GbDeviceTable>>;
  private readonly firstRegister: ReusedQuery<readonly ['string', 'number', 'string', 'string', 'number', 'string', 'number', 'number', 'number', 'number'], Selectable<GbDeviceTable>>;
  private readonly currentKeepalive: ReusedQuery<readonly ['number', 'string', 'number', 'string', 'number'], unknown>;
  private readonly info: ReusedQuery<readonly ['string', 'string', 'string', 'string', 'number', 'string'], unknown>;
  private readonly channelsOf: ReusedQuery<readonly ['number'], Selectable<GbChannelTable>>;
  private readonly channelUpsert: ReusedQuery<readonly ['number', 'string', 'string', 'string', 'string', 'number', 'number', 'string', 'string', 'string', 'number'], unknown>;

  constructor(private readonly db: Kysely<Database>) {
    this.byDeviceId = new ReusedQuery(db, ['string'] as const, (d, [deviceId]) => d.selectFrom('gb_devices').selectAll().where('device_id', '=', deviceId));
    this.reRegister = new ReusedQuery(db, ['string', 'string', 'number', 'string', 'number', 'number', 'number', 'number', 'number', 'number'] as const, (d, [transport, address, port, charset, expiresAt, keepaliveSeconds, keepaliveMissed, now, registeredAt, id]) =>
      d.updateTable('gb_devices')
        .set({ transport, address, port, charset, online: 1, expires_at: expiresAt, keepalive_seconds: keepaliveSeconds, keepalive_missed: keepaliveMissed, updated_at: now, registered_at: registeredAt })
        .where('id', '=', id).returningAll());
    this.firstRegister = new ReusedQuery(db, ['string', 'number', 'string', 'string', 'number', 'string', 'number', 'number', 'number', 'number'] as const, (d, [deviceId, registeredAt, transport, address, port, charset, expiresAt, keepaliveSeconds, keepaliveMissed, now]) =>
      d.insertInto('gb_devices')
        .values({ device_id: deviceId, registered_at: registeredAt, last_keepalive_at: null, transport, address, port, charset, online: 1, expires_at: expiresAt, keepalive_seconds: keepaliveSeconds, keepalive_missed: keepaliveMissed, updated_at: now })
        .returningAll());
    this.currentKeepalive = new ReusedQuery(db, ['number', 'string', 'number', 'string', 'number'] as const, (d, [at, deviceId, expiresAfter, address, port]) =>
      d.updateTable('gb_devices').set({ last_keepalive_at: at, updated_at: at })
        .where('device_id', '=', deviceId).where('online', '=', 1).where('expires_at', '>', expiresAfter).where('address', '=', address).where('port', '=', port));
    this.info = new ReusedQuery(db, ['string', 'string', 'string', 'string', 'number', 'string'] as const, (d, [name, manufacturer, model, firmware, now, deviceId]) =>
      d.updateTable('gb_devices').set({ name, manufacturer, model, firmware, updated_at: now }).where('device_id', '=', deviceId));
    this.channelsOf = new ReusedQuery(db, ['number'] as const, (d, [deviceRowId]) => d.selectFrom('gb_channels').selectAll().where('device_id', '=', deviceRowId).orderBy('channel_id'));
    this.channelUpsert = new ReusedQuery(db, ['number', 'string', 'string', 'string', 'string', 'number', 'number', 'string', 'string', 'string', 'number'] as const, (d, [deviceRowId, channelId, name, parentId, status, cameraId, groupId, refusal, articles, item, now]) => {
      const values = { name, parent_id: parentId, status, camera_id: cameraId, group_id: groupId, refusal, articles, item, updated_at: now };
      return d.insertInto('gb_channels').values({ device_id: deviceRowId, channel_id: channelId, ...values })
        .onConflict((oc) => oc.columns(['device_id', 'channel_id']).doUpdateSet(values));
    });
  }

  async get(deviceId: string, q: Q = this.db): Promise<GbDevice | undefined> {
    const r = await this.byDeviceId.first([deviceId], q);
    return r ? toDevice(r) : undefined;
  }

  async list(q: Q = this.db): Promise<GbDevice[]> {
    return (await q.selectFrom('gb_devices').selectAll().orderBy('device_id').execute()).map(toDevice);
  }

  /**
   * A REGISTER (new or refresh): the device is online from `now`. `existing` is the row the caller
   * has just read (undefined: none), so a registration is one read and one write, the written row
   * coming back from the write itself; omitted, it is read here.
   */
  async register(r: DeviceRegistration, now: number, q: Q = this.db, existing?: GbDevice | null): Promise<GbDevice> {
    const before = existing === undefined ? await this.get(r.deviceId, q) : (existing ?? undefined);
    const row = before
      ? await this.reRegister.first([r.transport, r.address, r.port, r.charset, r.expiresAt, r.keepaliveSeconds, r.keepaliveMissed, now, before.online ? before.registeredAt : now, before.id], q)
      : await this.firstRegister.first([r.deviceId, now, r.transport, r.address, r.port, r.charset, r.expiresAt, r.keepaliveSeconds, r.keepaliveMissed, now], q);
    if (!row) throw new Error(`gb_devices row of ${r.deviceId} was not written`);
    return toDevice(row);
  }

  async setOnline(deviceId: string, online: boolean, now: number, error: string | null = null, q: Q = this.db): Promise<void> {
    await q.updateTable('gb_devices').set({ online: online ? 1 : 0, updated_at: now, ...(error !== null ? { last_error: error } : {}) }).where('device_id', '=', deviceId).execute();
  }

  /**
   * A Keepalive from a device that is online, unexpired at `at` and at the address it registered
   * from: one write, true. False when any of those does not hold (nothing written): the caller
   * then reads the row to tell which.
   */
  async keepaliveIfCurrent(deviceId: string, address: string, port: number, at: number, q: Q = this.db): Promise<boolean> {
    const r = await this.currentKeepalive.run([at, deviceId, at, address, port], q);
    return Number(r.numAffectedRows ?? 0) > 0;
  }

  async keepalive(deviceId: string, at: number, q: Q = this.db): Promise<void> {
    await q.updateTable('gb_devices').set({ last_keepalive_at: at, online: 1, updated_at: at }).where('device_id', '=', deviceId).execute();
  }

  /** A DeviceInfo answer: all four fields written (null: the device gave none). */
  async setInfo(deviceId: string, info: { name: string | null; manufacturer: string | null; model: string | null; firmware: string | null }, now: number, q: Q = this.db): Promise<void> {
    await this.info.run([info.name, info.manufacturer, info.model, info.firmware, now, deviceId], q);
  }

  async setStatus(deviceId: string, status: Record<string, string>, now: number, q: Q = this.db): Promise<void> {
    await q.updateTable('gb_devices').set({ status: JSON.stringify(status), updated_at: now }).where('device_id', '=', deviceId).execute();
  }

  async channels(deviceRowId: number, q: Q = this.db): Promise<GbChannel[]> {
    return (await this.channelsOf.run([deviceRowId], q)).rows.map(toChannel);
  }

  async channel(channelId: string, q: Q = this.db): Promise<(GbChannel & { device: string }) | undefined> {
    const r = await q
      .selectFrom('gb_channels')
      .innerJoin('gb_devices', 'gb_devices.id', 'gb_channels.device_id')
      .selectAll('gb_channels')
      .select('gb_devices.device_id as device')
      .where('gb_channels.channel_id', '=', channelId)
      .executeTakeFirst();
    return r ? { ...toChannel(r), device: r.device } : undefined;
  }

  /**
   * The CivilCode each of these cameras' catalog items gave (the region the lower platform or
   * device placed the channel in), by camera ID; cameras with none are left out.
   */
  async civilCodes(cameraIds: number[], q: Q = this.db): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    if (!cameraIds.length) return out;
    for (let i = 0; i < cameraIds.length; i += 500) {
      const rows = await q.selectFrom('gb_channels').select(['camera_id', 'item']).where('camera_id', 'in', cameraIds.slice(i, i + 500)).execute();
      for (const r of rows) {
        const code = (JSON.parse(r.item) as Record<string, string>)['CivilCode']?.trim();
        if (r.camera_id !== null && code && /^\d{2,12}$/.test(code)) out.set(Number(r.camera_id), code);
      }
    }
    return out;
  }

  async upsertChannel(deviceRowId: number, c: ChannelUpsert, now: number, q: Q = this.db): Promise<void> {
    // One statement on the unique (device, channel) key: a new channel was an UPDATE that matched
    // nothing and then an INSERT, two statements (and two commits) a channel of every first catalog.
    await this.channelUpsert.run([deviceRowId, c.channelId, c.name, c.parentId, c.status, c.cameraId, c.groupId, c.refusal, JSON.stringify(c.articles), JSON.stringify(c.item), now], q);
  }

  async setChannelStatus(deviceRowId: number, channelId: string, status: string, now: number, q: Q = this.db): Promise<void> {
    await q.updateTable('gb_channels').set({ status, updated_at: now }).where('device_id', '=', deviceRowId).where('channel_id', '=', channelId).execute();
  }

  async deleteChannel(deviceRowId: number, channelId: string, q: Q = this.db): Promise<void> {
    await q.deleteFrom('gb_channels').where('device_id', '=', deviceRowId).where('channel_id', '=', channelId).execute();
  }
}
