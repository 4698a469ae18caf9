import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, freshDatabase } from '../../test/support/databases.js';
import type { Db } from './database.js';
import { createRepositories, type Repositories } from './repositories.js';

const NOW = Date.UTC(2026, 0, 1);

for (const dialect of DIALECTS) {
  describe(`account and access-request repositories on ${dialect}`, () => {
    let db: Db;
    let repos: Repositories;
    let city: number;
    let unit: number;
    let other: number;
    const user = (login: string, organisation_id: number | null, work_id: string | null = null) =>
      repos.accounts.insertUser({
        login, display_name: login, work_id, organisation_id, status: 'active', password_hash: '$argon2id$x', password_changed_at: NOW,
        totp_secret: null, totp_pending_secret: null, totp_last_step: null, must_change_password: 0, created_by: null, created_at: NOW, updated_at: NOW,
      });

    beforeAll(async () => {
      db = await freshDatabase(dialect);
      repos = createRepositories(db);
      city = (await repos.organisations.create({ kind: 'platform', name: 'city', level: 'city' }, NOW)).id;
      unit = (await repos.organisations.create({ kind: 'unit', name: 'unit', unitRoles: ['user'], parentId: city }, NOW)).id;
      other = (await repos.organisations.create({ kind: 'platform', name: 'other', level: 'city' }, NOW)).id;
    });
    afterAll(() => db.close());

    it('keeps users unique by login and work ID, and lists them by organisation subtree', async () => {
      const a = await user('a', unit, 'W1');
      await user('b', other, 'W2');
      await user('c', null);
      await expect(user('a', null)).rejects.toThrow();
      await expect(user('d', null, 'W1')).rejects.toThrow();
      expect(await repos.accounts.userByWorkId('W1')).toMatchObject({ id: a.id, organisation_id: unit, totp_last_step: null });
      const city_ = (await repos.organisations.get(city))!;
      expect((await repos.accounts.listUsers([city_.path])).map((u) => u.login)).toEqual(['a']);
      expect((await repos.accounts.listUsers([''])).map((u) => u.login)).toEqual(['a', 'b', 'c']);
      expect(await repos.accounts.listUsers([])).toEqual([]);
      expect(await repos.accounts.countUsers()).toBe(3);
    });

    it('returns grants with the organisation path, empty for the whole platform', async () => {
      const a = (await repos.accounts.userByLogin('a'))!;
      const g1 = await repos.accounts.insertGrant({ userId: a.id, role: 'auditor', organisationId: unit, grantedBy: null, at: NOW });
      await repos.accounts.insertGrant({ userId: a.id, role: 'system_administrator', organisationId: null, grantedBy: null, at: NOW });
      const grants = await repos.accounts.grantsOf(a.id);
      expect(grants.map((g) => [g.role, g.path])).toEqual([['auditor', (await repos.organisations.get(unit))!.path], ['system_administrator', '']]);
      await repos.accounts.deleteGrant(g1);
      expect(await repos.accounts.grantById(g1)).toBe(undefined);
    });

    it('stores sessions and tokens by hash and revokes them', async () => {
      const a = (await repos.accounts.userByLogin('a'))!;
      for (const id of ['s1', 's2']) await repos.accounts.insertSession({ id, user_id: a.id, stage: 'full', created_at: NOW, last_seen_at: NOW, expires_at: NOW + 1000, revoked_at: null, source_address: '127.0.0.1' });
      await repos.accounts.revokeSession('s1', NOW + 1);
      expect((await repos.accounts.session('s1'))!.revoked_at).toBe(NOW + 1);
      expect((await repos.accounts.revokeSessionsOf(a.id, NOW + 2)).sort()).toEqual(['s2']);
      const tid = await repos.accounts.insertToken({ user_id: a.id, name: 't', token_hash: 'h'.repeat(64), permissions: '["audit:read"]', organisation_id: unit, expires_at: NOW + 5, revoked_at: null, last_used_at: null, created_at: NOW });
      expect(await repos.accounts.tokenByHash('h'.repeat(64))).toMatchObject({ id: tid, organisation_id: unit, expires_at: NOW + 5 });
      expect(await repos.accounts.revokeTokensOf(a.id, NOW + 3)).toEqual([tid]);
      expect((await repos.accounts.tokenById(tid))!.revoked_at).toBe(NOW + 3);
    });

    it('counts failed sign-ins per login since a time', async () => {
      for (const at of [NOW, NOW + 10, NOW + 20]) await repos.accounts.addLoginFailure('x', at);
      await repos.accounts.addLoginFailure('y', NOW);
      expect((await repos.accounts.loginFailures('x', NOW + 5)).sort()).toEqual([NOW + 10, NOW + 20]);
      await repos.accounts.clearLoginFailures('x');
      expect(await repos.accounts.loginFailures('x', 0)).toEqual([]);
      expect(await repos.accounts.loginFailures('y', 0)).toEqual([NOW]);
    });

    it('stores access requests with their officers and finds them by participant and custodian', async () => {
      const a = (await repos.accounts.userByLogin('a'))!;
      const b = (await repos.accounts.userByLogin('b'))!;
      const id = await repos.accessRequests.insert(
        {
          kind: 'copy', state: 'draft', requester_id: a.id, requester_kind: 'court', requesting_unit: 'court', purpose: 'p', case_number: null, destination: 'd',
          custodian_id: unit, profile_id: 'anhui', camera_ids: [3, 4], range_from: NOW, range_to: NOW + 10, validity_ms: 100, valid_until: null,
          document_sha256: null, document_type: null, approvals: [], decision_reason: null, decided_by: null, created_at: NOW, updated_at: NOW,
        },
        [{ userId: a.id, workId: 'W1' }, { userId: b.id, workId: 'W2' }],
      );
      await repos.accessRequests.confirmOfficer(id, b.id, NOW + 1);
      await repos.accessRequests.update(id, { state: 'approved', approvals: [{ userId: 9, role: 'approver', at: NOW + 2 }], valid_until: NOW + 102 });
      const r = (await repos.accessRequests.get(id))!;
      expect(r).toMatchObject({ camera_ids: [3, 4], valid_until: NOW + 102, approvals: [{ userId: 9, role: 'approver', at: NOW + 2 }] });
      expect(r.officers).toEqual([{ userId: a.id, workId: 'W1', confirmedAt: null }, { userId: b.id, workId: 'W2', confirmedAt: NOW + 1 }]);
      expect(await repos.accessRequests.idsInvolving(b.id)).toEqual([id]);
      expect(await repos.accessRequests.idsForCustodians([(await repos.organisations.get(city))!.path])).toEqual([id]);
      expect(await repos.accessRequests.idsForCustodians([(await repos.organisations.get(other))!.path])).toEqual([]);
      expect((await repos.accessRequests.usableFor(b.id, 4)).map((x) => x.id)).toEqual([id]);
      expect(await repos.accessRequests.usableFor(b.id, 5)).toEqual([]);
    });
  });
}
