import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { App } from './app/App';
import { startNotices } from './app/notices';
import { startHostSync } from './features/host/store';
import { startMachinesSync } from './features/machines/store';
import { usePreferences } from './features/preferences/store';
import { startTasksSync } from './features/tasks/store';
import { initI18n, languageOrDefault, setLanguage } from './i18n';
import './app/theme.css';

const i18n = initI18n();
usePreferences.subscribe((s, prev) => {
  if (s.language !== prev.language) void setLanguage(languageOrDefault(s.language));
});

startMachinesSync();
startHostSync();
startTasksSync();
startNotices();

// English at once; another language's catalogue first (its own chunk), so no English flashes
const startLanguage = languageOrDefault(usePreferences.getState().language);
if (startLanguage === 'en') document.documentElement.lang = 'en';
else await setLanguage(startLanguage);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <App />
    </I18nextProvider>
  </StrictMode>,
);
