import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalName, Organisation, PlaceCategory } from '../api/types';

/** Picks the name in the console's language. */
export function useLocalName() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return useCallback((n: LocalName | undefined, fallback = '') => (n ? (en ? n.en : n.zh) : fallback), [en]);
}

export function useOrgName() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  return useCallback((o: Pick<Organisation, 'name' | 'nameEn'> | undefined, fallback = '') => (o ? (en && o.nameEn ? o.nameEn : o.name) : fallback), [en]);
}

/** Categories whose kind says cameras may not go there (privacy places). */
export function isProhibited(c: PlaceCategory): boolean {
  return /prohibit|privacy|forbid/i.test(c.kind);
}

export function isMandatory(c: PlaceCategory): boolean {
  return /mandatory|required|key/i.test(c.kind);
}
