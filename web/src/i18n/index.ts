// UI text in Chinese (default) and English. The choice is kept in localStorage so a reload
// keeps the operator's language. Each language's dictionary (and antd's own texts for it) is a
// bundle of its own, fetched when the language is first used: a Chinese page never downloads the
// English words, nor the other way round.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import type { Locale } from 'antd/es/locale';
// antd's own components import English as their default, so it is in the core bundle anyway.
import enUS from 'antd/es/locale/en_US';

export const LANGUAGES = ['zh', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const STORAGE_KEY = 'vigil.language';

type Dictionary = Record<string, unknown>;

const BUNDLES: Record<Language, () => Promise<[Dictionary, Locale]>> = {
  zh: () => Promise.all([import('./zh.json').then((m) => m.default), import('antd/es/locale/zh_CN').then((m) => m.default)]),
  en: () => import('./en.json').then((m) => [m.default, enUS]),
};

const antdLocales = new Map<Language, Locale>();

/** antd's own texts (pagination, empty tables, pickers) in a language whose bundle is loaded. */
export function antdLocaleOf(lng: string): Locale | undefined {
  return antdLocales.get(lng === 'en' ? 'en' : 'zh');
}

async function loadLanguage(lng: Language): Promise<void> {
  if (antdLocales.has(lng)) return;
  const [dictionary, locale] = await BUNDLES[lng]();
  if (i18next.isInitialized) i18next.addResourceBundle(lng, 'translation', dictionary);
  else pending.set(lng, dictionary);
  antdLocales.set(lng, locale);
}

/** Dictionaries fetched before i18next was initialised, handed to it at init. */
const pending = new Map<Language, Dictionary>();

export function storedLanguage(): Language {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

/**
 * Tells the server which language's bundle the next page load needs, so it names that one among
 * the files to fetch early (src/api/plugins/console.ts, LANGUAGE_COOKIE) and not the other.
 */
function tellServer(lng: Language): void {
  document.cookie = `vigil_language=${lng}; path=/; max-age=31536000; samesite=lax`;
}

export async function setLanguage(lng: Language): Promise<void> {
  try {
    window.localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    // Private mode may refuse storage; the switch still applies to this page.
  }
  tellServer(lng);
  await loadLanguage(lng);
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

/** Fetches the stored language's bundle, then starts i18next on it; render after it resolves. */
export async function initI18n(): Promise<typeof i18next> {
  const lng = storedLanguage();
  document.documentElement.lang = lng === 'zh' ? 'zh-CN' : 'en';
  tellServer(lng);
  await loadLanguage(lng);
  await i18next.use(initReactI18next).init({
    resources: Object.fromEntries([...pending].map(([l, dictionary]) => [l, { translation: dictionary }])),
    lng,
    // Every key is in both dictionaries (test/browser/i18n-keys.test.ts); a missing one shows as
    // its key and is noted, never silently as the other language's words.
    fallbackLng: false,
    interpolation: { escapeValue: false },
    returnNull: false,
    // One namespace; keys hold permission names such as `error.permissions.basic-info:read`, whose
    // colon must not be read as a namespace separator.
    nsSeparator: false,
    // A key the dictionaries lack is noted, so browser tests can fail on it.
    saveMissing: true,
    missingKeyHandler: (_lngs, _ns, key) => noteMissingKey(key),
  });
  pending.clear();
  return i18next;
}
