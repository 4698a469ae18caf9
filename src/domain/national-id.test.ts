import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fuzz, loadCorpus } from '../../test/corpus/rtsp-fuzz/mutate.js';
import { isVigilError } from '../errors.js';
import {
  DEVICE_TYPES,
  isCameraType,
  isGroupType,
  isPlatformType,
  isRecorderType,
  makeNationalId,
  parseNationalId,
  type NationalIdResult,
} from './national-id.js';

function reason(r: NationalIdResult): { field: string; reason: string } {
  if (r.ok) throw new Error(`expected a refusal, got ${r.id.code}`);
  return { field: r.field, reason: r.reason };
}

describe('parseNationalId', () => {
  it('splits a WVP-style IPC code into its parts', () => {
    const r = parseNationalId('34020000001320000001');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.id).toMatchObject({
      centre: '34020000',
      divisionCode: '340200',
      province: '34',
      provinceName: '安徽省',
      industry: '00',
      type: '132',
      typeClass: 'front-end-peripheral',
      network: '0',
      serial: '000001',
      domain: '3402000000',
    });
    expect(r.id.typeName.en).toBe('IP camera');
    expect(r.id.industryName.zh).toBe('社会治安路面接入');
  });

  it('knows platforms, groups, recorders and other networks', () => {
    const platform = parseNationalId('34020000002000000001');
    expect(platform.ok && platform.id.typeClass).toBe('platform');
    const group = parseNationalId('37100000042150000001');
    expect(group.ok && [group.id.type, group.id.industry, group.id.typeName.zh]).toEqual(['215', '04', '业务分组']);
    const nvr = parseNationalId('44030000111187000001');
    expect(nvr.ok && [nvr.id.type, nvr.id.industry, nvr.id.network, nvr.id.networkName.zh]).toEqual(['118', '11', '7', '互联网等公共网络']);
  });

  it('refuses wrong lengths, non-digits and non-strings, naming the problem', () => {
    expect(reason(parseNationalId('3402000000132000000'))).toEqual({
      field: 'code',
      reason: 'a national ID has 20 digits; "3402000000132000000" has 19 characters',
    });
    expect(reason(parseNationalId('3402000000132000000100')).reason).toContain('has 22 characters');
    expect(reason(parseNationalId('3402000000132000000x'))).toEqual({
      field: 'code',
      reason: 'a national ID has only digits; character 20 is "x"',
    });
    expect(reason(parseNationalId('３４020000001320000001')).field).toBe('code');
    expect(reason(parseNationalId(34020000001320000001))).toEqual({ field: 'code', reason: 'a national ID is a string of 20 digits' });
    expect(reason(parseNationalId(null)).field).toBe('code');
    expect(reason(parseNationalId('9'.repeat(100_000))).reason.length).toBeLessThan(120);
  });

  it('refuses unknown provinces, industries, types and reserved networks', () => {
    expect(reason(parseNationalId('99020000001320000001'))).toEqual({
      field: 'centre',
      reason: 'centre code 99020000: 99 is not a province code of GB/T 2260',
    });
    // 16..20 and 24..30 are gaps in GB/T 2260.
    expect(reason(parseNationalId('16020000001320000001')).field).toBe('centre');
    expect(reason(parseNationalId('00000000001320000001')).field).toBe('centre');
    expect(reason(parseNationalId('34020000371320000001'))).toEqual({
      field: 'industry',
      reason: 'industry code 37 is not a GB/T 28181 industry code',
    });
    expect(reason(parseNationalId('34020000009990000001'))).toEqual({
      field: 'type',
      reason: 'type code 999 is not a GB/T 28181 device type',
    });
    expect(reason(parseNationalId('34020000001190000001')).field).toBe('type'); // 119 is reserved
    expect(reason(parseNationalId('34020000001329000001'))).toEqual({
      field: 'network',
      reason: 'network id 9 is reserved in GB/T 28181',
    });
  });

  it('accepts every province of GB/T 2260 and every type of the table', () => {
    for (const p of ['11', '15', '23', '34', '42', '46', '50', '54', '65', '71', '81', '82']) {
      expect(parseNationalId(`${p}010000001320000001`).ok).toBe(true);
    }
    for (const type of Object.keys(DEVICE_TYPES)) expect(parseNationalId(`3402000000${type}0000001`).ok).toBe(true);
  });
});

describe('device type helpers', () => {
  it('classify type codes and whole IDs', () => {
    expect(['131', '132'].every(isCameraType)).toBe(true);
    expect(isCameraType('118')).toBe(false);
    expect(isCameraType('34020000001320000001')).toBe(true);
    expect(['111', '118', '130'].every(isRecorderType)).toBe(true);
    expect(isRecorderType('132')).toBe(false);
    expect(['215', '216'].every(isGroupType)).toBe(true);
    expect(isGroupType('200')).toBe(false);
    expect(isPlatformType('34020000002000000001')).toBe(true);
    expect(isPlatformType('215')).toBe(false);
  });
});

describe('makeNationalId', () => {
  it('builds IDs that parse back to the same parts', () => {
    const code = makeNationalId({ centre: '23010000', industry: '04', type: '131', network: '2', serial: 42 });
    expect(code).toBe('23010000041312000042');
    const r = parseNationalId(code);
    expect(r.ok && [r.id.centre, r.id.industry, r.id.type, r.id.network, r.id.serial]).toEqual(['23010000', '04', '131', '2', '000042']);
    expect(makeNationalId({ centre: '34010000', type: '132', serial: '000007' })).toBe('34010000001320000007');
  });

  it('refuses parts that would not make a valid ID, with a typed error', () => {
    const attempt = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e;
      }
      return null;
    };
    const e1 = attempt(() => makeNationalId({ centre: '3401000', type: '132', serial: 1 }));
    expect(isVigilError(e1) && [e1.code, e1.message]).toEqual(['VALIDATION_FAILED', 'centre must be 8 digits, got "3401000"']);
    const e2 = attempt(() => makeNationalId({ centre: '34010000', type: '999', serial: 1 }));
    expect(isVigilError(e2) && e2.message).toBe('type code 999 is not a GB/T 28181 device type');
    const e3 = attempt(() => makeNationalId({ centre: '34010000', type: '132', serial: 1_000_000 }));
    expect(isVigilError(e3) && e3.details[0]?.path).toBe('serial');
  });
});

describe('parseNationalId under mutated input', () => {
  const corpus = loadCorpus(fileURLToPath(new URL('../../test/corpus/national-id/', import.meta.url)), '.txt');

  it('never throws, and whatever it accepts is 20 digits that rebuild to the same code', () => {
    let accepted = 0;
    const r = fuzz(corpus, 20_000, 0x1d2028, (b) => {
      const result = parseNationalId(b.toString('latin1'));
      if (result.ok) {
        accepted++;
        const { centre, industry, type, network, serial, code } = result.id;
        expect(code).toMatch(/^\d{20}$/);
        expect(makeNationalId({ centre, industry, type, network, serial })).toBe(code);
      } else {
        expect(result.reason.length).toBeLessThan(200);
      }
    }, () => false);
    expect(r.untyped).toEqual([]);
    expect(accepted).toBeGreaterThan(0);
    expect(r.heapGrowthBytes).toBeLessThan(64 << 20);
  });
});
