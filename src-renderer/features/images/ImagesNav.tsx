import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { useImages } from './store';
import './images.css';

/** The sidebar entry that opens the Images page (a second click closes it). */
export function ImagesNav() {
  const { t } = useTranslation();
  const open = useImages((s) => s.pageOpen);
  const openPage = useImages((s) => s.openPage);
  return (
    <nav className="images-nav" aria-label={t('images.nav')}>
      <button type="button" className={`nav-entry${open ? ' active' : ''}`} aria-pressed={open} onClick={() => openPage(!open)} data-testid="nav-images">
        <Icon name="disc" size={18} />
        {t('images.title')}
      </button>
    </nav>
  );
}
