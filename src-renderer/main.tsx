import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './app/App';
import { startNotices } from './app/notices';
import { startHostSync } from './features/host/store';
import { startMachinesSync } from './features/machines/store';
import { usePreferences } from './features/preferences/store';
import { startTasksSync } from './features/tasks/store';
import { initI18n, pickLanguage, setLanguage } from './i18n';
import './app/theme.css';

const i18n = initI18n(usePreferences.getState().language);
document.documentElement.lang = i18n.language;
usePreferences.subscribe((s, prev) => {
  if (s.language !== prev.language) setLanguage(s.language ?? pickLanguage(navigator.languages ?? [navigator.language]));
});

startMachinesSync();
startHostSync();
startTasksSync();
startNotices();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
