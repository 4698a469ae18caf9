// Refusals in words a user knows: the action and the thing, and what it needs — never an internal
// type name or a gate's permission where the real condition is a role over the unit.
import { describe, expect, it } from 'vitest';
import { refusal } from './policy.js';
import { permissionRefusalText, policyRefusalText } from './refusal-words.js';

describe('refusal words', () => {
  it('names the action, the thing and the condition, not internal names', () => {
    const text = policyRefusalText('decide', 'AccessRequest', 3);
    expect(text).toBe('you may not approve or reject access request 3: this needs an approver role over the unit that holds the footage, and not being the requester');
    expect(text).not.toMatch(/AccessRequest/);
    expect(policyRefusalText('supervise', 'Organisation', null)).toBe('you may not inspect or supervise this organisation: this needs the police supervisor role over the unit');
  });

  it('carries codes for the console to word it in Chinese', () => {
    const e = refusal('decide', { kind: 'AccessRequest', id: 3, requesterId: 1, officerIds: [], custodianPath: '/1/', requesterPaths: [] });
    expect(e.code).toBe('FORBIDDEN');
    expect(e.params).toEqual({ rule: 'policy', action: 'decide', subject: 'AccessRequest', id: 3 });
  });

  it('words a missing permission', () => {
    expect(permissionRefusalText('basic-info:read')).toBe('this needs the permission to read the basic information of cameras (basic-info:read)');
  });
});
