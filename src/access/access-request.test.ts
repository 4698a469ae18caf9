import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../domain/profile-loader.js';
import { coverageProblem, effectiveState, requirementsFor, transition, type RequestFacts } from './access-request.js';

const profiles = loadProfiles();
const access = (id: string) => profiles.require(id).access;
const H = 3_600_000;

const facts = (over: Partial<RequestFacts> = {}): RequestFacts => ({
  kind: 'copy',
  state: 'draft',
  requesterId: 1,
  cameraIds: [10, 11],
  from: 1000 * H,
  to: 1002 * H,
  officers: [
    { userId: 1, workId: 'P1', confirmedAt: 5 },
    { userId: 2, workId: 'P2', confirmedAt: 6 },
  ],
  documentSha256: 'ab'.repeat(32),
  approvals: [],
  validityMs: 24 * H,
  validUntil: null,
  ...over,
});

describe('what each jurisdiction requires', () => {
  it('reads officers, approvals and the document from the profile, with articles', () => {
    expect(requirementsFor(access('anhui'), 'copy', 'public-security')).toEqual({
      officers: { count: 2, article: 'AH-22(1)' },
      approvals: [{ role: 'approver', article: 'AH-21' }],
      document: { required: true, article: 'AH-21' },
    });
    // Anhui: other administrations also need the police head (AH-21 para. 2).
    expect(requirementsFor(access('anhui'), 'copy', 'other-administration').approvals).toEqual([
      { role: 'approver', article: 'AH-21' },
      { role: 'supervisor', article: 'AH-21' },
    ]);
    // Weihai: county-level police approve copies; viewing needs no approval but two officers.
    expect(requirementsFor(access('weihai'), 'copy', 'public-security').approvals).toEqual([{ role: 'supervisor', article: 'WH-25' }]);
    expect(requirementsFor(access('weihai'), 'view', 'public-security')).toMatchObject({ officers: { count: 2 }, approvals: [], document: { required: false } });
    // Where the profile is silent, copying still needs two officers and the custodian's decision.
    expect(requirementsFor(access('national'), 'retrieve', 'court')).toMatchObject({ officers: { count: 2, article: null }, approvals: [{ role: 'approver' }] });
    expect(requirementsFor(access('harbin'), 'view', 'other-administration').approvals).toEqual([{ role: 'approver', article: 'HRB-22(3)' }]);
  });
});

describe('the request state machine', () => {
  const anhui = requirementsFor(access('anhui'), 'copy', 'other-administration');

  it('goes draft → submitted → approved (both steps) → in use → closed', () => {
    let r = facts();
    const apply = (t: Parameters<typeof transition>[2], now: number) => {
      const n = transition(r, anhui, t, now);
      r = { ...r, ...n };
      return n.state;
    };
    expect(apply({ kind: 'submit' }, 10)).toBe('submitted');
    expect(apply({ kind: 'approve', userId: 7, role: 'approver' }, 20)).toBe('submitted');
    expect(() => apply({ kind: 'approve', userId: 7, role: 'supervisor' }, 25)).toThrow(/two approvals/);
    expect(apply({ kind: 'approve', userId: 8, role: 'supervisor' }, 30)).toBe('approved');
    expect(r.validUntil).toBe(30 + 24 * H);
    expect(apply({ kind: 'use' }, 40)).toBe('in_use');
    expect(apply({ kind: 'use' }, 50)).toBe('in_use');
    expect(apply({ kind: 'close' }, 60)).toBe('closed');
    expect(() => apply({ kind: 'use' }, 70)).toThrow(/closed/);
  });

  it('refuses bypasses: one officer, the same officer twice, unconfirmed, no document, self-approval', () => {
    const refused = (r: RequestFacts, t: Parameters<typeof transition>[2]) => {
      try {
        transition(r, anhui, t, 10);
      } catch (e) {
        return (e as Error).message;
      }
      return 'allowed';
    };
    expect(refused(facts({ officers: [{ userId: 1, workId: 'P1', confirmedAt: 1 }] }), { kind: 'submit' })).toMatch(/at least 2 officers/);
    expect(refused(facts({ officers: [{ userId: 1, workId: 'P1', confirmedAt: 1 }, { userId: 1, workId: 'P1', confirmedAt: 1 }] }), { kind: 'submit' })).toMatch(/more than once/);
    expect(refused(facts({ officers: [{ userId: 1, workId: 'P1', confirmedAt: 1 }, { userId: 2, workId: 'P1', confirmedAt: 1 }] }), { kind: 'submit' })).toMatch(/more than once/);
    expect(refused(facts({ officers: [{ userId: 1, workId: 'P1', confirmedAt: 1 }, { userId: 2, workId: 'P2', confirmedAt: null }] }), { kind: 'submit' })).toMatch(/P2 have not confirmed/);
    expect(refused(facts({ documentSha256: null }), { kind: 'submit' })).toMatch(/document is missing/);
    expect(refused(facts({ to: 999 * H }), { kind: 'submit' })).toMatch(/ends before/);
    const submitted = facts({ state: 'submitted' });
    expect(refused(submitted, { kind: 'approve', userId: 1, role: 'approver' })).toMatch(/nobody approves/);
    expect(refused(submitted, { kind: 'approve', userId: 2, role: 'approver' })).toMatch(/nobody approves/);
    expect(refused(submitted, { kind: 'refuse', userId: 1 })).toMatch(/nobody decides/);
    expect(refused(facts(), { kind: 'approve', userId: 9, role: 'approver' })).toMatch(/only a submitted/);
  });

  it('expires an approval at the end of its window, whatever the stored state says', () => {
    const r = facts({ state: 'approved', validUntil: 100 });
    expect(effectiveState(r, 99)).toBe('approved');
    expect(effectiveState(r, 100)).toBe('expired');
    expect(effectiveState({ ...r, state: 'in_use' }, 101)).toBe('expired');
    expect(() => transition(r, anhui, { kind: 'use' }, 100)).toThrow(/expired/);
    expect(transition(r, anhui, { kind: 'close' }, 100).state).toBe('expired');
  });

  it('approves a view that the profile lets through without approval at submission', () => {
    const weihaiView = requirementsFor(access('weihai'), 'view', 'public-security');
    expect(transition(facts({ kind: 'view', documentSha256: null }), weihaiView, { kind: 'submit' }, 50)).toMatchObject({ state: 'approved', validUntil: 50 + 24 * H });
  });
});

describe('what an approval covers', () => {
  const r = facts({ state: 'approved', validUntil: 2000 * H });
  const now = 1001 * H;
  it('covers exactly its cameras, range, kind and window', () => {
    expect(coverageProblem(r, { cameraId: 10, from: 1000 * H, to: 1002 * H, kind: 'copy' }, now)).toBe(null);
    expect(coverageProblem(r, { cameraId: 11, from: 1001 * H, to: 1001 * H + 5, kind: 'playback' }, now)).toBe(null);
    expect(coverageProblem(r, { cameraId: 12, from: 1000 * H, to: 1001 * H, kind: 'copy' }, now)).toMatch(/camera 12/);
    expect(coverageProblem(r, { cameraId: 10, from: 999 * H, to: 1001 * H, kind: 'copy' }, now)).toMatch(/outside/);
    expect(coverageProblem(r, { cameraId: 10, from: 1000 * H, to: 1003 * H, kind: 'copy' }, now)).toMatch(/outside/);
    expect(coverageProblem(r, { cameraId: 10, from: 1000 * H, to: 1001 * H, kind: 'retrieve' }, now)).toMatch(/does not allow retrieve/);
    expect(coverageProblem(r, { cameraId: 10, from: null, to: null, kind: 'live' }, now)).toMatch(/does not allow live/);
    expect(coverageProblem(r, { cameraId: 10, from: 1000 * H, to: 1001 * H, kind: 'copy' }, 2000 * H)).toMatch(/expired/);
    expect(coverageProblem({ ...r, state: 'submitted' }, { cameraId: 10, from: 1000 * H, to: 1001 * H, kind: 'copy' }, now)).toMatch(/not approved/);
    // Live viewing under a view request: now must lie inside the approved range.
    const view = { ...r, kind: 'view' as const };
    expect(coverageProblem(view, { cameraId: 10, from: null, to: null, kind: 'live' }, now)).toBe(null);
    expect(coverageProblem(view, { cameraId: 10, from: null, to: null, kind: 'live' }, 1003 * H)).toMatch(/outside/);
  });
});
