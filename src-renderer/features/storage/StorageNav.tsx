import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { useStorage } from './store';
import './storage.css';

/** The sidebar entry that opens the Storage page (and closes it again). */
export function StorageNav() {
  const { t } = useTranslation();
  const open = useStorage((s) => s.pageOpen);
  const openPage = useStorage((s) => s.openPage);
  return (
    <nav className="storage-nav" aria-label={t('storage.nav')}>
      <button type="button" className={`nav-entry${open ? ' active' : ''}`} aria-pressed={open} onClick={() => openPage(!open)} data-testid="nav-storage">
        <Icon name="disk" size={18} />
        {t('storage.title')}
      </button>
    </nav>
  );
}
