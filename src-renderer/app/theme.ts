import { useEffect } from 'react';
import { usePreferences } from '../features/preferences/store';

const query = () => window.matchMedia('(prefers-color-scheme: dark)');

/** Put the resolved theme on <html data-theme>, following the system unless the user chose one. */
export function useApplyTheme(): void {
  const pref = usePreferences((s) => s.theme);
  useEffect(() => {
    const apply = () => {
      const resolved = pref === 'system' ? (query().matches ? 'dark' : 'light') : pref;
      document.documentElement.dataset.theme = resolved;
      document.documentElement.style.colorScheme = resolved;
    };
    apply();
    if (pref !== 'system') return;
    const mq = query();
    mq.addEventListener('change', apply);
    return () => mq.removeEventListener('change', apply);
  }, [pref]);
}
