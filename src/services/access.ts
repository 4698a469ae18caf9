// Builds the access services for a process from its configuration, data folder and profiles.
import { AuditLog } from '../audit/audit-log.js';
import { PlatformKeys } from '../audit/platform-key.js';
import type { Config } from '../config/config.js';
import type { Clock } from '../domain/clock.js';
import type { ProfileCatalogue } from '../domain/profile-loader.js';
import type { Repositories } from '../db/repositories.js';
import type { Registry } from '../registry/index.js';
import { createAccess, type Access } from '../access/index.js';
import type { Wakeups } from '../db/wakeups.js';
import { TOTP_KEY_NAME } from '../keys/secret-box.js';
import { loadOrCreateSecretKey } from '../keys/secret-key.js';
import { platformProblem } from '../cascade/emergency.js';

export function openAccess(o: {
  config: Config;
  repos: Repositories;
  registry: Registry;
  catalogue: ProfileCatalogue;
  clock: Clock;
  audit?: AuditLog;
  /** Told of a register entry that was committed but cannot be chained (PostgreSQL). */
  onUnchainable?: (inboxId: number, error: unknown) => void;
  /** Told when a batch of register entries could not be chained together (PostgreSQL). */
  onChainBatchFailed?: (error: unknown) => void;
  /** PostgreSQL LISTEN/NOTIFY wake-ups: revocations reach every node's streams at once. */
  wakeups?: Wakeups;
  /**
   * Keys every API node must share (PostgreSQL: from cluster_keys), so a stream token or a CSRF
   * token made on one node is accepted on another; absent, from the data folder.
   */
  sharedKeys?: { csrf: Buffer; stream: Buffer };
}): { access: Access; audit: AuditLog } {
  const audit = o.audit ?? new AuditLog(o.repos.db, {
    keys: PlatformKeys.loadOrCreate(o.config.dataDir),
    clock: o.clock,
    checkpoints: { everyEntries: o.config.audit.checkpointEveryEntries, everyMs: o.config.audit.checkpointEverySeconds * 1000 },
    ...(o.onUnchainable ? { onStuck: o.onUnchainable } : {}),
    ...(o.onChainBatchFailed ? { onChainBatchFailed: o.onChainBatchFailed } : {}),
  });
  const access = createAccess({
    repos: o.repos,
    audit,
    clock: o.clock,
    dataDir: o.config.dataDir,
    settings: o.config.access,
    keys: {
      csrf: o.sharedKeys?.csrf ?? loadOrCreateSecretKey(o.config.dataDir, 'csrf-hmac'),
      stream: o.sharedKeys?.stream ?? loadOrCreateSecretKey(o.config.dataDir, 'stream-hmac'),
      // The same file migration 0008 sealed the existing secrets with.
      totp: loadOrCreateSecretKey(o.config.dataDir, TOTP_KEY_NAME),
    },
    ...(o.wakeups ? { wakeups: o.wakeups } : {}),
    accessProfile: (id) => o.catalogue.require(id).access,
    effectiveProfileId: (orgId) => o.registry.organisations.effectiveProfileId(orgId),
    connectProblem: (sipId) => platformProblem(o.config.cascade, sipId),
  });
  return { access, audit };
}
