// Legal holds through the service with real actors and the register: placed by an investigator
// in scope, refused (and registered) for a duty operator; the held file survives the cleaner past
// every period; release needs a second person with approval authority, and is registered.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Actor } from '../../src/access/actor.js';
import type { Role } from '../../src/access/permissions.js';
import { SecurityLog } from '../../src/access/security-log.js';
import { LegalHoldService } from '../../src/retention/legal-hold.service.js';
import { DAY_MS } from '../../src/retention/retention-decision.js';
import { recordFootage, type WrittenFile } from './footage.js';
import { evidenceWorld, T0, type EvidenceWorld } from './world.js';

describe('legal holds', () => {
  let w: EvidenceWorld;
  let files: WrittenFile[];
  let holds: LegalHoldService;
  let path: string;
  const actor = (userId: number, role: Role) => new Actor({ userId, login: `u${userId}`, displayName: `U${userId}`, workId: `W${userId}`, organisationId: null, grants: [{ id: userId, role, organisationId: null, path }] });

  beforeAll(async () => {
    w = await evidenceWorld('sqlite', 1);
    const camera = (await w.repos.cameras.get(w.cameras[0]!))!;
    path = (await w.repos.organisations.get(camera.regionId))!.path;
    files = await recordFootage(w.repos, w.dataDir, w.cameras[0]!, { startMs: T0 - 40 * DAY_MS, files: 2, secondsPerFile: 1 });
    holds = new LegalHoldService(w.repos, new SecurityLog(w.audit), w.clock);
  }, 60_000);
  afterAll(() => w.close());

  it('is refused to a duty operator, and the refusal is registered', async () => {
    await expect(holds.place(actor(5, 'duty_operator'), { cameraId: w.cameras[0]!, from: null, to: null, caseRef: 'X', reason: 'y' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const refused = [];
    for await (const e of w.audit.entries({ action: 'legal_hold' })) refused.push(e);
    expect(refused).toMatchObject([{ outcome: 'refused', actors: [{ userId: 5 }] }]);
  });

  it('keeps held footage through the cleaner until a second person approves the release', async () => {
    const investigator = actor(1, 'investigator');
    const h = await holds.place(investigator, { cameraId: w.cameras[0]!, from: files[0]!.startMs, to: files[0]!.startMs + 10, caseRef: '哈公刑(2027)7号', reason: 'assault' });
    expect(h).toMatchObject({ state: 'active', placedBy: 1 });
    w.clock.advance(1000 * DAY_MS);
    expect((await w.cleaner().runOnce()).removedFiles).toBe(1);
    expect(existsSync(w.store.absolute(files[0]!.path))).toBe(true);

    await expect(holds.approveRelease(actor(2, 'approver'), h.id)).rejects.toMatchObject({ code: 'RULE_REFUSED' });
    const asked = await holds.requestRelease(investigator, h.id, 'case closed by the court');
    expect(asked.state).toBe('release_requested');
    // Still held while the release waits.
    expect((await w.cleaner().runOnce()).removedFiles).toBe(0);
    const self = actor(3, 'approver');
    await holds.requestRelease(self, h.id, 'again').catch(() => undefined);
    await expect(holds.approveRelease(actor(1, 'investigator'), h.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const released = await holds.approveRelease(actor(2, 'approver'), h.id);
    expect(released).toMatchObject({ state: 'released', releasedBy: 2, releaseRequestedBy: 1 });
    expect((await w.cleaner().runOnce()).removedFiles).toBe(1);
    expect(existsSync(w.store.absolute(files[0]!.path))).toBe(false);
    const steps = [];
    for await (const e of w.audit.entries({ action: 'legal_hold_release' })) steps.push([e.outcome, e.detail.step ?? null, e.actors[0]!.userId]);
    expect(steps).toEqual([['success', 'release asked', 1], ['refused', null, 1], ['success', 'released on approval', 2]]);
  });

  it('the one who asked for the release cannot approve it', async () => {
    const approver = actor(4, 'approver');
    const h = await holds.place(approver, { cameraId: w.cameras[0]!, from: null, to: null, caseRef: 'C-9', reason: 'r' });
    await holds.requestRelease(approver, h.id, 'done');
    await expect(holds.approveRelease(approver, h.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await holds.get(h.id)).state).toBe('release_requested');
  });
});
