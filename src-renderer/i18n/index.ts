import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './en.json';
import { pickLanguage, type Language } from './languages';

export { LANGUAGES, pickLanguage, type Language } from './languages';

/**
 * The other catalogues, each a chunk of its own loaded before first use (no network beyond our
 * own files: the app works offline and under a strict CSP). English is in the start chunk; the
 * rest stays out of it, since every start evaluates that chunk (test/bench/ui.bench.ts).
 */
const CATALOGUES: Record<Exclude<Language, 'en'>, () => Promise<{ default: Record<string, unknown> }>> = {
  'zh-CN': () => import('./zh-CN.json'),
};

/** Start i18next with English; main.tsx then switches to the chosen language (setLanguage) before the first render. */
export function initI18n(): typeof i18next {
  void i18next.use(initReactI18next).init({
    resources: { en: { translation: en } },
    lng: 'en',
    fallbackLng: 'en',
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  return i18next;
}

/** The chosen language, or the browser's best match. */
export const languageOrDefault = (language: Language | null): Language => language ?? pickLanguage(navigator.languages ?? [navigator.language]);

/** Load the language's catalogue if needed, then switch to it. */
export async function setLanguage(language: Language): Promise<void> {
  if (language !== 'en' && !i18next.hasResourceBundle(language, 'translation')) {
    i18next.addResourceBundle(language, 'translation', (await CATALOGUES[language]()).default);
  }
  await i18next.changeLanguage(language);
  document.documentElement.lang = language;
}
