// UI text in Chinese (default) and English. The choice is kept in localStorage so a reload
// keeps the operator's language.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zh from './zh.json';

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'vigil.language';

export function storedLanguage(): Language {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

export async function setLanguage(lng: Language): Promise<void> {
  try {
    window.localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Private mode may refuse storage; the switch still applies to this page.
  }
  document.documentElement.lang = lng === 'zh' ? 'zh-CN' : 'en';
  await i18next.changeLanguage(lng);
}

declare global {
  interface Window {
    /** Keys asked for and missing from the dictionaries, for browser tests to read. */
    vigilMissingKeys?: string[];
  }
}

function noteMissingKey(key: string): void {
  const seen = (window.vigilMissingKeys ??= []);
  if (!seen.includes(key)) seen.push(key);
  console.warn(`untranslated key: ${key}`);
}

export function initI18n(): typeof i18next {
  const lng = storedLanguage();
  document.documentElement.lang = lng === 'zh' ? 'zh-CN' : 'en';
  void i18next.use(initReactI18next).init({
    resources: { zh: { translation: zh }, en: { translation: en } },
    lng,
    fallbackLng: 'zh',
    interpolation: { escapeValue: false },
    returnNull: false,
    // One namespace; keys hold permission names such as `error.permissions.basic-info:read`, whose
    // colon must not be read as a namespace separator.
    nsSeparator: false,
    // A key the dictionaries lack is shown as its fallback and noted, so browser tests can fail on it.
    saveMissing: true,
    missingKeyHandler: (_lngs, _ns, key) => noteMissingKey(key),
  });
  return i18next;
}
