// Reading the access register (R5.2, R4.5): who may, how much, and the registering of each
// reading. Search and export reach what the reader's audit:read reaches — held platform-wide,
// every entry; held over a subtree, the entries naming a camera of that subtree or an actor of it.
// Asking for a camera outside the reach is refused and registered, as reading any other camera
// would be. The chain as a whole (verify, checkpoints) is read only with audit:read platform-wide.
import type { AuditRowFilter } from '../db/audit.repository.js';
import { Errors } from '../errors.js';
import type { Actor } from './actor.js';
import { can, type CameraSubject } from './policy.js';
import type { SecurityLog } from './security-log.js';

export class RegisterReading {
  constructor(
    private readonly log: SecurityLog,
    private readonly camera: (id: number) => Promise<CameraSubject>,
  ) {}

  /** The whole chain: audit:read platform-wide, else a registered refusal; the reading is registered. */
  async whole(actor: Actor, what: string): Promise<void> {
    if (!actor.holdsEverywhere('audit:read')) await this.refuse(actor, 'audit:read is not held platform-wide', 'the chain as a whole is read only with audit:read for the whole platform');
    await this.log.record(actor, { action: 'register_access', outcome: 'success', target: 'audit_register', detail: { what } });
  }

  /** Entries: the filter narrowed to the reader's scope; the reading is registered. */
  async entries(actor: Actor, what: string, asked: AuditRowFilter): Promise<AuditRowFilter> {
    const scopes = actor.scopes('audit:read');
    if (scopes.length === 0) await this.refuse(actor, 'needs audit:read', 'reading the access register needs audit:read');
    const whole = scopes.includes('');
    if (!whole && asked.cameraId !== undefined) {
      const camera = await this.camera(asked.cameraId).catch(() => null);
      if (!camera || !can(actor, 'read-register-about', camera)) {
        await this.refuse(actor, `camera ${asked.cameraId} is outside the reader's organisations`, `camera ${asked.cameraId} is not in your organisations' register`, { cameraId: asked.cameraId });
      }
    }
    await this.log.record(actor, { action: 'register_access', outcome: 'success', target: 'audit_register', detail: { what, filter: asked, scope: whole ? 'platform' : scopes } });
    return whole ? asked : { ...asked, scopePaths: scopes };
  }

  private refuse(actor: Actor, reason: string, message: string, detail: Record<string, unknown> = {}): Promise<never> {
    return this.log.refuse(actor, { action: 'register_access', target: 'audit_register', reason, detail }, Errors.forbidden(message).withParams({ reason: 'register-not-readable' }));
  }
}
