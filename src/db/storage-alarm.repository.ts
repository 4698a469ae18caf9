// Storage alarms (migration 0005): each change of the recordings volume's level.
import type { Generated, Kysely, Selectable } from 'kysely';
import type { StorageLevel } from '../storage/disk-usage.js';
import type { Database } from './schema.js';

export interface StorageAlarmTable {
  id: Generated<number>;
  at: number;
  level: StorageLevel;
  used_permille: number;
  free_bytes: number;
  message: string;
}

export interface StorageAlarmTables {
  storage_alarms: StorageAlarmTable;
}

export type StorageAlarmRow = Selectable<StorageAlarmTable>;

export class StorageAlarmRepository {
  constructor(readonly db: Kysely<Database>) {}

  async insertAlarm(a: Omit<StorageAlarmRow, 'id'>): Promise<void> {
    await this.db.insertInto('storage_alarms').values(a).execute();
  }

  async alarms(limit = 100): Promise<StorageAlarmRow[]> {
    return this.db.selectFrom('storage_alarms').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }
}
