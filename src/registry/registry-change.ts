import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { VigilError } from '../errors.js';

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

/**
 * Who names a camera source, as the source policy needs to know them (issue 14): whether they may
 * name local files, and how their refusal is registered — once, then thrown.
 */
export interface SourceRequester {
  /** May name file:// sources: the system administrator. */
  fileSources: boolean;
  /** Registers the refused source and throws `error`. */
  refuse(error: VigilError, detail: Record<string, unknown>): Promise<never>;
}
