import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../domain/profile-loader.js';
import { coverageProblem, effectiveState, requestProblem, requirementsFor, transition, type RequestFacts, type Requirements } from './access-request.js';

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

describe('what each jurisdiction requires, on the requester\'s side', () => {
  it('reads officers, approvals and the document from the profile, with articles', () => {
    // AH-21: police and state security bring the approval of their own agency's head.
    expect(requirementsFor(access('anhui'), 'copy', 'public-security')).toEqual({
      officers: { count: 2, article: 'AH-22(1)' },
      approvals: [{ role: 'approver', side: 'requester', article: 'AH-21' }],
      document: { required: true, article: 'AH-21' },
    });
    expect(requirementsFor(access('anhui'), 'view', 'state-security').approvals).toEqual([{ role: 'approver', side: 'requester', article: 'AH-21' }]);
    // AH-21 para. 2: other administrations bring the approval of the police head of the place instead.
    expect(requirementsFor(access('anhui'), 'copy', 'other-administration').approvals).toEqual([{ role: 'supervisor', side: 'custodian', article: 'AH-21' }]);
    // WH-25: viewing needs no approval (two officers still, WH-26(1)); copying the county police's.
    expect(requirementsFor(access('weihai'), 'copy', 'public-security').approvals).toEqual([{ role: 'supervisor', side: 'requester', article: 'WH-25' }]);
    expect(requirementsFor(access('weihai'), 'view', 'public-security')).toEqual({ officers: { count: 2, article: 'WH-26(1)' }, approvals: [], document: { required: false, article: 'WH-25' } });
    // HRB-22(3): the requester's unit letter is the approval; without it the custodian refuses.
    expect(requirementsFor(access('harbin'), 'view', 'other-administration')).toEqual({ officers: { count: 2, article: 'HRB-22(1)' }, approvals: [], document: { required: true, article: 'HRB-22(3)' } });
    // CN799-20: state organs act by the powers and procedures of law; no officer minimum is set.
    expect(requirementsFor(access('national'), 'retrieve', 'court')).toEqual({ officers: { count: 0, article: null }, approvals: [], document: { required: true, article: 'CN799-20' } });
    // Hubei's surviving text is silent: Decree 799 beneath it applies.
    expect(requirementsFor(access('hubei'), 'copy', 'procuratorate').document).toEqual({ required: true, article: 'CN799-20' });
  });

  it('never uses a fixed officer minimum: the profile sets the number, none where none is set', () => {
    for (const id of ['anhui', 'harbin', 'weihai', 'national', 'hubei']) {
      const a = access(id);
      expect(requirementsFor(a, 'copy', 'public-security').officers.count).toBe(a.officersToCopy.value ?? 0);
      expect(requirementsFor(a, 'view', 'public-security').officers.count).toBe(a.officersToView.value ?? 0);
    }
  });

  it('gives a private person (CN799-21) a viewing of its own: the operator\'s consent, never a copy', () => {
    for (const id of ['national', 'anhui', 'harbin', 'weihai']) {
      const a = access(id);
      expect(requirementsFor(a, 'individual-view', 'close-relative')).toEqual({
        officers: { count: 0, article: 'CN799-21' },
        approvals: [{ role: 'approver', side: 'custodian', article: 'CN799-21' }],
        document: { required: false, article: 'CN799-21' },
      });
      expect(requestProblem(a, 'individual-view', 'carer')).toBe(null);
      expect(requestProblem(a, 'copy', 'person-concerned')).toMatchObject({ message: /may only view/, article: 'CN799-21' });
      expect(requestProblem(a, 'individual-view', 'public-security')).toMatchObject({ article: 'CN799-21' });
    }
    // The 2016 draft had no such right.
    expect(requestProblem(access('national-draft-2016'), 'individual-view', 'person-concerned')).toMatchObject({ message: /no right/ });
    const consented = facts({ kind: 'individual-view', state: 'approved', validUntil: 2000 * H, officers: [] });
    expect(coverageProblem(consented, { cameraId: 10, from: 1000 * H, to: 1001 * H, kind: 'playback' }, 1001 * H)).toBe(null);
    expect(coverageProblem(consented, { cameraId: 10, from: 1000 * H, to: 1001 * H, kind: 'copy' }, 1001 * H)).toMatch(/does not allow copy/);
    expect(coverageProblem(consented, { cameraId: 10, from: null, to: null, kind: 'live' }, 1001 * H)).toMatch(/does not allow live/);
  });
});

describe('the request state machine', () => {
  // Two steps, one on each side, to walk the machine through both.
  const anhui: Requirements = {
    ...requirementsFor(access('anhui'), 'copy', 'public-security'),
    approvals: [{ role: 'approver', side: 'requester', article: 'AH-21' }, { role: 'supervisor', side: 'custodian', article: 'AH-21' }],
  };

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
