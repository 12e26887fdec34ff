import { useTranslation } from 'react-i18next';
import { Button } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field } from '../../components/Field';
import { useUi } from '../../app/ui-store';
import { LANGUAGES, type Language } from '../../i18n/languages';
import { usePreferences, type ThemePref } from './store';

const THEMES: ThemePref[] = ['system', 'light', 'dark'];
/** Each language named in itself, so anyone can find theirs. */
const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', 'zh-CN': '简体中文' };

export function PreferencesDialog() {
  const { t } = useTranslation();
  const close = useUi((s) => s.closeDialog);
  const theme = usePreferences((s) => s.theme);
  const setTheme = usePreferences((s) => s.setTheme);
  const language = usePreferences((s) => s.language);
  const setLanguage = usePreferences((s) => s.setLanguage);
  return (
    <Dialog title={t('preferences.title')} onClose={close} size="sm" testId="preferences" footer={<><span className="footer-spacer" /><Button variant="primary" onClick={close} data-testid="preferences-done">{t('common.done')}</Button></>}>
      <div className="form-grid">
        <fieldset className="radio-group segmented-group">
          <legend className="field-label">{t('preferences.theme')}</legend>
          <div className="segmented">
            {THEMES.map((th) => (
              <label key={th} className={`segment${theme === th ? ' active' : ''}`}>
                <input type="radio" name="theme" value={th} checked={theme === th} onChange={() => setTheme(th)} data-testid={`pref-theme-${th}`} />
                {t(`preferences.themes.${th}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <Field label={t('preferences.language')}>
          {(p) => (
            <select {...p} value={language ?? 'system'} onChange={(e) => setLanguage(e.target.value === 'system' ? null : (e.target.value as Language))} data-testid="pref-language">
              <option value="system">{t('preferences.languageSystem')}</option>
              {LANGUAGES.map((l) => (
                <option key={l} value={l} lang={l}>
                  {LANGUAGE_NAMES[l]}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
    </Dialog>
  );
}
