import { useTranslation } from 'react-i18next';
import { NavEntry } from '../../components/NavEntry';
import { useImages } from './store';
import './images.css';

/** The sidebar entry that opens the Images page (a second click closes it). */
export function ImagesNav() {
  const { t } = useTranslation();
  const open = useImages((s) => s.pageOpen);
  const openPage = useImages((s) => s.openPage);
  return (
    <nav className="images-nav" aria-label={t('images.nav')}>
      <NavEntry className="nav-entry" active={open} icon="disc" label={t('images.title')} onToggle={openPage} testId="nav-images" />
    </nav>
  );
}
