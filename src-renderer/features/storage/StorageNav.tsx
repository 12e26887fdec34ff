import { useTranslation } from 'react-i18next';
import { NavEntry } from '../../components/NavEntry';
import { useStorage } from './store';
import './storage.css';

/** The sidebar entry that opens the Storage page (and closes it again). */
export function StorageNav() {
  const { t } = useTranslation();
  const open = useStorage((s) => s.pageOpen);
  const openPage = useStorage((s) => s.openPage);
  return (
    <nav className="storage-nav" aria-label={t('storage.nav')}>
      <NavEntry className="nav-entry" active={open} icon="disk" label={t('storage.title')} onToggle={openPage} testId="nav-storage" />
    </nav>
  );
}
