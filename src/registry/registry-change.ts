import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

/** What a successful registry write changed, for the access register (R1.2, R4.5). */
export interface RegistryChange {
  object: 'camera' | 'organisation' | 'camera_group';
  action: 'create' | 'update' | 'delete' | 'import' | 'members';
  id?: number;
  cameraIds?: number[];
  detail?: Record<string, unknown>;
}

/**
 * Writes the record of a change inside the change's own transaction: if it cannot be written,
 * the change does not happen either.
 */
export type RecordChange = (trx: Transaction<Database>, change: RegistryChange) => Promise<unknown>;
