import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import zhCN from './zh-CN.json';
import { pickLanguage, type Language } from './languages';

export { LANGUAGES, pickLanguage, type Language } from './languages';

/** Start i18next with both catalogues bundled (no network: the app works offline and under a strict CSP). */
export function initI18n(language: Language | null): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng: language ?? pickLanguage(navigator.languages ?? [navigator.language]),
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  return i18next;
}

export function setLanguage(language: Language): void {
  void i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
