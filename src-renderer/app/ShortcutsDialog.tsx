import { Fragment } from 'react';
import { useTranslation } from 'react-i18next';
import { Dialog } from '../components/Dialog';
import { SHORTCUTS, isMac } from './shortcut-list';
import { useUi } from './ui-store';

export function ShortcutsDialog() {
  const { t } = useTranslation();
  const close = useUi((s) => s.closeDialog);
  const mod = isMac() ? '⌘' : 'Ctrl';
  return (
    <Dialog title={t('shortcuts.title')} onClose={close} size="sm" testId="shortcuts">
      <dl className="shortcut-list">
        {SHORTCUTS.map((s, i) => (
          <div key={i} className="shortcut-row">
            <dt>
              {s.keys.map((k, j) => (
                <Fragment key={j}>
                  {j > 0 && <span className="kbd-sep">{s.keys[0] === 'Mod' ? '+' : '/'}</span>}
                  <kbd>{k === 'Mod' ? mod : k === 'Esc' ? 'Esc' : k}</kbd>
                </Fragment>
              ))}
            </dt>
            <dd>{t(s.action)}</dd>
          </div>
        ))}
      </dl>
      <p className="field-hint">{t('shortcuts.browserNote')}</p>
    </Dialog>
  );
}
