import { describe, expect, it } from 'vitest';
import { legalStanding } from './legal-status.js';
import { loadProfiles } from './profile-loader.js';

const catalogue = loadProfiles();
const at = (day: string) => Date.parse(`${day}T12:00:00+08:00`);

describe('legal standing of each profile, clock passed in', () => {
  it('in force, draft or expired, with the warning a deployment and its pages show', () => {
    const now = at('2026-12-04');
    const s = (id: string) => legalStanding(catalogue.require(id), now);
    expect(s('national')).toMatchObject({ status: 'in-force', effectiveFrom: '2025-04-01', warning: null });
    expect(s('anhui')).toMatchObject({ status: 'in-force', warning: null });
    expect(s('hubei')).toMatchObject({ status: 'in-force', warning: null });
    expect(s('harbin').status).toBe('draft');
    expect(s('harbin').warning?.zh).toMatch(/征求意见稿/);
    expect(s('national-draft-2016').status).toBe('draft');
    expect(s('weihai')).toMatchObject({ status: 'expired', effectiveTo: '2024-11-30' });
    expect(s('weihai').warning?.zh).toMatch(/2024-11-30.*失效/);
  });

  it('follows the clock: before its effective day a text is not yet in force, after its last day expired', () => {
    const national = catalogue.require('national');
    expect(legalStanding(national, at('2025-03-31')).status).toBe('not-yet-in-force');
    expect(legalStanding(national, at('2025-04-01')).status).toBe('in-force');
    const wh = catalogue.require('weihai');
    const inForce = { ...wh, source: { ...wh.source, status: 'in-force' as const } };
    expect(legalStanding(inForce, at('2024-11-30')).status).toBe('in-force');
    expect(legalStanding(inForce, at('2024-12-01')).status).toBe('expired');
  });
});
