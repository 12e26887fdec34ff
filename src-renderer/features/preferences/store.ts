import { create } from 'zustand';
import { loadPref, savePref } from '../../app/storage';
import { LANGUAGES, type Language } from '../../i18n/languages';

export type ThemePref = 'system' | 'light' | 'dark';
const THEMES: readonly ThemePref[] = ['system', 'light', 'dark'];

const isTheme = (v: unknown): v is ThemePref => THEMES.includes(v as ThemePref);
const isLanguage = (v: unknown): v is Language | null => v === null || LANGUAGES.includes(v as Language);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const LIST_WIDTH = { min: 240, max: 640, initial: 320 } as const;

interface PreferencesState {
  theme: ThemePref;
  /** null: follow the system language. */
  language: Language | null;
  /** Width of the machine list pane, px. */
  listWidth: number;
  setTheme(theme: ThemePref): void;
  setLanguage(language: Language | null): void;
  setListWidth(px: number): void;
}

/** What the user chose about the app itself; remembered in localStorage. */
export const usePreferences = create<PreferencesState>()((set) => ({
  theme: loadPref('theme', 'system', isTheme),
  language: loadPref('language', null, isLanguage),
  listWidth: clampWidth(loadPref('listWidth', LIST_WIDTH.initial, isNumber)),
  setTheme(theme) {
    savePref('theme', theme);
    set({ theme });
  },
  setLanguage(language) {
    savePref('language', language);
    set({ language });
  },
  setListWidth(px) {
    const listWidth = clampWidth(px);
    savePref('listWidth', listWidth);
    set({ listWidth });
  },
}));

function clampWidth(px: number): number {
  return Math.round(Math.min(LIST_WIDTH.max, Math.max(LIST_WIDTH.min, px)));
}
