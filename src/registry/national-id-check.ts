import { Errors } from '../errors.js';
import { isCameraType, isGroupType, isPlatformType, parseNationalId, DEVICE_TYPES } from '../domain/national-id.js';

export type NationalIdUse = 'camera' | 'platform' | 'business_group' | 'virtual_organisation';

const EXPECTED: Record<NationalIdUse, { test: (code: string) => boolean; want: string }> = {
  camera: { test: isCameraType, want: 'a camera (type 131 or 132)' },
  platform: { test: isPlatformType, want: 'a platform (type 200)' },
  business_group: { test: (c) => isGroupType(c) && c.slice(10, 13) === '215', want: 'a business group (type 215)' },
  virtual_organisation: { test: (c) => isGroupType(c) && c.slice(10, 13) === '216', want: 'a virtual organisation (type 216)' },
};

/** Why a national ID does not fit its use, or undefined when it does. */
export function nationalIdProblem(code: string, use: NationalIdUse): string | undefined {
  const parsed = parseNationalId(code);
  if (!parsed.ok) return parsed.reason;
  const expected = EXPECTED[use];
  if (!expected.test(code)) {
    const name = DEVICE_TYPES[parsed.id.type]?.en ?? 'another device';
    return `type code ${parsed.id.type} (${name}) is not ${expected.want}`;
  }
  return undefined;
}

/** Throws a validation error naming the field when the ID does not fit its use. */
export function checkNationalId(code: string, field: string, use: NationalIdUse): void {
  const problem = nationalIdProblem(code, use);
  if (problem) throw Errors.validation(`${field}: ${problem}`, [{ path: field, message: problem }]);
}
