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

/** Privacy places: where cameras may not go (the other kind, "mandatory", is where they must). */
export function isProhibited(c: PlaceCategory): boolean {
  return c.kind === 'prohibited';
}
