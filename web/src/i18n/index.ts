import i18n from 'i18next';
import { initReactI18next, useTranslation } from 'react-i18next';
import en from './en.json';
import es from './es.json';
import zh from './zh.json';

export const LANGUAGES = [
  { code: 'en', label: 'EN', name: 'English', locale: 'en-US' },
  { code: 'zh', label: '中文', name: '简体中文', locale: 'zh-CN' },
  { code: 'es', label: 'ES', name: 'Español', locale: 'es-ES' },
] as const;
export type Lang = (typeof LANGUAGES)[number]['code'];

export const STORAGE_KEY = 'countersign.lang';

const isLang = (value: unknown): value is Lang => LANGUAGES.some((l) => l.code === value);

export const localeOf = (lang: Lang): string => LANGUAGES.find((l) => l.code === lang)?.locale ?? 'en-US';

function initialLanguage(): Lang {
  try {
    const stored = window.localStorage.getItem(STORAGE_KEY);
    if (isLang(stored)) return stored;
  } catch {
    // storage may be disabled; fall through to the browser's language
  }
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

const lng = initialLanguage();
document.documentElement.lang = localeOf(lng);

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh }, es: { translation: es } },
  lng,
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
  initAsync: false,
});

export function setLanguage(lang: Lang): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // not persisted; still switch for this page
  }
  document.documentElement.lang = localeOf(lang);
  void i18n.changeLanguage(lang);
}

/** `useTranslation` plus the current language, narrowed to the three the UI ships. */
export function useI18n() {
  const { t, i18n: instance } = useTranslation();
  const current = instance.resolvedLanguage ?? instance.language;
  const lang: Lang = isLang(current) ? current : 'en';
  return { t, lang };
}

export default i18n;
