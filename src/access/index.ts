// Access under control (issue 4): accounts, roles, policies, stream tokens and access requests,
// assembled once per process.
import { hkdfSync } from 'node:crypto';
import './policies/index.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../domain/clock.js';
import type { Repositories } from '../db/repositories.js';
import { AccountService } from './account.service.js';
import type { AccessProfile } from './access-request.js';
import { AccessRequestService } from './access-request.service.js';
import { DocumentStore } from './document-store.js';
import { FootageAccess } from './footage-access.js';
import { RevocationFeed } from './revocation-feed.js';
import { RevocationHub } from './revocation-hub.js';
import { TokenBuckets, type RateLimiter } from './rate-limit.js';
import { AnonymousRefusals } from './refusal-flood.js';
import { CameraReading } from './camera-reading.js';
import { RegisterReading } from './register-reading.js';
import { SecurityLog } from './security-log.js';
import { registryChangesBy, type RegistryChangesBy } from './registry-changes.js';
import type { Actor } from './actor.js';
import { StreamTokenSigner } from './stream-token.js';
import { UserService } from './user.service.js';
import { BookmarkService } from './bookmark.service.js';
import { WallViewService } from './wall-view.service.js';
import { cameraSubject, cameraSubjects, organisationSubject } from './subjects.js';
import type { Camera } from '../db/camera.repository.js';
import type { CameraSubject, OrganisationSubject } from './policy.js';

export { Actor } from './actor.js';
export { allow, authorize, can } from './policy.js';
export type { StreamClaims, StreamKind } from './stream-token.js';

export interface AccessSettings {
  sessionHours: number;
  idleMinutes: number;
  lockoutFailures: number;
  lockoutWindowMinutes: number;
  lockoutMinutes: number;
  signInFirstDelaySeconds: number;
  signInFailuresPerAddress: number;
  apiRequestsPerMinute: number;
  refusalSummarySeconds: number;
  secondAdministratorRoles: string[];
  streamTokenSeconds: number;
  maxApprovalHours: number;
}

export interface AccessDeps {
  repos: Repositories;
  audit: AuditLog;
  clock: Clock;
  dataDir: string;
  settings: AccessSettings;
  /**
   * 32-byte keys: CSRF tokens, stream tokens and sealing TOTP secrets (from the data folder in
   * production, see wiring.ts). Without `totp` (tests) it is derived from the CSRF key.
   */
  keys: { csrf: Buffer; stream: Buffer; totp?: Buffer };
  /** How often open streams look for revocations made by other processes (default 2 s). */
  revocationPollMs?: number;
  /** Wake-ups between processes (PostgreSQL LISTEN/NOTIFY): revocations reach other nodes' streams at once. */
  wakeups?: { notify(channel: string): Promise<void>; listen(channel: string, cb: () => void): () => void };
  accessProfile(profileId: string): AccessProfile;
  effectiveProfileId(orgId: number): Promise<string>;
  /** Why a platform cannot be connected on demand (a connection request's destination), or null. */
  connectProblem?: (sipId: string) => string | null;
}

export interface Access {
  accounts: AccountService;
  users: UserService;
  requests: AccessRequestService;
  footage: FootageAccess;
  hub: RevocationHub;
  /** Brings other processes' revocations to this one's hub while streams are open. */
  revocations: RevocationFeed;
  log: SecurityLog;
  /** Camera points as a person may see them, what they are shown registered. */
  cameraReading: CameraReading;
  /** Each person's bookmarks on footage and saved wall views, theirs alone. */
  workspace: { bookmarks: BookmarkService; wallViews: WallViewService };
  /** Who may read the access register and how much; every reading registered. */
  registerReading: RegisterReading;
  /** Refusals of unidentified callers, one register entry per address and kind a window, with a count. */
  anonymousRefusals: AnonymousRefusals;
  /** API request limits: keys 'a:<address>' and 'u:<user id>'. */
  requestLimit: RateLimiter;
  /** For the media routes: see FootageAccess.verifyStreamToken. */
  verifyStreamToken: FootageAccess['verifyStreamToken'];
  /** For the media and export code: see FootageAccess.check. */
  checkFootageAccess: FootageAccess['check'];
  /** How a registry change by `actor` (null: the platform) through `where` is registered, and its sources judged. */
  registryChangesBy(actor: Actor | null, where: string): RegistryChangesBy;
  /** Rows as policy subjects. */
  subjects: {
    camera(id: number): Promise<CameraSubject>;
    cameras(cameras: Camera[]): Promise<Map<number, CameraSubject>>;
    organisation(id: number | null): Promise<OrganisationSubject>;
  };
}

/** The LISTEN/NOTIFY channel that wakes every process's revocation feed. */
export const REVOCATION_CHANNEL = 'vigil_revocation';

export function createAccess(d: AccessDeps): Access {
  const log = new SecurityLog(d.audit);
  const hub = new RevocationHub();
  const wakeups = d.wakeups;
  const feed = new RevocationFeed(d.repos, d.audit, hub, d.clock, d.revocationPollMs, undefined, wakeups && { listen: (cb) => wakeups.listen(REVOCATION_CHANNEL, cb) });
  hub.attach(feed);
  if (wakeups) {
    // Many revocations at once (a password change ends every session) wake the others once.
    let pending = false;
    hub.announceWith(() => {
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        void wakeups.notify(REVOCATION_CHANNEL).catch(() => undefined);
      });
    });
  }
  const s = d.settings;
  const anonymousRefusals = new AnonymousRefusals(log, d.clock, s.refusalSummarySeconds * 1000);
  const accounts = new AccountService(d.repos, log, hub, d.clock, d.keys.csrf, { ttlMs: s.sessionHours * 3_600_000, idleMs: s.idleMinutes * 60_000 }, {
    freeFailures: s.lockoutFailures,
    firstDelayMs: s.signInFirstDelaySeconds * 1000,
    maxDelayMs: s.lockoutMinutes * 60_000,
    windowMs: s.lockoutWindowMinutes * 60_000,
    perAddressFailures: s.signInFailuresPerAddress,
  }, d.keys.totp ?? Buffer.from(hkdfSync('sha256', d.keys.csrf, Buffer.alloc(0), 'vigil totp sealing', 32)), anonymousRefusals);
  const users = new UserService(d.repos, log, hub, d.clock, { secondAdministratorRoles: s.secondAdministratorRoles });
  const requests = new AccessRequestService(d.repos, log, new DocumentStore(d.dataDir), d.clock, {
    accessProfile: d.accessProfile,
    effectiveProfileId: d.effectiveProfileId,
    maxApprovalMs: s.maxApprovalHours * 3_600_000,
    ...(d.connectProblem ? { connectProblem: d.connectProblem } : {}),
  });
  const footage = new FootageAccess(d.repos, log, requests, new StreamTokenSigner(d.keys.stream, d.clock, s.streamTokenSeconds * 1000), hub, d.clock);
  return {
    accounts,
    users,
    requests,
    footage,
    hub,
    revocations: feed,
    log,
    cameraReading: new CameraReading(log, (list) => cameraSubjects(d.repos, list), (ids) => d.repos.gbDevices.civilCodes(ids)),
    workspace: { bookmarks: new BookmarkService(d.repos, footage, log, d.clock), wallViews: new WallViewService(d.repos, log, d.clock) },
    registerReading: new RegisterReading(log, (id) => cameraSubject(d.repos, id)),
    anonymousRefusals,
    requestLimit: new TokenBuckets(d.clock, s.apiRequestsPerMinute),
    verifyStreamToken: (token, expect) => footage.verifyStreamToken(token, expect),
    checkFootageAccess: (actor, use) => footage.check(actor, use),
    registryChangesBy: (actor, where) => registryChangesBy(log, actor, where),
    subjects: {
      camera: (id) => cameraSubject(d.repos, id),
      cameras: (list) => cameraSubjects(d.repos, list),
      organisation: (id) => organisationSubject(d.repos, id),
    },
  };
}
